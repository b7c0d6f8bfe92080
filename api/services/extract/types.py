"""Fact types from the words of a sentence, with the attributes each type requires.

Each rule is a trigger (a regular expression over the sentence) for one type of the
vocabulary (api/vocabulary.py) and a function that fills the type's attributes from the
sentence. A trigger says where it matched, so a suggestion can show why it has its type;
``strength`` (0-1) says how surely the words mean that type.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_I = re.IGNORECASE


@dataclass(frozen=True)
class TypeCue:
    """A type's trigger in a sentence: ``text[start:end]`` and the attributes it implies."""

    type: str
    start: int
    end: int
    cue: str
    strength: float
    attributes: dict[str, Any] = field(default_factory=dict)
    needs_value: bool = False  # the type means nothing without an amount (trade)


def _has(pattern: str, text: str) -> bool:
    return re.search(pattern, text, _I) is not None


def _first(pairs: list[tuple[str, str]], text: str, default: str) -> str:
    for pattern, value in pairs:
        if _has(pattern, text):
            return value
    return default


def _trade(text: str, m: re.Match[str]) -> dict[str, Any]:
    flow = _first(
        [
            (r"\bimports? (from|of)\b", "subject_imports"),
            (r"\bexports? (to|of)\b", "subject_exports"),
        ],
        text,
        "total",
    )
    out: dict[str, Any] = {"flow": flow}
    if _has(r"\bnon-oil\b", text):
        out["composition"] = "non-oil"
    return out


_AID_KINDS = [
    (r"\b(military|defen[cs]e|security|weapons?|arms)\b", "military"),
    (r"\b(humanitarian|food|medical|relief|wheat|vaccines?)\b", "humanitarian"),
    (r"\b(economic|financial|loans?|credit|budget|grants?|investment)\b", "economic"),
]


def _aid(text: str, m: re.Match[str]) -> dict[str, Any]:
    # The words of the offer first ("military and other aid"), then the sentence's.
    return {"aid_kind": _first(_AID_KINDS, m.group(0), "") or _first(_AID_KINDS, text, "other")}


def _military(text: str, m: re.Match[str]) -> dict[str, Any]:
    area = _first(
        [
            (r"technolog|technical", "technology"),
            (r"\btrain", "training"),
            (r"exercise|drill|operation|strikes", "operations"),
            (r"advis", "advisory"),
            (r"equipment|hardware", "equipment"),
        ],
        text,
        "general",
    )
    return {"area": area}


_WEAPON = (
    r"(weapons?|arms|fighter jets?|jets|fighters?|warplanes?|combat aircraft|military aircraft|"
    r"helicopters?|tanks?|missiles?|drones?|air[- ]defen[cs]e( systems?)?|"
    r"(missile|defen[cs]e|rocket) systems?|warships?|frigates?|corvettes?|submarines?|"
    r"howitzers?|artillery|rifles|ammunition|S-\d00s?|Su-\d+\w*|MiG-\d+\w*|F-\d+\w*|"
    r"T-\d+\w*|Mi-\d+\w*|armou?red vehicles)"
)


def _arms(text: str, m: re.Match[str]) -> dict[str, Any]:
    stage = _first(
        [
            (r"\b(deliver(ed|ies)|received|arrived|handed over|took delivery)\b", "delivered"),
            (r"\b(continue|keep|keeps|ongoing|providing)\b", "ongoing"),
            (r"\b(signed|agreed|contract|deal|ordered|bought|purchased|will buy)\b", "agreed"),
        ],
        text,
        "offered",
    )
    item = re.search(_WEAPON, m.group(0), _I)
    return {"item": (item.group(0) if item else m.group(0))[:120], "stage": stage}


def _energy(text: str, m: re.Match[str]) -> dict[str, Any]:
    oil = _has(r"\b(oil|crude|oilfields?|refiner(y|ies)|petroleum)\b", text)
    gas = _has(r"\b(gas|lng|pipeline)\b", text)
    sector = (
        "oil_and_gas"
        if oil and gas
        else "oil"
        if oil
        else "gas"
        if gas
        else _first(
            [(r"\bnuclear\b", "nuclear"), (r"\b(electricity|power|grid)\b", "electricity")],
            text,
            "general",
        )
    )
    return {"sector": sector}


