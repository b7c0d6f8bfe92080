"""Each fact type's PLOVER event category and CAMEO event code, refined by its attributes.

Sources (see docs/event-codes.md for the table, the reasoning and the caveats):

- PLOVER: the PLOVER manual, draft 0.8 (openeventdata/PLOVER, ``PLOVER_MANUAL.tex``):
  the event categories and their mode tables (chapter "Event Categories"), the general
  contexts (table "General contexts") and the table "PLOVER equivalents to CAMEO cue
  categories"; with ``CAMEO2PLOVER-2021.txt`` (the CAMEO to PLOVER conversion table for
  that draft), which gives each CAMEO code's PLOVER category, mode and context.
- CAMEO: the CAMEO Event and Actor Codebook 1.1b3 (Schrodt et al., 2012): each code's name,
  description and usage notes.

A fact is coded as the event a source reports. PLOVER keeps only CAMEO's 2-digit cue
categories; the finer detail goes to a ``mode`` (only where the manual defines modes for the
category) and a ``context``. PLOVER has no separate category for intents: every CAMEO 03
"express intent" code becomes AGREE. It drops CAMEO 01 (statements) and 02 (appeals), so
those have a CAMEO code but no PLOVER category. A fact that is not an event (a measured
quantity) gets no code at all. ``codes_for`` refines a type's default by the attribute that
decides the code, and falls back to the default for any value it does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PLOVER_VERSION = "0.8"
CAMEO_VERSION = "1.1b3"

# PLOVER 0.8, chapter "Event Categories": the 16 categories, each with its definition, shortened.
PLOVER_EVENTS: dict[str, str] = {
    "AGREE": "Agree to, offer, promise or otherwise indicate willingness or commitment to "
    "cooperate, including promises to sign or ratify agreements.",
    "CONSULT": "All consultations and meetings: visiting and hosting visits, meeting at a "
    "neutral location, consultation by phone or other media.",
    "SUPPORT": "Diplomatic, non-material cooperation: express support for or commend a "
    "policy, action or actor; ratify, sign or finalize an agreement or treaty.",
    "CONCEDE": "Verbal concessions with no immediate material consequences, including "
    "promises of future concessions.",
    "COOPERATE": "Initiate, resume, improve or expand mutual material cooperation or "
    "exchange: economic, military, judicial, intelligence.",
    "AID": "Provide material aid whose benefits accrue primarily to the recipient: "
    "economic, military (including arms and personnel), humanitarian, asylum.",
    "RETREAT": "Concessions with immediate material consequences: releases, returns, "
    "access, disarming, ceasefires, withdrawals, resignations.",
    "DEMAND": "All demands and orders: more forceful than a request, short of a threat.",
    "ACCUSE": "Disapprove, condemn, criticize; accuse, allege or charge; sue; investigate.",
    "REJECT": "All rejections and refusals.",
    "THREATEN": "All threats: coercive or forceful warnings with serious potential repercussions.",
    "PROTEST": "Civilian demonstrations and other collective action carried out as "
    "protests against the recipient.",
    "SANCTION": "All reductions in existing, routine or cooperative relations.",
    "MOBILIZE": "Military or police moves that fall short of the actual use of force.",
    "COERCE": "Repression or restrictions on rights.",
    "ASSAULT": "Deliberate actions which can potentially result in substantial physical harm.",
}

# PLOVER 0.8, the mode table of each category; AGREE, SUPPORT, CONCEDE, COOPERATE and AID
# define none ("Supplementary fields: None").
PLOVER_MODES: dict[str, tuple[str, ...]] = {
    "AGREE": (),
    "CONSULT": ("visit", "third-party", "multilateral", "phone"),
    "SUPPORT": (),
    "CONCEDE": (),
    "COOPERATE": (),
    "AID": (),
    "RETREAT": ("withdraw", "release", "return", "disarm", "ceasefire", "access", "resign"),
    "DEMAND": ("assist", "change", "yield", "meet"),
    "ACCUSE": ("disapprove", "investigate", "allege"),
    "REJECT": ("assist", "change", "yield", "meet"),
    "THREATEN": ("restrict", "ban", "arrest", "relations", "expel", "territory", "violence"),
    "PROTEST": ("demo", "riot", "general", "strike", "hunger", "boycott", "obstruct"),
    "SANCTION": ("convict", "expel", "withdraw", "discontinue"),
    "MOBILIZE": ("troops", "weapons", "police", "militia"),
    "COERCE": (
        "confiscate", "restrict", "ban", "censor", "curfew", "martial-law", "arrest", "deport",
        "withhold",
    ),
    "ASSAULT": (
        "abduct", "beat", "torture", "execute", "sexual", "assassinate", "destroy", "primitive",
        "firearms", "explosives", "suicide-attack", "heavy-weapons", "cleansing", "massacre",
        "unconventional", "sideAB",
    ),
}  # fmt: skip

# PLOVER 0.8, table "General contexts" (usable with any category).
PLOVER_CONTEXTS: tuple[str, ...] = (
    "military", "intelligence", "peacekeeping", "economic", "diplomatic", "resource", "disease",
    "enviro_disaster", "migration", "humanitarian", "asylum", "legal", "human_rights",
    "rights_freedoms", "gender", "lgbt", "terrorism", "human_security", "religion_ethnicity",
    "executive", "election", "legislative", "cbrn", "cyber", "political_institutions",
    "corruption", "crime", "illegal_drugs",
)  # fmt: skip

# CAMEO 1.1b3: the 20 cue categories.
CAMEO_ROOTS: dict[str, str] = {
    "01": "MAKE PUBLIC STATEMENT",
    "02": "APPEAL",
    "03": "EXPRESS INTENT TO COOPERATE",
    "04": "CONSULT",
    "05": "ENGAGE IN DIPLOMATIC COOPERATION",
    "06": "ENGAGE IN MATERIAL COOPERATION",
    "07": "PROVIDE AID",
    "08": "YIELD",
    "09": "INVESTIGATE",
    "10": "DEMAND",
    "11": "DISAPPROVE",
    "12": "REJECT",
    "13": "THREATEN",
    "14": "PROTEST",
    "15": "EXHIBIT MILITARY POSTURE",
    "16": "REDUCE RELATIONS",
    "17": "COERCE",
    "18": "ASSAULT",
    "19": "FIGHT",
    "20": "USE UNCONVENTIONAL MASS VIOLENCE",
}

# PLOVER 0.8, table "PLOVER equivalents to CAMEO cue categories" (None: dropped). 08 YIELD is
# split by sub-code (081-083 CONCEDE, 084-087 RETREAT), so it is not listed here.
CAMEO_ROOT_TO_PLOVER: dict[str, str | None] = {
    "01": None, "02": None, "03": "AGREE", "04": "CONSULT", "05": "SUPPORT", "06": "COOPERATE",
    "07": "AID", "09": "ACCUSE", "10": "DEMAND", "11": "ACCUSE", "12": "REJECT",
    "13": "THREATEN", "14": "PROTEST", "15": "MOBILIZE", "16": "SANCTION", "17": "COERCE",
    "18": "ASSAULT", "19": "ASSAULT", "20": "ASSAULT",
}  # fmt: skip

# CAMEO 1.1b3: every specific code used below.
CAMEO_CODES: dict[str, str] = {
    "010": "Make statement, not specified below",
    "030": "Express intent to cooperate, not specified below",
    "0311": "Express intent to cooperate economically",
    "033": "Express intent to provide material aid, not specified below",
    "0331": "Express intent to provide economic aid",
    "0332": "Express intent to provide military aid",
    "0333": "Express intent to provide humanitarian aid",
    "040": "Consult, not specified below",
    "041": "Discuss by telephone",
    "042": "Make a visit",
    "051": "Praise or endorse",
    "057": "Sign formal agreement",
    "061": "Cooperate economically",
    "062": "Cooperate militarily",
    "064": "Share intelligence or information",
    "072": "Provide military aid",
    "111": "Criticize or denounce",
}


@dataclass(frozen=True)
class EventCodes:
    """A fact's event codes; ``plover`` None: no PLOVER category (``note`` says why)."""

    plover: str | None
    plover_mode: str | None
    cameo: str | None
    cameo_root: str | None
    note: str
    plover_context: str | None = None


