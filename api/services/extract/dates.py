"""Dates in news text: stated ones, and ones relative to the article's publication date.

``find_dates(text, published)`` gives every date expression in ``text`` with the date it
names at its precision (``"2015-05-21"``, ``"2015-05"``, ``"2015"``), how it was
obtained (``stated``: the text gives it whole; ``inferred``: worked out from the
publication date) and where it stands. Relative expressions need a publication date of
enough precision: "on Thursday" needs the day (it is the Thursday on or before it);
"last year" needs the year. Without one they are left out, never guessed: an undated
article yields only the dates it states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    d: n
    for n, d in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_WEEKDAY = r"(?P<weekday>" + "|".join(WEEKDAYS) + r")"


@dataclass(frozen=True)
class Published:
    """The article's publication date at its precision (day, month, year or unknown)."""

    day: date | None
    precision: str = "unknown"

    @property
    def year(self) -> int | None:
        return self.day.year if self.day and self.precision != "unknown" else None

    @property
    def month(self) -> tuple[int, int] | None:
        if self.day and self.precision in ("day", "month"):
            return self.day.year, self.day.month
        return None

    @property
    def exact(self) -> date | None:
        return self.day if self.precision == "day" else None


@dataclass(frozen=True)
class DateCue:
    """A date expression: ``text[start:end]``, the date it names, its precision and basis."""

    start: int
    end: int
    cue: str
    date: str
    precision: str
    basis: str
    relative: bool  # worked out from the publication date


def _day_text(d: date) -> str:
    return d.isoformat()


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_before(year: int, month: int, back: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) - back
    return index // 12, index % 12 + 1


# Each: a pattern and how its match becomes (date, precision, basis, relative), or None.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)\b"), "iso"),
    (re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I), "mdy"),
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.I), "dmy"),
    (re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b", re.I), "my"),
    (re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!\s*(?:%|percent|per cent))", re.I), "md"),
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b", re.I), "dm"),
    (
        re.compile(rf"\b(?P<rel>last|this|next|past)?\s*{_WEEKDAY}\b", re.I),
        "weekday",
    ),
    (re.compile(r"\b(?P<word>today|yesterday|tomorrow)\b", re.I), "word"),
    (re.compile(r"\b(?P<rel>last|this|next|past)\s+(?P<unit>year|month|week)\b", re.I), "rel"),
    (re.compile(r"\bearlier\s+this\s+(?P<unit>year|month|week)\b", re.I), "earlier"),
    (
        re.compile(
            rf"\b(?P<rel>in|since|by|until|during|last|next|this|from|before|after)\s+{_MONTH}\b",
            re.I,
        ),
        "month",
    ),
    (
        re.compile(rf"(?<![\d.,$€£-]){_YEAR}(?![\d,.]?\d|s\b|\s*(?:%|percent|per cent))"),
        "year",
    ),
]
# A sentence about what is to come: a month or day without its year is the next one.
_FUTURE = re.compile(
    r"\b(will|shall|plans? to|planned|is to|are to|scheduled|is due|are due|expected to|"
    r"upcoming|next|ahead of)\b",
    re.I,
)


def about_future(text: str) -> bool:
    """Whether a sentence speaks of what is to come ("will", "scheduled", "ahead of")."""
    return _FUTURE.search(text) is not None


# Words that make a capitalized month name a different word ("May" the verb, "March" to).
_NOT_MONTH = re.compile(r"^(may|march)$", re.I)


def _resolve(
    kind: str, m: re.Match[str], pub: Published, future: bool = False
) -> tuple[str, str, str, bool] | None:
    g = m.groupdict()
    if kind == "iso":
        y, mo, d = (int(x) for x in g["iso"].split("-"))
        found = _valid(y, mo, d)
        return (_day_text(found), "day", "stated", False) if found else None
    if kind in ("mdy", "dmy"):
        found = _valid(int(g["year"]), MONTHS[g["month"].lower()], int(g["day"]))
        return (_day_text(found), "day", "stated", False) if found else None
    if kind == "my":
        return f"{int(g['year']):04d}-{MONTHS[g['month'].lower()]:02d}", "month", "stated", False
    if kind in ("md", "dm"):
        if pub.year is None:
            return None
        month, day = MONTHS[g["month"].lower()], int(g["day"])
        year = pub.year
        if pub.exact is not None:
            told = (pub.exact.month, pub.exact.day)
            if (month, day) > told and not future:
                year -= 1  # after publication, told in the past: last year's
            elif (month, day) < told and future:
                year += 1  # before publication, told as to come: next year's
        elif pub.month is not None and month > pub.month[1] and not future:
            year -= 1
        found = _valid(year, month, day)
        return (_day_text(found), "day", "inferred", True) if found else None
    if kind == "weekday":
        if pub.exact is None:
            return None
        rel = (g.get("rel") or "").lower()
        back = (pub.exact.weekday() - WEEKDAYS[g["weekday"].lower()]) % 7
        if rel == "next":
            found = pub.exact + timedelta(days=(7 - back) % 7 or 7)
        else:
            if rel in ("last", "past") and back == 0:
                back = 7
            found = pub.exact - timedelta(days=back)
        return _day_text(found), "day", "inferred", True
    if kind == "word":
        if pub.exact is None:
            return None
        shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[g["word"].lower()]
        return _day_text(pub.exact + timedelta(days=shift)), "day", "inferred", True
    if kind in ("rel", "earlier"):
        rel = "this" if kind == "earlier" else g["rel"].lower()
        unit = g["unit"].lower()
        step = {"last": -1, "past": -1, "this": 0, "next": 1}[rel]
        if unit == "year":
            if pub.year is None:
                return None
            return f"{pub.year + step:04d}", "year", "inferred", True
        if pub.month is None:
            return None
        if unit == "week" and step != 0:
            if pub.exact is None:
                return None
            week = pub.exact + timedelta(days=7 * step)
            return f"{week.year:04d}-{week.month:02d}", "month", "inferred", True
        y, mo = _month_before(*pub.month, -step) if unit == "month" else pub.month
        return f"{y:04d}-{mo:02d}", "month", "inferred", True
    if kind == "month":
        if pub.month is None:
            return None
        month = MONTHS[g["month"].lower()]
        rel = g["rel"].lower()
        y, pm = pub.month
        if rel == "next" or (rel in ("until", "by", "in") and future):
            year = y if month > pm else y + 1
        elif rel == "this":
            year = y
        else:
            year = y if month <= pm else y - 1  # the most recent one
            if rel == "last" and month == pm:
                year = y - 1
        return f"{year:04d}-{month:02d}", "month", "inferred", True
    if kind == "year":
        return f"{int(g['year']):04d}", "year", "stated", False
    return None


def find_dates(text: str, pub: Published) -> list[DateCue]:
    """Every date expression in ``text`` that names a date, in order, longest first where
    two overlap ("May 21, 2015" over "May 21" and "2015")."""
    taken: list[tuple[int, int]] = []
    out: list[DateCue] = []
    future = about_future(text)
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.start(), m.end()
            while start < end and text[start].isspace():
                start += 1
            if any(a < end and start < b for a, b in taken):
                continue
            month = m.groupdict().get("month")
            if month and _NOT_MONTH.match(month) and not month[0].isupper():
                continue  # "may", "will march"
            resolved = _resolve(kind, m, pub, future)
            if resolved is None:
                continue
            taken.append((start, end))
            out.append(DateCue(start, end, text[start:end], *resolved))
    return sorted(out, key=lambda c: c.start)
