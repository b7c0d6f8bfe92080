"""An article's text cut into passages at the quotes that cite it, for highlighting.

Pure: given the stored text and spans (start, end, what cites it) in code points, as
evidence offsets are stored, the text is cut at every span boundary; each passage knows
which spans cover it, so overlapping quotes are shown as they are, and joining the
passages gives back the text exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    ref: Any  # what cites the span (an evidence row, a suggestion)


@dataclass(frozen=True)
class Passage:
    text: str
    start: int
    spans: tuple[Span, ...]  # the spans covering this passage, in the order given

    @property
    def marked(self) -> bool:
        return bool(self.spans)

    def opens(self) -> tuple[Span, ...]:
        """The spans that begin with this passage (where their anchor goes)."""
        return tuple(s for s in self.spans if s.start == self.start)


def valid_spans(text: str, spans: Iterable[Span]) -> list[Span]:
    """The spans that lie inside ``text`` and are not empty (others cannot be shown)."""
    n = len(text)
    return [
        s for s in spans if s.start is not None and s.end is not None and 0 <= s.start < s.end <= n
    ]


def passages(text: str, spans: Sequence[Span]) -> list[Passage]:
    """Cut ``text`` at every boundary of ``spans``; ``"".join(p.text ...) == text``."""
    shown = valid_spans(text, spans)
    cuts = sorted({0, len(text), *(s.start for s in shown), *(s.end for s in shown)})
    out: list[Passage] = []
    for a, b in pairwise(cuts):
        covering = tuple(s for s in shown if s.start <= a and b <= s.end)
        out.append(Passage(text[a:b], a, covering))
    return out