def _c(
    plover: str | None, mode: str | None, ctx: str | None, cameo: str | None, note: str
) -> EventCodes:
    return EventCodes(plover, mode, cameo, cameo[:2] if cameo else None, note, ctx)


_INTENT = "An offer or pledge, not a delivery (07): CAMEO 03, which PLOVER codes AGREE."
_DROPPED = "PLOVER drops CAMEO 01 (statements): a CAMEO code, no PLOVER category."
_UNSIGNED = "Signing not reported: a commitment, CAMEO 030 (057 excludes promises to sign)."
_PROMISED = "Arms offered or agreed: CAMEO 0332 (promise or agree to provide military aid)."
_SUPPLIED = "Arms supplied, once or continuing: CAMEO 072 (aid including arms); PLOVER AID."
_PLEDGE = "A pledge or offer to cooperate, object not coded: CAMEO 030, the residual."
_MILITARY = "Mutual military exchange: CAMEO 062, which has no sub-codes by area."
_ENERGY = "Energy investment or trade is economic exchange: CAMEO 061."
_VISIT = "The visitor is the source, the host the recipient: CAMEO 042."
_STAGE = "`stage` decides: an offer or agreement is CAMEO 03, a delivery 07."
_POSITION = "A position or other statement: CAMEO 010, the residual. "
_OPEC_MEETING = "A meeting in an IGO setting, place unknown: CAMEO 040."
_OPEC_AGREEMENT = "Agreed oil policy, signing not reported: CAMEO 0311."
_OPEC = "`form` decides: consultation or meeting CONSULT, agreement AGREE, statement none."
_INTEL = "Voluntary sharing of intelligence or information: CAMEO 064."
_TRADE = (
    "A measured quantity (the value of trade over a period), not an event. CAMEO 061 / "
    "PLOVER COOPERATE is for initiating or expanding exchange, which a level does not report."
)

