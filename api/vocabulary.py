"""The fact-type vocabulary: definitions and each type's attribute schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

FACT_STATUSES = ("draft", "published", "retracted")
VALUE_QUALIFIERS = ("exact", "approximately", "at_least", "at_most")
# A curator's rank of a fact among those that report the same thing (as Wikidata ranks
# statements): the preferred one is what aggregates use; deprecated ones are left out of them.
FACT_RANKS = ("preferred", "normal", "deprecated")
# Typed, directed links between two facts: (relation, what "A relation B" means).
LINK_RELATIONS: dict[str, str] = {
    "fulfils": "A is the delivery or outcome of B (an offer, pledge or agreement); A is not "
    "dated before B",
    "follows_up": "A is a later step of what B started (a promise renewed, a talk continued)",
    "supersedes": "A replaces B (a newer figure for an older estimate); never in a cycle",
    "contradicts": "A and B cannot both be right",
    "same_event": "A and B report one event (a call, a visit) in independent sources",
    "part_of": "A happened within B (an MoU signed at a joint-commission meeting)",
}


def _one_of(*choices: str) -> validate.OneOf:
    return validate.OneOf(choices)


class _Attributes(Schema):
    class Meta:
        unknown = RAISE


class TradeVolumeAttributes(_Attributes):
    flow = fields.String(
        required=True, validate=_one_of("total", "subject_exports", "subject_imports")
    )
    composition = fields.String()


class AidOfferAttributes(_Attributes):
    aid_kind = fields.String(
        required=True, validate=_one_of("military", "economic", "humanitarian", "other")
    )
    form = fields.String()


class MilitaryCooperationAttributes(_Attributes):
    area = fields.String(
        required=True,
        validate=_one_of(
            "training", "equipment", "technology", "advisory", "operations", "general"
        ),
    )


class ArmsTransferAttributes(_Attributes):
    item = fields.String(required=True, validate=validate.Length(min=1))
    stage = fields.String(
        required=True, validate=_one_of("offered", "agreed", "delivered", "ongoing")
    )


class EnergyCooperationAttributes(_Attributes):
    sector = fields.String(
        required=True,
        validate=_one_of("oil", "gas", "oil_and_gas", "electricity", "nuclear", "general"),
    )
    form = fields.String()


class OpecCoordinationAttributes(_Attributes):
    framework = fields.String(required=True, validate=_one_of("OPEC", "OPEC+"))
    form = fields.String(
        required=True, validate=_one_of("consultation", "meeting", "agreement", "statement")
    )


class DiplomaticVisitAttributes(_Attributes):
    host_city = fields.String()
    level = fields.String(
        required=True,
        validate=_one_of(
            "head_of_state", "head_of_government", "minister", "delegation", "official"
        ),
    )


class PhoneCallAttributes(_Attributes):
    topics = fields.List(fields.String())


class AgreementAttributes(_Attributes):
    agreement_kind = fields.String(
        required=True, validate=_one_of("memorandum", "treaty", "contract", "framework", "other")
    )
    title = fields.String()
    signed = fields.Boolean()


class IntelligenceSharingAttributes(_Attributes):
    mechanism = fields.String()
    location = fields.String()


class StatementAttributes(_Attributes):
    kind = fields.String(
        required=True,
        validate=_one_of("pledge", "offer", "position", "praise", "criticism", "other"),
    )
    topic = fields.String()


@dataclass(frozen=True)
class FactType:
    """A fact type: its name, what it means, which way it points, its attributes."""

    name: str
    definition: str
    direction: str
    attributes: type[Schema]


FACT_TYPES: dict[str, FactType] = {
    t.name: t
    for t in (
        FactType(
            "trade_volume",
            "The value of trade between the two parties over a period.",
            "subject and counterpart are the two trading parties; attributes.flow says whether "
            "the value is total trade or one direction, seen from the subject",
            TradeVolumeAttributes,
        ),
        FactType(
            "aid_offer",
            "An offer or pledge of aid (military, economic, humanitarian).",
            "subject offers, counterpart receives",
            AidOfferAttributes,
        ),
        FactType(
            "military_cooperation",
            "Cooperation between armed forces or in military technology.",
            "subject is the party the source presents as acting or providing",
            MilitaryCooperationAttributes,
        ),
        FactType(
            "arms_transfer",
            "A supply of weapons or military equipment, offered, agreed or delivered.",
            "subject supplies, counterpart receives",
            ArmsTransferAttributes,
        ),
        FactType(
            "energy_cooperation",
            "Cooperation or investment in oil, gas, electricity or other energy.",
            "subject invests or provides, counterpart hosts or receives",
            EnergyCooperationAttributes,
        ),
        FactType(
            "opec_coordination",
            "Coordination of oil policy within or with OPEC or OPEC+.",
            "subject and counterpart coordinate; counterpart may be the organization itself",
            OpecCoordinationAttributes,
        ),
        FactType(
            "diplomatic_visit",
            "An official visit by a leader, minister or delegation.",
            "subject visits, counterpart hosts",
            DiplomaticVisitAttributes,
        ),
        FactType(
            "phone_call",
            "A telephone conversation between officials of the two parties.",
            "subject is the party that initiated the call when known, else the first named",
            PhoneCallAttributes,
        ),
        FactType(
            "agreement",
            "A signed or announced agreement, treaty, contract or memorandum.",
            "subject and counterpart are the signatories",
            AgreementAttributes,
        ),
        FactType(
            "intelligence_sharing",
            "Sharing of intelligence, including joint centres.",
            "subject provides or hosts, counterpart receives; further members in other_parties",
            IntelligenceSharingAttributes,
        ),
        FactType(
            "statement",
            "A public statement by one party about the other: a pledge, offer, position or praise.",
            "subject speaks, counterpart is spoken about or to",
            StatementAttributes,
        ),
    )
}


def validate_attributes(fact_type: str, attributes: dict[str, Any]) -> dict[str, Any]:
    """Return the attributes checked against the type's schema, or raise ValidationError."""
    try:
        spec = FACT_TYPES[fact_type]
    except KeyError:
        raise ValidationError({"type": [f"Unknown fact type {fact_type!r}."]}) from None
    try:
        loaded: dict[str, Any] = spec.attributes().load(attributes or {})
    except ValidationError as err:
        raise ValidationError({"attributes": err.messages}) from err
    return loaded


def attribute_fields(fact_type: str) -> list[dict[str, Any]]:
    """A type's attributes for people: name, whether required, the allowed values (if any)."""
    out = []
    for name, field in FACT_TYPES[fact_type].attributes().fields.items():
        choices = [
            list(v.choices)
            for v in getattr(field, "validators", [])
            if isinstance(v, validate.OneOf)
        ]
        out.append(
            {"name": name, "required": field.required, "choices": choices[0] if choices else None}
        )
    return out
