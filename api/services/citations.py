"""A citation of one fact, as a dataset record: CSL-JSON, BibTeX and RIS.

A fact is cited at one **revision** (its version), whose permanent URL
(``/api/v1/facts/{id}/revisions/{version}``) keeps answering after later edits, so a
reader can see exactly what was cited. The citation names the fact's summary as its title,
the project as author and publisher, the revision's date as the date of issue, the date of
access, and the articles its evidence quotes as related items (outlet, title, date, URL).

Which revisions may be cited follows the public history (``history.public_history``):
without a token only published revisions; a token holder may cite any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..dates import format_date
from ..models import Revision, Source
from . import history

PUBLISHER = "bilateral-facts"
CSL_JSON = "application/vnd.citationstyles.csl+json"
BIBTEX = "application/x-bibtex"
RIS = "application/x-research-info-systems"
FORMATS: dict[str, str] = {"csl-json": CSL_JSON, "bibtex": BIBTEX, "ris": RIS}


class NotCitable(LookupError):
    """No revision of that fact (at that version) may be cited by this caller."""


@dataclass(frozen=True)
class CitedSource:
    id: int
    title: str | None
    outlet: str | None
    published: date | None
    precision: str
    url: str | None


@dataclass(frozen=True)
class Citation:
    """What a citation says, whatever its format."""

    fact_id: int
    version: int
    title: str
    issued: datetime  # when the cited revision was made
    accessed: date
    url: str  # the revision's permanent URL
    fact_url: str
    sources: tuple[CitedSource, ...]

    @property
    def key(self) -> str:
        return f"bilateral-facts-fact-{self.fact_id}-v{self.version}"


def cited_revision(
    session: Session, fact_id: int, version: int | None, public: bool
) -> dict[str, Any]:
    """The revision to cite (the latest citable one when ``version`` is None): its
    ``version``, ``created_at`` (a datetime) and ``snapshot``; or NotCitable."""
    revisions = history.fact_revisions(session, fact_id)
    if public:
        shown = history.public_history(revisions) or []
        by_version = {r.version: r for r in revisions}
        citable = [
            by_version[e["version"]] for e in shown if e["snapshot"].get("status") == "published"
        ]
    else:
        citable = revisions
    if version is not None:
        citable = [r for r in citable if r.version == version]
    if not citable:
        raise NotCitable(fact_id, version)
    chosen: Revision = citable[-1]
    return {"version": chosen.version, "created_at": chosen.created_at, "snapshot": chosen.snapshot}


def revision(session: Session, fact_id: int, version: int, public: bool) -> dict[str, Any]:
    """One revision of a fact as its history shows it to this caller; or NotCitable."""
    revisions = history.fact_revisions(session, fact_id)
    if public:
        entries = history.public_history(revisions) or []
    else:
        entries = [history.revision_dict(r) for r in revisions]
    for entry in entries:
        if entry["version"] == version:
            return entry
    raise NotCitable(fact_id, version)


def build(
    session: Session, fact_id: int, version: int | None, base_url: str, public: bool
) -> Citation:
    """The citation of ``fact_id`` (at ``version``, else its latest citable revision)."""
    cited = cited_revision(session, fact_id, version, public)
    snapshot = cited["snapshot"]
    source_ids = sorted({e["source_id"] for e in snapshot.get("evidence", [])})
    rows = session.scalars(select(Source).where(Source.id.in_(source_ids)).order_by(Source.id))
    sources = tuple(
        CitedSource(
            s.id, s.title, s.outlet, s.published_start, s.published_precision or "unknown", s.url
        )
        for s in rows
    )
    root = base_url.rstrip("/")
    return Citation(
        fact_id=fact_id,
        version=cited["version"],
        title=snapshot.get("summary") or f"Fact {fact_id}",
        issued=cited["created_at"],
        accessed=datetime.now(UTC).date(),
        url=f"{root}/api/v1/facts/{fact_id}/revisions/{cited['version']}",
        fact_url=f"{root}/api/v1/facts/{fact_id}",
        sources=sources,
    )


# -- CSL-JSON ------------------------------------------------------------------------------


def _date_parts(day: date | None, precision: str = "day") -> dict[str, Any] | None:
    if day is None or precision == "unknown":
        return None
    parts = [day.year] if precision == "year" else [day.year, day.month]
    if precision == "day":
        parts.append(day.day)
    return {"date-parts": [parts]}


def _source_key(source: CitedSource) -> str:
    return f"bilateral-facts-source-{source.id}"


def _note(citation: Citation) -> str:
    cited = "; ".join(
        ", ".join(
            x
            for x in (
                s.outlet,
                f"“{s.title}”" if s.title else None,
                format_date(s.published, s.precision),
                s.url,
            )
            if x
        )
        for s in citation.sources
    )
    text = (
        f"Fact {citation.fact_id}, revision {citation.version}; "
        f"current version at {citation.fact_url}."
    )
    return f"{text} Cited articles: {cited}." if cited else text


def plain_text(citation: Citation) -> str:
    """One line to paste into a text: author, year, title, revision, URL, access date and
    the articles the fact cites."""
    title = citation.title.rstrip(".")
    text = (
        f"bilateral-facts ({citation.issued.year}). {title} [Fact {citation.fact_id}, "
        f"revision {citation.version}]. Retrieved {citation.accessed.isoformat()}, "
        f"from {citation.url}."
    )
    note = _note(citation)
    cited = note.partition(" Cited articles: ")[2]
    return f"{text} Cited articles: {cited}" if cited else text


def csl_json(citation: Citation) -> bytes:
    """The fact as a CSL ``dataset`` item, then each cited article (``article-newspaper``)."""
    fact: dict[str, Any] = {
        "id": citation.key,
        "type": "dataset",
        "title": citation.title,
        "author": [{"literal": PUBLISHER}],
        "publisher": PUBLISHER,
        "version": str(citation.version),
        "issued": _date_parts(citation.issued.date()),
        "accessed": _date_parts(citation.accessed),
        "URL": citation.url,
        "note": _note(citation),
        "references": ", ".join(_source_key(s) for s in citation.sources),
    }
    items = [{k: v for k, v in fact.items() if v}]
    for s in citation.sources:
        item = {
            "id": _source_key(s),
            "type": "article-newspaper",
            "title": s.title,
            "container-title": s.outlet,
            "publisher": s.outlet,
            "issued": _date_parts(s.published, s.precision),
            "URL": s.url,
        }
        items.append({k: v for k, v in item.items() if v})
    return orjson.dumps(items, option=orjson.OPT_INDENT_2) + b"\n"


# -- BibTeX --------------------------------------------------------------------------------

_BIBTEX_SPECIAL = re.compile(r"([\\{}%&#$_~^])")
_BIBTEX_WORDS = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _bib(text: str) -> str:
    """A value inside braces: TeX's special characters escaped, one line."""
    flat = " ".join(text.split())
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_WORDS.get(m.group(1), "\\" + m.group(1)), flat)