# The default of each fact type: the code when the deciding attribute says nothing more.
TYPE_CODES: dict[str, EventCodes] = {
    "trade_volume": _c(None, None, None, None, _TRADE),
    "aid_offer": _c("AGREE", None, "diplomatic", "033", _INTENT + " Kind not listed: 033."),
    "military_cooperation": _c("COOPERATE", None, "military", "062", _MILITARY),
    "arms_transfer": _c(None, None, None, None, _STAGE),
    "energy_cooperation": _c("COOPERATE", None, "economic", "061", _ENERGY),
    "opec_coordination": _c(None, None, None, None, _OPEC),
    "diplomatic_visit": _c("CONSULT", "visit", None, "042", _VISIT),
    "phone_call": _c("CONSULT", "phone", None, "041", "CAMEO 041 Discuss by telephone."),
    "agreement": _c("AGREE", None, "diplomatic", "030", _UNSIGNED),
    "intelligence_sharing": _c("COOPERATE", None, "intelligence", "064", _INTEL),
    "statement": _c(None, None, None, "010", _POSITION + _DROPPED),
}

# fact type -> (the attribute that decides, {value: codes}); other values keep the default.
REFINEMENTS: dict[str, tuple[str, dict[str | bool, EventCodes]]] = {
    "aid_offer": ("aid_kind", {
        "economic": _c("AGREE", None, "economic", "0331", _INTENT),
        "military": _c("AGREE", None, "military", "0332", _INTENT),
        "humanitarian": _c("AGREE", None, "humanitarian", "0333", _INTENT),
    }),
    "arms_transfer": ("stage", {
        "offered": _c("AGREE", None, "military", "0332", _PROMISED),
        "agreed": _c("AGREE", None, "military", "0332", _PROMISED),
        "delivered": _c("AID", None, "military", "072", _SUPPLIED),
        "ongoing": _c("AID", None, "military", "072", _SUPPLIED),
    }),
    "opec_coordination": ("form", {
        "consultation": _c("CONSULT", None, "economic", "040", "Medium, place unknown: CAMEO 040."),
        "meeting": _c("CONSULT", "multilateral", "economic", "040", _OPEC_MEETING),
        "agreement": _c("AGREE", None, "economic", "0311", _OPEC_AGREEMENT),
        "statement": _c(None, None, None, "010", "A statement: CAMEO 010. " + _DROPPED),
    }),
    "agreement": ("signed", {
        True: _c("SUPPORT", None, "diplomatic", "057", "Signed: CAMEO 057 whatever its terms."),
        False: _c("AGREE", None, "diplomatic", "030", _UNSIGNED),
    }),
    "statement": ("kind", {
        "pledge": _c("AGREE", None, "diplomatic", "030", _PLEDGE),
        "offer": _c("AGREE", None, "diplomatic", "030", _PLEDGE),
        "praise": _c("SUPPORT", None, "diplomatic", "051", "CAMEO 051 Praise or endorse."),
        "criticism": _c("ACCUSE", "disapprove", None, "111", "CAMEO 111 Criticize or denounce."),
    }),
}  # fmt: skip

# The attribute whose value refines each type's default (types not listed have none).
REFINING_ATTRIBUTE: dict[str, str] = {t: attr for t, (attr, _) in REFINEMENTS.items()}


def codes_for(fact_type: str, attributes: Mapping[str, Any] | None = None) -> EventCodes:
    """The event codes of a fact of ``fact_type`` with these attributes.

    Raises KeyError for an unknown fact type; an unknown, missing or odd attribute value
    gives the type's default.
    """
    default = TYPE_CODES[fact_type]
    if fact_type not in REFINEMENTS or not isinstance(attributes, Mapping):
        return default
    attr, table = REFINEMENTS[fact_type]
    value: object = attributes.get(attr)
    if not isinstance(value, str | bool):  # not 1 for True, nor an unhashable list
        return default
    return table.get(value, default)


def as_dict(codes: EventCodes) -> dict[str, Any]:
    """Codes as the API shows them (``/fact-types``)."""
    return {
        "plover": codes.plover,
        "plover_mode": codes.plover_mode,
        "plover_context": codes.plover_context,
        "cameo": codes.cameo,
        "cameo_root": codes.cameo_root,
        "note": codes.note,
    }


def type_summary(fact_type: str) -> dict[str, Any]:
    """A type's codes: the default, and (where an attribute refines it) the attribute and
    the codes for each of its values."""
    refine = REFINEMENTS.get(fact_type)
    return {
        "default": as_dict(TYPE_CODES[fact_type]),
        "refined_by": refine[0] if refine else None,
        "values": [{"value": value, **as_dict(codes)} for value, codes in refine[1].items()]
        if refine
        else [],
    }
