"""Parties from names, demonyms, capitals, seats and state entities (fixtures/party_cues.yaml)."""

from __future__ import annotations

import pytest
import yaml

from api.services.extract.parties import TABLE, find_parties


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Russia offered visiting Iraqi Prime Minister aid", ["RUS", "IRQ"]),
        ("Moscow and Baghdad agreed; the Kremlin said", ["RUS", "IRQ", "RUS"]),
        ("Lukoil, Rosneft and Gazprom Neft, TASS reported", ["RUS"] * 4),
        ("OPEC+ and OPEC met, but non-OPEC producers did not", ["OPEC+", "OPEC"]),
        ("The U.S.-led coalition and the UAE", ["USA", "ARE"]),
        ("Saudi Aramco and Saudi Arabia", ["SAU", "SAU"]),
        ("Nigeria and Niger", ["NGA", "NER"]),
        ("Iraq\u2019s oil minister", ["IRQ"]),
        ("South Korea, not Korea", ["KOR"]),
        ("a turkey dinner in Chadwick", []),
    ],
)
def test_mentions(text: str, codes: list[str]) -> None:
    found = find_parties(text)
    assert [m.code for m in found] == codes
    assert all(text[m.start : m.end] == m.cue for m in found)


def test_the_table_names_each_form_once_and_covers_the_world() -> None:
    data = yaml.safe_load(TABLE.read_text())
    seen: dict[str, str] = {}
    for code, entry in data["countries"].items():
        for kind in ("names", "demonyms", "capitals", "seats", "entities"):
            for form in entry.get(kind) or []:
                assert seen.setdefault(form, code) == code, form
    assert len(data["countries"]) >= 190
