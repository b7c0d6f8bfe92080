"""Quote verification: find a quote in a source body and give its offsets."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .text import normalize_with_map


@dataclass(frozen=True)
class QuoteMatch:
    """Where a quote stands in a body: ``body[start:end]`` normalizes to the quote."""

    start: int
    end: int


@dataclass(frozen=True)
class ClosestPassage:
    """The passage of the body most like a quote that was not found."""

    start: int
    end: int
    text: str
    similarity: float


class QuoteNotFound(ValueError):
    """The quote does not occur in the body; ``closest`` shows the nearest passage."""

    def __init__(self, quote: str, closest: ClosestPassage | None) -> None:
        self.quote = quote
        self.closest = closest
        msg = "Quote not found in the source."
        if closest is not None:
            msg += (
                f" Closest passage (similarity {closest.similarity:.2f}) at "
                f'{closest.start}-{closest.end}: "{closest.text}"'
            )
        super().__init__(msg)


def verify_quote(body: str, quote: str, near: int | None = None) -> QuoteMatch:
    """Locate ``quote`` in ``body`` modulo typography and whitespace.

    Among several occurrences the one nearest ``near`` (a hinted start offset) wins,
    else the first. Raise QuoteNotFound (with the closest passage) when absent.
    """
    nbody, positions = normalize_with_map(body)
    nquote, _ = normalize_with_map(quote)
    if not nquote:
        raise QuoteNotFound(quote, None)
    hits = []
    idx = nbody.find(nquote)
    while idx >= 0:
        hits.append(idx)
        idx = nbody.find(nquote, idx + 1)
    if not hits:
        raise QuoteNotFound(quote, closest_passage(body, quote))
    best = hits[0] if near is None else min(hits, key=lambda h: abs(positions[h] - near))
    return QuoteMatch(positions[best], positions[best + len(nquote) - 1] + 1)


def closest_passage(body: str, quote: str) -> ClosestPassage | None:
    """Return the body passage, aligned on words, most similar to ``quote``."""
    nbody, positions = normalize_with_map(body)
    nquote, _ = normalize_with_map(quote)
    if not nbody or not nquote:
        return None
    starts = [0] + [i + 1 for i, ch in enumerate(nbody) if ch == " "]
    width = len(nquote)
    best: tuple[float, int, int] = (-1.0, 0, 0)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(nquote)
    for s in starts:
        window = nbody[s : s + width]
        matcher.set_seq1(window)
        if matcher.real_quick_ratio() <= best[0] or matcher.quick_ratio() <= best[0]:
            continue
        ratio = matcher.ratio()
        if ratio > best[0]:
            best = (ratio, s, min(s + width, len(nbody)))
    ratio, s, e = best
    start, end = positions[s], positions[e - 1] + 1
    return ClosestPassage(start, end, body[start:end], round(ratio, 3))
