"""Event codes of fact types: complete, valid against the PLOVER and CAMEO tables, and right."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from marshmallow import fields, validate

from api.event_codes import (
    CAMEO_CODES,
    CAMEO_ROOT_TO_PLOVER,
    CAMEO_ROOTS,
    PLOVER_CONTEXTS,
    PLOVER_EVENTS,
    PLOVER_MODES,
    REFINING_ATTRIBUTE,
    TYPE_CODES,
    EventCodes,
    codes_for,
)
from api.vocabulary import FACT_TYPES

# PLOVER 0.8, chapter "Event Categories".
PLOVER_0_8 = {
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "DEMAND",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
}  # fmt: skip


def _choices(field: fields.Field[Any]) -> list[Any] | None:
    """The values a field allows: its OneOf choices, both booleans, or None (free text)."""
    for v in field.validators:
        if isinstance(v, validate.OneOf):
            return list(v.choices)
    if isinstance(field, fields.Boolean):
        return [True, False]
    return None


def _attribute_sets(fact_type: str) -> list[dict[str, Any]]:
    """Every combination of the enumerated attribute values of a type (and each one absent)."""
    declared = FACT_TYPES[fact_type].attributes._declared_fields
    options = {name: c for name, f in declared.items() if (c := _choices(f)) is not None}
    names = list(options)
    values = [[*options[n], None] for n in names]
    return [
        {n: v for n, v in zip(names, combo, strict=True) if v is not None}
        for combo in itertools.product(*values)
    ]


ALL_CASES = [(t, attrs) for t in FACT_TYPES for attrs in _attribute_sets(t)]
USED = [*TYPE_CODES.values(), *(codes_for(t, a) for t, a in ALL_CASES)]


def _assert_valid(c: EventCodes) -> None:
    assert c.note.strip(), c
    if c.plover is None:
        assert c.plover_mode is None and c.plover_context is None, c
    else:
        assert c.plover in PLOVER_EVENTS, c
        assert c.plover_mode is None or c.plover_mode in PLOVER_MODES[c.plover], c
        assert c.plover_context is None or c.plover_context in PLOVER_CONTEXTS, c
    if c.cameo is None:
        assert c.cameo_root is None and c.plover is None, c
    else:
        assert c.cameo in CAMEO_CODES or c.cameo in CAMEO_ROOTS, c
        assert c.cameo_root in CAMEO_ROOTS and c.cameo.startswith(c.cameo_root), c
        # The PLOVER category is the manual's equivalent of the CAMEO cue category.
        assert c.plover == CAMEO_ROOT_TO_PLOVER[c.cameo_root], c


def test_every_fact_type_has_codes() -> None:
    assert set(TYPE_CODES) == set(FACT_TYPES)
    assert set(REFINING_ATTRIBUTE) <= set(FACT_TYPES)
    for fact_type, attr in REFINING_ATTRIBUTE.items():
        assert attr in FACT_TYPES[fact_type].attributes._declared_fields, (fact_type, attr)


def test_the_tables_are_the_specs() -> None:
    assert set(PLOVER_EVENTS) == PLOVER_0_8 and all(PLOVER_EVENTS.values())
    assert set(PLOVER_MODES) == set(PLOVER_EVENTS)
    assert PLOVER_MODES["CONSULT"] == ("visit", "third-party", "multilateral", "phone")
    assert PLOVER_MODES["AGREE"] == PLOVER_MODES["AID"] == PLOVER_MODES["COOPERATE"] == ()
    assert "disapprove" in PLOVER_MODES["ACCUSE"]
    assert list(CAMEO_ROOTS) == [f"{i:02d}" for i in range(1, 21)]
    assert all(CAMEO_ROOTS.values()) and all(CAMEO_CODES.values())
    assert set(CAMEO_ROOT_TO_PLOVER) == set(CAMEO_ROOTS) - {"08"}
    assert {p for p in CAMEO_ROOT_TO_PLOVER.values() if p} <= set(PLOVER_EVENTS)
    for code in CAMEO_CODES:
        assert code[:2] in CAMEO_ROOTS and len(code) in (3, 4), code


def test_defaults_are_valid() -> None:
    for fact_type, c in TYPE_CODES.items():
        _assert_valid(c)
        assert codes_for(fact_type, {}) == c
        assert codes_for(fact_type, None) == c


@pytest.mark.parametrize(("fact_type", "attributes"), ALL_CASES)
def test_every_refinement_is_valid(fact_type: str, attributes: dict[str, Any]) -> None:
    c = codes_for(fact_type, attributes)
    _assert_valid(c)
    assert codes_for(fact_type, attributes) is c  # deterministic


def test_every_value_of_the_deciding_attribute_is_mapped() -> None:
    """A required deciding attribute leaves no allowed value on an unmapped default."""
    for fact_type, attr in REFINING_ATTRIBUTE.items():
        field = FACT_TYPES[fact_type].attributes._declared_fields[attr]
        for value in _choices(field) or []:
            c = codes_for(fact_type, {attr: value})
            if field.required and TYPE_CODES[fact_type].cameo is None:
                assert c.cameo is not None, (fact_type, value)


def test_every_listed_cameo_code_is_used() -> None:
    used = {c.cameo for c in USED if c.cameo}
    assert set(CAMEO_CODES) == used - set(CAMEO_ROOTS)


@pytest.mark.parametrize(
    ("fact_type", "attributes", "expected"),
    [
        ("phone_call", {}, ("CONSULT", "phone", "041", "04")),
        ("phone_call", {"topics": ["oil"]}, ("CONSULT", "phone", "041", "04")),
        ("diplomatic_visit", {"level": "minister"}, ("CONSULT", "visit", "042", "04")),
        ("aid_offer", {"aid_kind": "economic"}, ("AGREE", None, "0331", "03")),
        ("aid_offer", {"aid_kind": "military"}, ("AGREE", None, "0332", "03")),
        ("aid_offer", {"aid_kind": "humanitarian"}, ("AGREE", None, "0333", "03")),
        ("aid_offer", {"aid_kind": "other"}, ("AGREE", None, "033", "03")),
        ("arms_transfer", {"item": "S-400", "stage": "offered"}, ("AGREE", None, "0332", "03")),
        ("arms_transfer", {"item": "S-400", "stage": "agreed"}, ("AGREE", None, "0332", "03")),
        ("arms_transfer", {"item": "S-400", "stage": "delivered"}, ("AID", None, "072", "07")),
        ("arms_transfer", {"item": "S-400", "stage": "ongoing"}, ("AID", None, "072", "07")),
        ("military_cooperation", {"area": "operations"}, ("COOPERATE", None, "062", "06")),
        ("energy_cooperation", {"sector": "nuclear"}, ("COOPERATE", None, "061", "06")),
        ("intelligence_sharing", {}, ("COOPERATE", None, "064", "06")),
        ("agreement", {"agreement_kind": "treaty", "signed": True}, ("SUPPORT", None, "057", "05")),
        ("agreement", {"agreement_kind": "treaty", "signed": False}, ("AGREE", None, "030", "03")),
        ("agreement", {"agreement_kind": "treaty"}, ("AGREE", None, "030", "03")),
        (
            "opec_coordination",
            {"framework": "OPEC+", "form": "consultation"},
            ("CONSULT", None, "040", "04"),
        ),
        (
            "opec_coordination",
            {"framework": "OPEC", "form": "meeting"},
            ("CONSULT", "multilateral", "040", "04"),
        ),
        (
            "opec_coordination",
            {"framework": "OPEC+", "form": "agreement"},
            ("AGREE", None, "0311", "03"),
        ),
        (
            "opec_coordination",
            {"framework": "OPEC", "form": "statement"},
            (None, None, "010", "01"),
        ),
        ("statement", {"kind": "praise"}, ("SUPPORT", None, "051", "05")),
        ("statement", {"kind": "criticism"}, ("ACCUSE", "disapprove", "111", "11")),
        ("statement", {"kind": "pledge"}, ("AGREE", None, "030", "03")),
        ("statement", {"kind": "offer"}, ("AGREE", None, "030", "03")),
        ("statement", {"kind": "position"}, (None, None, "010", "01")),
        ("statement", {"kind": "other"}, (None, None, "010", "01")),
        ("trade_volume", {"flow": "total"}, (None, None, None, None)),
    ],
)
def test_codes_checked_against_the_spec(
    fact_type: str, attributes: dict[str, Any], expected: tuple[str | None, ...]
) -> None:
    c = codes_for(fact_type, attributes)
    assert (c.plover, c.plover_mode, c.cameo, c.cameo_root) == expected


def test_contexts_follow_the_crosswalk() -> None:
    assert codes_for("aid_offer", {"aid_kind": "military"}).plover_context == "military"
    assert codes_for("arms_transfer", {"stage": "delivered"}).plover_context == "military"
    assert codes_for("military_cooperation", {"area": "training"}).plover_context == "military"
    assert codes_for("intelligence_sharing", {}).plover_context == "intelligence"
    assert codes_for("energy_cooperation", {"sector": "oil"}).plover_context == "economic"


def test_unmapped_types_say_why() -> None:
    for flow in ("total", "subject_exports", "subject_imports"):
        c = codes_for("trade_volume", {"flow": flow})
        assert c.plover is None and c.cameo is None and "not an event" in c.note


@pytest.mark.parametrize(
    ("fact_type", "attributes"),
    [
        ("aid_offer", {"aid_kind": "space"}),
        ("aid_offer", {"aid_kind": None}),
        ("aid_offer", {"aid_kind": ["military"]}),
        ("aid_offer", {"aid_kind": 1}),
        ("agreement", {"signed": 1}),
        ("agreement", {"signed": "true"}),
        ("arms_transfer", {"stage": "rumoured"}),
        ("opec_coordination", {"form": {"x": 1}}),
        ("statement", {"kind": "PRAISE"}),
        ("statement", "praise"),
    ],
)
def test_unknown_values_fall_back_to_the_default(fact_type: str, attributes: Any) -> None:
    assert codes_for(fact_type, attributes) == TYPE_CODES[fact_type]


def test_unknown_fact_type_is_an_error() -> None:
    with pytest.raises(KeyError):
        codes_for("alliance", {})
