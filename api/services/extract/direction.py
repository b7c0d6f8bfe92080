"""Which party is the subject and which the counterpart of a fact a sentence states.

By where the parties stand around the type's trigger: the giver before "offered", the
seller after "from" (a buyer named alone is the counterpart), the visitor after
"visiting" and the host after "visit to" / "arrived in", the speaker nearest the speech
verb, two parties named before the verb as the pair ("Iran and China signed"), and the
article's main pair for "the two countries". OPEC coordination between the article's
two countries keeps the organization as a further party.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .actors import ActorMention
from .parties import Mention
from .people import find_people
from .sentences import Sentence
from .types import TypeCue

ORGANIZATIONS = ("OPEC", "OPEC+")


@dataclass(frozen=True)
class Party:
    code: str
    start: int
    end: int
    cue: str
    via: str  # the kind of form, or "actor"


def parties_in(
    sentence: Sentence,
    mentions: list[Mention],
    people: list[ActorMention],
    on: date | None,
    introduced_people: dict[str, str],
) -> list[Party]:
    out = [Party(m.code, m.start, m.end, m.cue, m.kind) for m in mentions]
    spans = [(m.start, m.end) for m in mentions]
    for p in people:
        role = p.actor.role_on(on)
        if role is not None:
            out.append(Party(role.party, p.start, p.end, p.cue, "actor"))
            spans.append((p.start, p.end))
    for code, start, end, name in find_people(sentence.text, introduced_people):
        if not any(a < end and start < b for a, b in spans):
            out.append(Party(code, start, end, name, "actor"))
    return sorted(out, key=lambda p: p.start)


_TO_HOST = re.compile(
    r"\b(visit(ed|ing)? to|visited|trip to|arrived in|travell?ed to|tour of|visit(ed)? in|"
    r"flew to|landed in|was in|were in|is in)\s+$",
    re.I,
)
_BUYING = re.compile(r"(buy|bought|purchas|acquir|order|import)", re.I)
_FROM = re.compile(r"\bfrom\s+(the\s+)?$", re.I)
_BOTH = re.compile(
    r"\b(the two (countries|nations|sides|neighbou?rs|governments|leaders)|both (countries|"
    r"nations|sides|governments)|two-way)\b",
    re.I,
)
_JOINT = re.compile(r"\b(their|both|the two|the leaders|joint|bilateral|together)\b", re.I)
_SPEECH = re.compile(
    r"\b(said|says|told|stated|declared|praised|hailed|criticized|criticised|condemned|"
    r"warned|urged|pledged|vowed|promised|stressed|noted|added|proposed)\b",
    re.I,
)


def is_purchase(kind: str, trigger: TypeCue, text: str) -> bool:
    """Whether the trigger buys rather than sells ("buy", "acquire", "import"): the buyer
    is then the counterpart."""
    return kind in ("arms_transfer", "energy_cooperation") and bool(
        _BUYING.search(text[trigger.start : trigger.end])
    )


def pick(
    kind: str,
    trigger: TypeCue,
    found: list[Party],
    text: str,
    pair: tuple[str, str] | None,
) -> tuple[Party, Party, str | None] | None:
    """Subject and counterpart for a type, by where the parties stand around the trigger
    (and, for OPEC coordination between two countries, the organization as a third)."""
    codes = {p.code for p in found}
    if kind == "opec_coordination":
        org = next((p for p in found if p.code in ORGANIZATIONS), None)
        countries = [p for p in found if p.code not in ORGANIZATIONS]
        one = len({p.code for p in countries}) <= 1
        two_countries = pair is not None and all(c not in ORGANIZATIONS for c in pair)
        if org is not None and one and pair is not None and two_countries and _JOINT.search(text):
            a = next((p for p in countries if p.code == pair[0]), None)
            b = next((p for p in countries if p.code == pair[1]), None)
            ghost = [Party(c, 0, 0, "", "article") for c in pair]
            return (a or ghost[0], b or ghost[1], org.code)
        if org is not None and len({p.code for p in countries}) == 1:
            return countries[0], org, None
    if len(codes) < 2:
        return None
    before = [p for p in found if p.end <= trigger.start]
    after = [p for p in found if p.start >= trigger.end]
    if kind == "diplomatic_visit":
        visiting = text.lower().find("visiting ")
        if visiting >= 0:
            guest = next((p for p in found if p.start >= visiting + 9), None)
            if guest is not None:
                host = next((p for p in found if p.code != guest.code), None)
                if host is not None:
                    return guest, host, None
        host = next((p for p in found if _TO_HOST.search(text[: p.start])), None)
        if host is not None:
            guest = next((p for p in found if p.code != host.code and p.via == "actor"), None)
            guest = guest or next((p for p in found if p.code != host.code), None)
            if guest is not None:
                return guest, host, None
        if text[trigger.start : trigger.end].lower().startswith(("hosted", "welcomed")):
            host = before[-1] if before else found[0]
            guest = next((p for p in after if p.code != host.code), None)
            guest = guest or next((p for p in found if p.code != host.code), None)
            return (guest, host, None) if guest else None
    if pair is not None and _BOTH.search(text) and kind != "statement":
        # "trade between the two countries": the article's pair, whoever else is named.
        by_code = {p.code: p for p in found}
        if all(c not in ORGANIZATIONS for c in pair) or kind == "opec_coordination":
            a, b = (by_code.get(c) or Party(c, 0, 0, "", "article") for c in pair)
            if a.via != "article" and b.via != "article" and b.start < a.start:
                a, b = b, a
            return a, b, None
    if is_purchase(kind, trigger, text):
        # "India signed a deal to buy S-400s from Russia": the seller is the subject.
        seller = next((p for p in found if _FROM.search(text[: p.start])), None)
        if seller is None:  # "Poland plans to buy 980 K2 tanks": the buyer is named first
            named_first = before[-1] if before else found[0]
            other = next((p for p in found if p.code != named_first.code), None)
            if other is not None:
                return other, named_first, None
        else:
            buyer = next((p for p in found if p.code != seller.code), None)
            if buyer is not None:
                return seller, buyer, None
    if kind == "statement":
        verb = _SPEECH.search(text)
        if verb is not None:
            people = [p for p in found if p.via == "actor"] or found
            speaker = min(people, key=lambda p: abs(p.start - verb.start()))
            other = next((p for p in found if p.code != speaker.code), None)
            if other is not None:
                return speaker, other, None
    ahead = list(dict.fromkeys(p.code for p in before))
    if len(ahead) >= 2 and kind not in ("aid_offer", "arms_transfer", "diplomatic_visit"):
        # "Iran and China signed ...": the two named before the verb, whoever follows.
        first = next(p for p in before if p.code == ahead[0])
        second = next(p for p in before if p.code == ahead[1])
        return first, second, None
    first = before[0] if before else found[0]
    rest = [p for p in after if p.code != first.code] or [p for p in found if p.code != first.code]
    return (first, rest[0], None) if rest else None
