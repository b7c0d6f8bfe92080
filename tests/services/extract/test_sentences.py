"""Sentence spans: offsets into the stored body, across wraps, headers and furniture."""

from __future__ import annotations

from api.services.extract.sentences import sentences
from tests.conftest import FIXTURES


def _body(prefix: str) -> str:
    return next((FIXTURES / "articles").glob(f"{prefix}_*.txt")).read_text()


def test_every_span_is_the_body_s_own_text() -> None:
    for prefix in ("000", "001", "002", "003"):
        body = _body(prefix)
        for s in sentences(body):
            assert body[s.start : s.end] == s.text and s.text == s.text.strip()


def test_hard_wraps_stay_inside_one_sentence_and_the_wire_header_is_left_out() -> None:
    first = sentences(_body("001"))[0]
    assert first.text.startswith("Russia offered visiting Iraqi\nPrime Minister")
    assert first.text.endswith("both Iraq and Syria this week.")


def test_headline_and_furniture_are_spans_of_their_own() -> None:
    spans = sentences(_body("002"))
    assert spans[0].text == "Russia is Making a Huge Effort to Challenge US Influence in Iraq"
    assert spans[1].text == "Reading Time: 2 minutes" and spans[1].furniture
    assert not spans[2].furniture and spans[2].text.startswith("Russia is ready to sell")
    title = sentences(_body("003"))[0].text
    assert title.endswith("regional stability in phone call")


def test_abbreviations_initials_decimals_and_ellipses_do_not_end_a_sentence() -> None:
    body = (
        "Mr. Smith met U.S. officials in Washington on Monday. Trade rose 3.5 percent.\n"
        '"Relations are good ... We will go on," he said. J. Doe agreed.'
    )
    texts = [s.text for s in sentences(body)]
    assert texts == [
        "Mr. Smith met U.S. officials in Washington on Monday.",
        "Trade rose 3.5 percent.",
        '"Relations are good ... We will go on," he said.',
        "J. Doe agreed.",
    ]