def _bib_entry(kind: str, key: str, fields: list[tuple[str, str | None]]) -> str:
    # An author that is a body, not a person, goes in a second pair of braces (BibTeX would
    # otherwise read "bilateral-facts" as a first and a last name).
    body = ",\n".join(
        f"  {name} = {{{{{_bib(value)}}}}}" if name == "author" else f"  {name} = {{{_bib(value)}}}"
        for name, value in fields
        if value
    )
    return f"@{kind}{{{key},\n{body}\n}}\n"


def _bib_key(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9:-]+", "-", text)


def bibtex(citation: Citation) -> bytes:
    """A ``@misc`` entry for the fact (biblatex ``related`` names the articles), then an
    ``@article`` for each article it quotes."""
    issued = citation.issued.date()
    entries = [
        _bib_entry(
            "misc",
            _bib_key(citation.key),
            [
                ("title", citation.title),
                ("author", PUBLISHER),
                ("publisher", PUBLISHER),
                ("year", str(issued.year)),
                ("month", str(issued.month)),
                ("version", str(citation.version)),
                ("url", citation.url),
                ("urldate", citation.accessed.isoformat()),
                ("note", _note(citation)),
                ("related", ",".join(_bib_key(_source_key(s)) for s in citation.sources)),
            ],
        )
    ]
    for s in citation.sources:
        entries.append(
            _bib_entry(
                "article",
                _bib_key(_source_key(s)),
                [
                    ("title", s.title),
                    ("journal", s.outlet),
                    ("year", str(s.published.year) if s.published else None),
                    ("date", format_date(s.published, s.precision)),
                    ("url", s.url),
                ],
            )
        )
    return "\n".join(entries).encode()


# -- RIS -----------------------------------------------------------------------------------


def _ris_entry(fields: list[tuple[str, str | None]]) -> str:
    lines = [f"{tag}  - {' '.join(value.split())}" for tag, value in fields if value]
    return "\r\n".join([*lines, "ER  - "]) + "\r\n"


def _ris_date(day: date | None, precision: str = "day") -> str | None:
    if day is None or precision == "unknown":
        return None
    if precision == "year":
        return f"{day.year:04d}///"
    if precision == "month":
        return f"{day.year:04d}/{day.month:02d}//"
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}/"


def ris(citation: Citation) -> bytes:
    """A ``DATA`` record for the fact, then a ``NEWS`` record for each article it quotes."""
    issued = citation.issued.date()
    records = [
        _ris_entry(
            [
                ("TY", "DATA"),
                ("ID", citation.key),
                ("TI", citation.title),
                ("AU", PUBLISHER),
                ("PB", PUBLISHER),
                ("PY", str(issued.year)),
                ("DA", _ris_date(issued)),
                ("ET", f"revision {citation.version}"),
                ("UR", citation.url),
                ("Y2", _ris_date(citation.accessed)),
                ("N1", _note(citation)),
            ]
        )
    ]
    for s in citation.sources:
        records.append(
            _ris_entry(
                [
                    ("TY", "NEWS"),
                    ("ID", _source_key(s)),
                    ("TI", s.title),
                    ("T2", s.outlet),
                    ("PY", str(s.published.year) if s.published else None),
                    ("DA", _ris_date(s.published, s.precision)),
                    ("UR", s.url),
                ]
            )
        )
    return "".join(records).encode()


WRITERS = {"csl-json": csl_json, "bibtex": bibtex, "ris": ris}
