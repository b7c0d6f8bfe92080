"""Dates of reduced precision (``2015``, ``2015-05``, ``2015-05-21``) as intervals."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class DateSpan:
    """A date known to a day, month or year, as the first and last day it may be."""

    start: date | None
    end: date | None
    precision: str

    @property
    def text(self) -> str | None:
        """The date written at its precision (``2015-05``), or None when unknown."""
        return format_date(self.start, self.precision)


UNKNOWN = DateSpan(None, None, "unknown")


def parse_date(value: str | None) -> DateSpan:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (None: unknown); raise ValueError."""
    if value is None or value == "":
        return UNKNOWN
    m = _PATTERN.match(value.strip())
    if not m:
        raise ValueError(f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m[1]), m[2], m[3]
    if year < 1:
        raise ValueError(f"{value!r}: year out of range")
    if month is None:
        return DateSpan(date(year, 1, 1), date(year, 12, 31), "year")
    if not 1 <= int(month) <= 12:
        raise ValueError(f"{value!r}: month out of range")
    if day is None:
        last = calendar.monthrange(year, int(month))[1]
        return DateSpan(date(year, int(month), 1), date(year, int(month), last), "month")
    try:
        d = date(year, int(month), int(day))
    except ValueError as err:
        raise ValueError(f"{value!r}: {err}") from None
    return DateSpan(d, d, "day")


def parse_date_with_precision(value: str | None, precision: str | None) -> DateSpan:
    """Parse a date and check it is written at the stated precision."""
    span = parse_date(value)
    if precision is not None and precision != span.precision:
        raise ValueError(f"date {value!r} is of precision {span.precision!r}, not {precision!r}")
    return span


def format_date(start: date | None, precision: str) -> str | None:
    """Write the start of a span at its precision."""
    if start is None or precision == "unknown":
        return None
    if precision == "year":
        return f"{start.year:04d}"
    if precision == "month":
        return f"{start.year:04d}-{start.month:02d}"
    return start.isoformat()
