"""Read an article in any of the known layouts into metadata and a body.

Layouts seen so far: plain paragraphs; wire copy (a `` date YYYY-MM-DD CITY Mon D ``
header, hard line wraps, a ``(Reporting by …; Editing by …)`` credits line); web
pages (a title line, page furniture such as ``Reading Time: 2 minutes``); and a
trailing ``By Name`` byline. ``body`` keeps the article's own line breaks, so evidence
offsets can be checked against the text as received.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import date
from typing import Any

_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_WIRE_HEADER = re.compile(
    r"\A\s*date\s+(?P<date>\d{4}-\d{2}-\d{2})\s+"
    rf"(?P<dateline>[A-Z][A-Z.'\- ]*?[A-Z]\.?(?:,\s*[A-Za-z .]+?)?\s+{_MONTHS}\s+\d{{1,2}})\s+"
)
_AGENCY_DATELINE = re.compile(
    r"\A(?P<dateline>[A-Z][A-Z.'\- ]*[A-Z](?:,\s*[A-Za-z .]+?)?)\s+"
    r"\((?P<outlet>Reuters|AFP|AP|TASS|Bloomberg|Xinhua)\)\s+[-\u2013\u2014]+\s+"
)
_CREDITS = re.compile(
    r"\(\s*(?P<credits>(?:Reporting|Writing|Editing|Additional reporting)\b[^()]*)\)\s*\Z",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^\s*By\s+(?P<name>[A-Z][\w.'\-]*(?:\s+[A-Z][\w.'\-]*){0,3})\s*$")
_FURNITURE = re.compile(
    r"^\s*(?:Reading Time:\s*\d+\s*min(?:ute)?s?|\d+\s*min(?:ute)?s? read|Advertisement"
    r"|Share this article|Click here to subscribe)\s*$",
    re.IGNORECASE,
)
_SENTENCE_END = (".", "!", "?", '"', "'", "\u201d", "\u2019", ")", ":")


@dataclass
class ParsedArticle:
    """What the text of an article tells about itself."""

    body: str
    title: str | None = None
    published: date | None = None
    dateline: str | None = None
    outlet: str | None = None
    authors: list[dict[str, Any]] = field(default_factory=list)
    layout: str = "plain"


def _is_hard_wrapped(lines: list[str]) -> bool:
    lengths = [len(line) for line in lines if line.strip()]
    if len(lengths) < 5:
        return False
    return max(lengths) <= 100 and 30 <= statistics.median(lengths) <= 80


def _credit_people(credits: str) -> list[dict[str, Any]]:
    """Split ``Reporting by A and B; Editing by C`` into named credits."""
    people: list[dict[str, Any]] = []
    for part in re.split(r";", " ".join(credits.split())):
        m = re.match(r"\s*(?P<what>[A-Za-z ]+?)\s+by\s+(?P<names>.+)", part)
        if not m:
            continue
        credit = m["what"].strip().lower().replace(" ", "_")
        for name in re.split(r",\s*|\s+and\s+", m["names"].strip()):
            if name.strip():
                people.append({"name": name.strip(), "credit": credit})
    return people


def _valid_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def parse_article(text: str) -> ParsedArticle:
    """Split an article's text into its metadata and the body that evidence refers to."""
    text = text.lstrip("\ufeff")
    parsed = ParsedArticle(body="")
    layouts: list[str] = []

    m = _WIRE_HEADER.match(text)
    if m and not _valid_day(m["date"]):
        m = None  # "date 2015-13-45" is not a wire header
    if m:
        parsed.published = date.fromisoformat(m["date"])
        parsed.dateline = " ".join(m["dateline"].split())[:200]
        text = text[m.end() :]
        layouts.append("wire")
    elif (m := _AGENCY_DATELINE.match(text)) and len(m["dateline"]) <= 200:
        parsed.dateline = " ".join(m["dateline"].split())
        parsed.outlet = m["outlet"]
        text = text[m.end() :]
        layouts.append("agency")

    if m := _CREDITS.search(text):
        parsed.authors.extend(_credit_people(m["credits"]))
        text = text[: m.start()]
        layouts.append("credits")

    lines = text.splitlines(keepends=True)
    kept = [line for line in lines if not _FURNITURE.match(line)]
    if len(kept) != len(lines):
        layouts.append("furniture")
    lines = kept

    # A trailing byline.
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and (m := _BYLINE.match(lines[-1])):
        parsed.authors.append({"name": m["name"], "credit": "byline"})
        lines.pop()
        layouts.append("byline")

    # A title line: short, not a sentence, followed by more text; in hard-wrapped
    # copy only when a blank line sets it apart.
    while lines and not lines[0].strip():
        lines.pop(0)
    if len(lines) > 1 and "wire" not in layouts:
        first = lines[0].strip()
        blank_after = not lines[1].strip()
        looks_like_title = len(first) <= 200 and not first.endswith(_SENTENCE_END)
        if looks_like_title and (blank_after or not _is_hard_wrapped(lines)):
            parsed.title = first
            lines.pop(0)
            layouts.append("title")
            while lines and (m := _BYLINE.match(lines[0])):
                parsed.authors.append({"name": m["name"], "credit": "byline"})
                lines.pop(0)

    parsed.body = "".join(lines).strip()
    if _is_hard_wrapped(parsed.body.splitlines()):
        layouts.append("hard_wrapped")
    parsed.layout = "+".join(layouts) or "plain"
    return parsed
