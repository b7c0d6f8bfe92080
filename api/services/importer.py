"""Import articles: decode, parse, deduplicate (exact and near), store with history."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..dates import parse_date_with_precision
from ..models import Source
from ..schemas.text_checks import unstorable
from .articles import parse_article
from .history import record_change
from .similarity import find_near_duplicate, index_source, signature
from .suggestions import suggest_for
from .text import content_hash

METADATA_FIELDS = (
    "title",
    "outlet",
    "url",
    "published",
    "published_precision",
    "published_basis",
    "authors",
    "language",
)
_ALLOWED_CONTROL = {"\t", "\n", "\r", "\f"}
_METADATA_LIMITS = {"title": 500, "outlet": 200, "url": 2000, "language": 16}


class ArticleError(ValueError):
    """An article that cannot be imported; the message names it."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem
        super().__init__(f"{name}: {problem}")


@dataclass
class ImportResult:
    """The outcome of importing one article."""

    source: Source
    created: bool
    near_duplicate_of: int | None = None
    similarity: float | None = None


def decode_article(data: bytes, name: str) -> str:
    """Decode an article's bytes as UTF-8 text, refusing empty, binary or mis-encoded input."""
    if not data.strip():
        raise ArticleError(name, "is empty")
    if b"\x00" in data:
        raise ArticleError(name, "is binary (it contains NUL bytes), not a text article")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ArticleError(
            name, f"is not valid UTF-8 (invalid byte 0x{data[err.start]:02x} at offset {err.start})"
        ) from None
    check_text(text, name)
    return text


def check_text(text: str, name: str) -> None:
    """Refuse text that is empty or holds control characters (a sign of binary data)."""
    if not text.strip():
        raise ArticleError(name, "is empty")
    for i, ch in enumerate(text):
        category = unicodedata.category(ch)
        if category == "Cc" and ch not in _ALLOWED_CONTROL:
            raise ArticleError(
                name,
                f"contains control character U+{ord(ch):04X} at offset {i}; not a text article",
            )
        if category == "Cs":
            raise ArticleError(name, f"contains an unpaired surrogate at offset {i}")


def _apply_metadata(source: Source, parsed_published: Any, metadata: dict[str, Any]) -> None:
    """Fill a new source's metadata: explicit values win over what the text tells."""
    for key in ("title", "outlet", "url", "language"):
        if metadata.get(key) is not None:
            setattr(source, key, metadata[key])
    if metadata.get("authors") is not None:
        source.authors = list(metadata["authors"])
    if metadata.get("published") is not None:
        span = parse_date_with_precision(
            str(metadata["published"]), metadata.get("published_precision")
        )
        source.published_start, source.published_end = span.start, span.end
        source.published_precision = span.precision
        source.published_basis = metadata.get("published_basis") or "stated"
    elif parsed_published is not None:
        source.published_start = source.published_end = parsed_published
        source.published_precision, source.published_basis = "day", "stated"
    else:
        source.published_precision, source.published_basis = "unknown", None


def import_text(
    session: Session,
    raw: str,
    *,
    name: str,
    metadata: dict[str, Any] | None = None,
    threshold: float = 0.7,
    author: str = "system",
) -> ImportResult:
    """Import one article's text in the caller's transaction.

    The same text (after normalization) returns the stored source; a near-duplicate
    is stored and linked to the earliest copy through ``canonical_id``.
    """
    metadata = metadata or {}
    unknown = set(metadata) - set(METADATA_FIELDS)
    if unknown:
        raise ArticleError(name, f"unknown metadata field(s): {', '.join(sorted(unknown))}")
    for key, limit in _METADATA_LIMITS.items():
        value = metadata.get(key)
        if isinstance(value, str) and (len(value) > limit or unstorable(value)):
            raise ArticleError(name, f"{key} must be at most {limit} storable characters")
    check_text(raw, name)
    parsed = parse_article(raw)
    # An article is words: a body without a single letter ("{}", "1234") is not one.
    if not any(ch.isalpha() for ch in parsed.body):
        raise ArticleError(name, "holds no article text once its header and credits are removed")
    sha = content_hash(parsed.body)
    existing = session.scalar(select(Source).where(Source.sha256 == sha))
    if existing is not None:
        return ImportResult(existing, created=False)

    sig = signature(parsed.body, threshold)
    near = find_near_duplicate(session, sig, threshold)
    source = Source(
        title=parsed.title,
        outlet=parsed.outlet,
        dateline=parsed.dateline,
        authors=parsed.authors,
        file_name=name,
        body=parsed.body,
        raw=raw,
        sha256=sha,
        minhash=sig.to_bytes(),
        created_by=author,
    )
    try:
        _apply_metadata(source, parsed.published, metadata)
    except ValueError as err:
        raise ArticleError(name, f"published: {err}") from None
    if near is not None:
        match_id, match_canonical, score = near
        source.canonical_id = match_canonical or match_id
        source.similarity = round(score, 4)
    session.add(source)
    session.flush()
    index_source(session, source.id, sig)
    record_change(session, source, "create", author)
    suggest_for(session, source)  # the facts a curator may accept (services/suggestions.py)
    return ImportResult(
        source,
        created=True,
        near_duplicate_of=source.canonical_id,
        similarity=source.similarity,
    )


def import_files(
    session: Session,
    paths: Iterable[Path],
    *,
    metadata: dict[str, Any] | None = None,
    threshold: float = 0.7,
    author: str = "system",
) -> list[ImportResult]:
    """Import files in the caller's transaction; every file is read and checked first."""
    texts = [(p.name, decode_article(p.read_bytes(), str(p))) for p in paths]
    return [
        import_text(session, text, name=name, metadata=metadata, threshold=threshold, author=author)
        for name, text in texts
    ]


__all__ = ["ArticleError", "ImportResult", "decode_article", "import_files", "import_text"]
