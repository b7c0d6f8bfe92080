"""Quote verification: offsets, line wraps, typography, and absent quotes."""

from __future__ import annotations

import pytest

from api.services.articles import parse_article
from api.services.evidence import QuoteNotFound, verify_quote
from api.services.text import normalize
from tests.conftest import read_seed


def test_offsets_point_at_the_quote_in_the_body() -> None:
    body = "Alpha beta. Russia offered aid. Gamma."
    match = verify_quote(body, "Russia offered aid.")
    assert body[match.start : match.end] == "Russia offered aid."


def test_quote_spanning_a_hard_line_break_verifies() -> None:
    body = parse_article(read_seed("001_")).body
    quote = "We are expanding cooperation in the area of military technology"
    match = verify_quote(body, quote)
    passage = body[match.start : match.end]
    assert "\n" in passage
    assert normalize(passage) == quote


def test_curly_quotes_and_dashes_match_straight_ones() -> None:
    body = parse_article(read_seed("002_")).body
    quote = '"We need support, training and intelligence-sharing," he told reporters.'
    match = verify_quote(body, quote)
    assert body[match.start] == "\u201c"
    assert normalize(body[match.start : match.end]) == normalize(quote)
    dashed = "Peace \u2014 at last \u2013 came"
    m = verify_quote(dashed, "Peace - at last - came")
    assert (m.start, m.end) == (0, len(dashed))


def test_absent_quote_raises_with_the_closest_passage() -> None:
    body = parse_article(read_seed("000_")).body
    with pytest.raises(QuoteNotFound) as err:
        verify_quote(body, "Russia offered visiting Iraqi Prime Minister Haidar al-Abadi naval aid")
    closest = err.value.closest
    assert closest is not None
    assert closest.start == 0
    assert closest.text.startswith("Russia offered visiting Iraqi Prime Minister Haidar al-Abadi")
    assert 0.8 < closest.similarity < 1.0
    assert "Closest passage" in str(err.value)


def test_empty_quote_is_not_found() -> None:
    with pytest.raises(QuoteNotFound):
        verify_quote("some body", "   \n ")


def test_nearest_occurrence_to_a_hint_wins() -> None:
    body = "aid offered. more text. aid offered."
    assert verify_quote(body, "aid offered").start == 0
    assert verify_quote(body, "aid offered", near=30).start == body.rindex("aid offered")