def _opec(text: str, m: re.Match[str]) -> dict[str, Any]:
    framework = "OPEC+" if _has(r"OPEC\s?(\+|plus)", text) else "OPEC"
    form = _first(
        [
            (r"\b(agreed|agreement|deal|decided|decision)\b", "agreement"),
            (r"\b(meeting|summit|gathering|met)\b", "meeting"),
            (r"\b(consult|discuss|coordinat|talks|reviewed)", "consultation"),
        ],
        text,
        "statement",
    )
    return {"framework": framework, "form": form}


def _visit(text: str, m: re.Match[str]) -> dict[str, Any]:
    level = _first(
        [
            (r"\b(President|King|Emir|Sultan|Crown Prince|head of state)\b", "head_of_state"),
            (r"\b(Prime Minister|Premier|Chancellor|PM)\b", "head_of_government"),
            (r"\bdelegation\b", "delegation"),
            (r"\b(Minister|Secretary of State|Secretary)\b", "minister"),
        ],
        text,
        "official",
    )
    return {"level": level}


def _agreement(text: str, m: re.Match[str]) -> dict[str, Any]:
    kind = _first(
        [
            (r"memorand|\bMoUs?\b", "memorandum"),
            (r"\b(treaty|accord|pact)\b", "treaty"),
            (r"\b(contract|deal)\b", "contract"),
            (r"\b(framework|roadmap|road map)\b", "framework"),
        ],
        m.group(0),
        "other",
    )
    out: dict[str, Any] = {"agreement_kind": kind}
    if _has(r"\b(signed|signing|inked)\b", m.group(0)):
        out["signed"] = True
    return out


def _statement(text: str, m: re.Match[str]) -> dict[str, Any]:
    kind = _first(
        [
            (r"\b(praised|hailed|commended|lauded|welcomed|thanked)\b", "praise"),
            (r"\b(criticized|criticised|condemned|accused|denounced|slammed)\b", "criticism"),
            (r"\b(pledged|vowed|promised|would make every effort|will help)\b", "pledge"),
            (r"\b(ready to|offered|proposed)\b", "offer"),
        ],
        text,
        "position",
    )
    return {"kind": kind}


def _none(text: str, m: re.Match[str]) -> dict[str, Any]:
    return {}


