"""Types (and their required attributes) from the words of a sentence."""

from __future__ import annotations

from typing import Any

import pytest

from api.services.extract.types import find_types
from api.vocabulary import validate_attributes


@pytest.mark.parametrize(
    ("sentence", "kind", "attributes"),
    [
        (
            "Russia offered visiting Iraqi Prime Minister Haidar al-Abadi military and other aid",
            "aid_offer",
            {"aid_kind": "military"},
        ),
        ("Bilateral trade reached nearly $2 billion last year.", "trade_volume", {"flow": "total"}),
        (
            "India's exports to Russia rose to $4 billion.",
            "trade_volume",
            {"flow": "subject_exports"},
        ),
        (
            "Moscow will deliver S-400 air defence systems to Ankara next year.",
            "arms_transfer",
            {"stage": "offered"},
        ),
        (
            "The two armies held joint military exercises near the border.",
            "military_cooperation",
            {"area": "operations"},
        ),
        (
            "Training of Ukrainian crews will begin quickly in Germany.",
            "military_cooperation",
            {"area": "training"},
        ),
        (
            "Lukoil will invest $1 billion in the West Qurna oilfield.",
            "energy_cooperation",
            {"sector": "oil"},
        ),
        (
            "The OPEC+ group agreed to cut output by 2 million barrels per day.",
            "opec_coordination",
            {"framework": "OPEC+", "form": "agreement"},
        ),
        (
            "Prime Minister Modi arrived in Moscow on Monday for a two-day visit.",
            "diplomatic_visit",
            {"level": "head_of_government"},
        ),
        ("Putin and Erdogan held a telephone conversation on Tuesday.", "phone_call", {}),
        (
            "The ministers signed a memorandum of understanding on energy.",
            "agreement",
            {"agreement_kind": "memorandum", "signed": True},
        ),
        ("The two countries agreed to step up intelligence-sharing.", "intelligence_sharing", {}),
        (
            "Putin praised Iraq as an old and reliable partner, he said.",
            "statement",
            {"kind": "praise"},
        ),
    ],
)
def test_types(sentence: str, kind: str, attributes: dict[str, Any]) -> None:
    found = {c.type: c for c in find_types(sentence)}
    assert kind in found, [c.type for c in find_types(sentence)]
    cue = found[kind]
    assert sentence[cue.start : cue.end] == cue.cue
    assert attributes.items() <= cue.attributes.items()
    validate_attributes(kind, cue.attributes)  # every required attribute, allowed values


def test_a_sentence_with_no_trigger_has_no_type() -> None:
    assert find_types("The weather in the capital was mild for the season.") == []
