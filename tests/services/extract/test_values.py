"""Amounts with scale, unit and qualifier, as exact decimals in base units."""

from __future__ import annotations

import pytest

from api.services.extract.values import find_values, plain


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("trade of nearly $2 billion", ("2000000000", "USD", "approximately")),
        ("about 60 percent of its oil", ("60", "percent", "approximately")),
        ("0.8 million barrels per day", ("800000", "barrels_per_day", "exact")),
        ("above 10 billion U.S. dollars", ("10000000000", "USD", "at_least")),
        ("a $313.1 million contract", ("313100000", "USD", "exact")),
        ("1.2 trillion rupees", ("1200000000000", "INR", "exact")),
        ("up to 30 aircraft", ("30", "aircraft", "at_most")),
        ("500,000 tonnes of wheat", ("500000", "tonnes", "exact")),
        ("worth $5bn", ("5000000000", "USD", "exact")),
        ("EUR 20 million", ("20000000", "EUR", "exact")),
        ("more than €1.5 billion", ("1500000000", "EUR", "at_least")),
        ("some 3,000 troops", ("3000", "troops", "approximately")),
    ],
)
def test_values(text: str, expected: tuple[str, str, str]) -> None:
    (cue,) = find_values(text)
    assert (plain(cue.value), cue.unit, cue.qualifier) == expected
    assert text[cue.start : cue.end] == cue.cue


def test_numbers_without_a_unit_are_not_amounts() -> None:
    assert find_values("In 2015 nearly 100 officials came; a 2-day visit") == []