Rule = tuple[str, re.Pattern[str], float, Callable[[str, re.Match[str]], dict[str, Any]], bool]
RULES: list[Rule] = [
    (
        "trade_volume",
        re.compile(
            r"\b((bilateral|two-way|mutual) trade|trade (turnover|volume|exchange|between|with)|"
            r"trade (reached|stood|rose|grew|fell|amounted|totall?ed|hit)|"
            r"(exports|imports) (to|from)|trade turnover|trade(?!-))\b",
            _I,
        ),
        0.9,
        _trade,
        True,
    ),
    (
        "aid_offer",
        re.compile(
            r"\b(offer(ed|s|ing)?|pledg(ed|es|e|ing)|promis(ed|es|ing)|provid(e|ed|es|ing)|"
            r"send(s|ing)?|sent|grant(ed|s)?|announced|extend(ed|s)?|donat(ed|es|ing))\b"
            r"[^.;]{0,90}?\b(aid|assistance|support|loans?|credit lines?|relief|help)\b|"
            r"\b(military|humanitarian|economic|financial|food|medical) (aid|assistance)\b|"
            r"\b(lend\w*|lent|loans?|give|gives|gave|giving|donat\w*|deposit\w*|bail\w*|"
            r"pledg\w*|provid\w*|supplied)\b"
            r"[^.;]{0,60}?(\$|€|£|US\$|\b\d[\d,.]* (billion|million|crore|tonnes|doses))",
            _I,
        ),
        0.85,
        _aid,
        False,
    ),
    (
        "arms_transfer",
        re.compile(
            r"\b(sell|sells|sold|sale|sales|supply|supplies|supplied|supplying|deliver(ed|s|y|ies)?|"
            r"purchase[ds]?|buy(s|ing)?|bought|acquir(e|ed|es|ing)|order(ed)?|transfer(red)?)\b"
            rf"[^.;]{{0,80}}?\b{_WEAPON}",
            _I,
        ),
        0.85,
        _arms,
        False,
    ),
    (
        "military_cooperation",
        re.compile(
            r"\b((military|defen[cs]e|security)[- ](technical |technological )?"
            r"(cooperation|co-operation|ties|partnership|technology|pact)|"
            r"joint (military )?(exercises?|drills?|patrols?)|military advis[eo]rs?|"
            r"train(ing)? (of )?(its |their |the )?(troops|forces|soldiers|army|military))\b|"
            r"\btrain\w*\b[^.;]{0,40}?\b(troops|forces|soldiers|crews|personnel|pilots|"
            r"officers|army|military)\b|\b(troops|soldiers|crews|personnel|pilots|officers)\b"
            r"[^.;]{0,40}?\btrain\w*",
            _I,
        ),
        0.8,
        _military,
        False,
    ),
    (
        "energy_cooperation",
        re.compile(
            r"\b(oil|gas|lng|pipeline|oilfields?|refiner(y|ies)|nuclear (power|plant|reactor)|"
            r"power (plant|station)s?|electricity|energy)\b[^.;]{0,60}?"
            r"\b(invest\w*|develop\w*|build\w*|construct\w*|suppl\w*|export\w*|contracts?|"
            r"projects?|cooperat\w*|co-operat\w*|deals?|agreements?|stakes?|partnership|"
            r"import\w*|pump\w*|ship\w*|deliver\w*|sell\w*|bought|buy\w*)\b|"
            r"\b(invest\w*|develop\w*|build\w*|suppl\w*|cooperat\w*|stakes?|projects?|"
            r"import\w*|pump\w*|ship\w*|deliver\w*|increase\w*)\b"
            r"[^.;]{0,40}?\b(oil|gas|lng|pipeline|oilfields?|nuclear|electricity|energy)\b",
            _I,
        ),
        0.75,
        _energy,
        False,
    ),
    (
        "opec_coordination",
        re.compile(
            r"\bOPEC(\s?\+|\s?plus\b)?|\b(cut|cuts|reduce|reduction|raise|lift|boost|curb)\b"
            r"[^.;]{0,30}?\b(oil )?(output|production)\b",
            _I,
        ),
        0.8,
        _opec,
        False,
    ),
    (
        "diplomatic_visit",
        re.compile(
            r"\b(visit(ed|ing|s)?|state visit|official visit|trip to|arrived in|"
            r"travel(l)?ed to|tour of|hosted|welcomed\b[^.;]{0,40}\bto|flew to|flies to|"
            r"landed in|(was|were|is) in(?= [A-Z]))\b",
            _I,
        ),
        0.75,
        _visit,
        False,
    ),
    (
        "phone_call",
        re.compile(
            r"\b(phone call|telephone (call|conversation|talks)|phone (conversation|talks)|"
            r"by (tele)?phone|phoned|spoke (by|on the) (tele)?phone|held a call|in a call)\b",
            _I,
        ),
        0.9,
        _none,
        False,
    ),
    (
        "agreement",
        re.compile(
            r"\b(sign(ed|ing|s)?|inked|concluded|agreed (on|to)|reached)\b[^.;]{0,80}?"
            r"\b(agreements?|memorand(um|a|ums)|MoUs?|treaty|treaties|contracts?|deals?|accords?|"
            r"protocols?|roadmap|[Dd]eclaration|charter|pact)\b|"
            r"\b(memorand(um|a) of understanding|MoUs?|agreements?|treaty|contracts?|deals?)\b"
            r"[^.;]{0,60}?\b(signed|inked|concluded)\b",
            _I,
        ),
        0.85,
        _agreement,
        False,
    ),
    (
        "intelligence_sharing",
        re.compile(
            r"\b(intelligence[- ](sharing|cooperation|exchange|centre|center|coordination)|"
            r"shar(e|ed|ing) (of )?intelligence|information[- ]sharing|"
            r"intelligence|information) (centre|center|cell)\b|\bintelligence-sharing\b",
            _I,
        ),
        0.85,
        _none,
        False,
    ),
    (
        "statement",
        re.compile(
            r"\b(said|says|told|stated|declared|praised|hailed|commended|welcomed|criticized|"
            r"criticised|condemned|accused|warned|urged|called on|pledged|vowed|promised|"
            r"stressed|emphasized|emphasised|noted|affirmed|reaffirmed|expressed|thanked|"
            r"announced)\b",
            _I,
        ),
        0.4,
        _statement,
        False,
    ),
]


def find_types(text: str) -> list[TypeCue]:
    """Every type a sentence's words point to, strongest first (one cue per type)."""
    out = []
    for name, pattern, strength, attributes, needs_value in RULES:
        m = pattern.search(text)
        if m is None:
            continue
        out.append(
            TypeCue(
                name, m.start(), m.end(), m.group(0), strength, attributes(text, m), needs_value
            )
        )
    return sorted(out, key=lambda c: -c.strength)
