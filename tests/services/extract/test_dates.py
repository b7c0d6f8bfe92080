"""Dates stated in the text, and dates worked out from the publication date."""

from __future__ import annotations

from datetime import date

import pytest

from api.services.extract.dates import Published, find_dates

THURSDAY = Published(date(2015, 5, 21), "day")  # 21 May 2015 was a Thursday


def _one(text: str, pub: Published = THURSDAY) -> tuple[str, str, str]:
    (cue,) = find_dates(text, pub)
    return cue.date, cue.precision, cue.basis


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia offered aid on Thursday to help", ("2015-05-21", "day", "inferred")),
        ("talks were held on Monday", ("2015-05-18", "day", "inferred")),
        ("they met last Thursday", ("2015-05-14", "day", "inferred")),
        ("they will meet next Tuesday", ("2015-05-26", "day", "inferred")),
        ("said yesterday", ("2015-05-20", "day", "inferred")),
        ("a command centre opened last year", ("2014", "year", "inferred")),
        ("trade grew this year", ("2015", "year", "inferred")),
        ("talks next month", ("2015-06", "month", "inferred")),
        ("fighting this week", ("2015-05", "month", "inferred")),
        ("in October, trade rose", ("2014-10", "month", "inferred")),
        ("they will meet in October", ("2015-10", "month", "inferred")),
        ("signed on May 3", ("2015-05-03", "day", "inferred")),
        ("will be signed on 12 June", ("2015-06-12", "day", "inferred")),
        ("signed on 12 June", ("2014-06-12", "day", "inferred")),
        ("on March 14, 2019 the deal", ("2019-03-14", "day", "stated")),
        ("on 14 March 2019 the deal", ("2019-03-14", "day", "stated")),
        ("in March 2019 the deal", ("2019-03", "month", "stated")),
        ("the 2003 invasion", ("2003", "year", "stated")),
        ("date 2015-05-21 MOSCOW", ("2015-05-21", "day", "stated")),
    ],
)
def test_dates(text: str, expected: tuple[str, str, str]) -> None:
    assert _one(text) == expected


def test_an_undated_article_gets_only_what_it_states() -> None:
    undated = Published(None)
    assert find_dates("aid on Thursday, last year and next month, in October", undated) == []
    assert _one("the centre opened in 2015", undated) == ("2015", "year", "stated")
    month_only = Published(date(2024, 11, 1), "month")
    assert find_dates("on Thursday", month_only) == []  # the day is unknown
    assert _one("last year", month_only) == ("2023", "year", "inferred")


def test_words_that_look_like_months_or_years_are_not_dates() -> None:
    assert find_dates("he may go, and troops march on", THURSDAY) == []
    assert find_dates("a rise of 2015 percent and $2015 million", THURSDAY) == []
    assert find_dates("ties frozen since the 1980s", THURSDAY) == []
