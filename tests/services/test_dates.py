"""Dates of reduced precision."""

from __future__ import annotations

from datetime import date

import pytest

from api.dates import parse_date, parse_date_with_precision


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2015", date(2015, 1, 1), date(2015, 12, 31), "year"),
        ("2016-02", date(2016, 2, 1), date(2016, 2, 29), "month"),
        ("2015-05-21", date(2015, 5, 21), date(2015, 5, 21), "day"),
        (None, None, None, "unknown"),
    ],
)
def test_date_spans(text: str | None, start: date, end: date, precision: str) -> None:
    span = parse_date(text)
    assert (span.start, span.end, span.precision, span.text) == (start, end, precision, text)


@pytest.mark.parametrize("bad", ["2015-13", "2015-02-30", "15-05", "2015/05/21", "May 2015"])
def test_bad_dates_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_date(bad)


def test_precision_must_match_the_written_date() -> None:
    assert parse_date_with_precision("2015-05", "month").precision == "month"
    with pytest.raises(ValueError, match="precision 'month', not 'day'"):
        parse_date_with_precision("2015-05", "day")
