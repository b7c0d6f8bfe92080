"""Reading each seed layout (no database)."""

from __future__ import annotations

from datetime import date

from api.services.articles import parse_article
from tests.conftest import read_seed


def test_plain_layout_has_no_title_and_keeps_every_paragraph() -> None:
    parsed = parse_article(read_seed("000_"))
    assert parsed.title is None
    assert parsed.published is None
    assert parsed.authors == []
    assert parsed.body.startswith("Russia offered visiting Iraqi Prime Minister")
    assert parsed.body.endswith("OPEC policy-making meeting in Vienna next month.")
    assert parsed.layout == "plain"


def test_wire_layout_gives_date_dateline_and_credited_people() -> None:
    parsed = parse_article(read_seed("001_"))
    assert parsed.published == date(2015, 5, 21)
    assert parsed.dateline == "MOSCOW May 21"
    assert parsed.authors == [
        {"name": "Denis Dyomkin", "credit": "reporting"},
        {"name": "Gareth Jones", "credit": "writing"},
        {"name": "Andrew Heavens", "credit": "editing"},
    ]
    assert parsed.title is None
    assert parsed.body.startswith("Russia offered visiting Iraqi\nPrime Minister")
    assert "Reporting by" not in parsed.body and "date 2015" not in parsed.body
    assert "hard_wrapped" in parsed.layout


def test_web_layout_takes_the_title_and_drops_page_furniture() -> None:
    parsed = parse_article(read_seed("002_"))
    assert parsed.title == "Russia is Making a Huge Effort to Challenge US Influence in Iraq"
    assert "Reading Time" not in parsed.body
    assert parsed.body.startswith("Russia is ready to sell civil airliners to Iraq")
    assert "\u201cWe need support, training and intelligence-sharing,\u201d" in parsed.body


def test_trailing_byline_becomes_the_author() -> None:
    parsed = parse_article(read_seed("003_"))
    assert parsed.title == (
        "Putin, Iraqi PM discuss multifaceted cooperation, regional stability in phone call"
    )
    assert parsed.authors == [{"name": "Khagan Isayev", "credit": "byline"}]
    assert not parsed.body.rstrip().endswith("Isayev")
    assert parsed.body.endswith("against the Palestinian Territories.")


def test_agency_dateline_gives_outlet_and_dateline() -> None:
    parsed = parse_article("BAGHDAD (Reuters) - Iraq and Russia signed a deal.\nMore text here.")
    assert parsed.outlet == "Reuters"
    assert parsed.dateline == "BAGHDAD"
    assert parsed.body.startswith("Iraq and Russia signed a deal.")


def test_a_single_line_is_body_not_title() -> None:
    parsed = parse_article("Russia and Iraq held talks")
    assert parsed.title is None
    assert parsed.body == "Russia and Iraq held talks"
