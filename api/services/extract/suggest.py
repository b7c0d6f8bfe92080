"""Suggested facts for an article: the extractor's modules put together, sentence by sentence.

For each sentence (site furniture left out): the type triggers it holds (``types``), the
parties it names (``parties``, and the parties of the people it names, ``actors``), its
dates (``dates``) and amounts (``values``). A trigger with two distinct parties becomes a
candidate fact in the shape a curator POSTs to /api/v1/facts, with the sentence as its
evidence (a span of the stored body, so it verifies), a confidence, and the cues that gave
each field. Sentences naming one party take the article's main pair for the other, with a
lower confidence. Candidates of the same type, parties and date are merged.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ...vocabulary import FACT_TYPES
from .actors import Actor, find_actors, fixture_actors
from .dates import DateCue, Published, about_future, find_dates
from .direction import ORGANIZATIONS, Party, is_purchase, parties_in, pick
from .parties import Mention, find_parties, party_name
from .people import introduced
from .sentences import Sentence, sentences
from .types import TypeCue, find_types
from .values import ValueCue, find_values, plain, preference

# Types whose facts carry no amount (a visit, a call, a statement's figure is its topic).
# What is read of an article. News sentences are far shorter than MAX_SENTENCE (and a quote
# must stay within the 5,000 characters a fact's evidence takes); a longer "sentence" is a
# table, a list or text without punctuation, and is skipped. Only the first MAX_BODY
# characters are read (a long feature is about 60,000), so a huge upload costs a bounded time.
MAX_SENTENCE = 1_500
MAX_BODY = 100_000

_UNVALUED = {"statement", "phone_call", "diplomatic_visit", "intelligence_sharing"}
_CURRENCY_ONLY = {"trade_volume"}


@dataclass
class Suggestion:
    """A candidate fact: ``fact`` (the POST body), and why (``cues``) and how sure."""

    fact: dict[str, Any]
    confidence: float
    cues: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**self.fact, "confidence": round(self.confidence, 2), "cues": self.cues}


def _cue(name: str, sentence: Sentence, start: int, end: int, why: str) -> dict[str, Any]:
    return {
        "field": name,
        "text": sentence.text[start:end],
        "start": sentence.start + start,
        "end": sentence.start + end,
        "why": why,
    }


def _nearest(items: list[Any], at: int) -> Any:
    return min(items, key=lambda c: abs(c.start - at)) if items else None


def _summary(kind: str, subject: str, counterpart: str, attrs: dict[str, Any], value: str) -> str:
    s, c = party_name(subject), party_name(counterpart)
    text = {
        "trade_volume": f"Trade between {s} and {c}{value}.",
        "aid_offer": f"{s} offered {c} {attrs.get('aid_kind', 'other')} aid{value}.",
        "arms_transfer": f"{s}: {attrs.get('item', 'arms')} for {c} ({attrs.get('stage')}){value}.",
        "military_cooperation": f"{s} and {c}: military cooperation ({attrs.get('area')}).",
        "energy_cooperation": f"{s} and {c}: energy cooperation ({attrs.get('sector')}){value}.",
        "opec_coordination": f"{s} and {c}: {attrs.get('framework')} coordination "
        f"({attrs.get('form')}).",
        "diplomatic_visit": f"{s} visited {c} ({str(attrs.get('level', '')).replace('_', ' ')}).",
        "phone_call": f"{s} and {c} held a phone call.",
        "agreement": f"{s} and {c}: {attrs.get('agreement_kind')} "
        f"{'signed' if attrs.get('signed') else 'agreed'}.",
        "intelligence_sharing": f"{s} and {c}: intelligence sharing.",
        "statement": f"{s} on {c}: {attrs.get('kind')}.",
    }[kind]
    return text


def _main_pair(spans: list[tuple[Sentence, list[Mention]]]) -> tuple[str, str] | None:
    counts = Counter(m.code for _, ms in spans for m in ms)
    top = [c for c, _ in counts.most_common(2)]
    return (top[0], top[1]) if len(top) == 2 else None


def _lead_date(spans: list[Sentence], pub: Published) -> DateCue | None:
    """The news peg: the first day-precise date in the article's first sentences."""
    for s in spans[:3]:
        for cue in find_dates(s.text, pub):
            if cue.precision == "day":
                return cue
    return None


def suggest(
    body: str, published: Published, actors: tuple[Actor, ...] | None = None
) -> list[Suggestion]:
    """The suggested facts of an article, most confident first."""
    actors = fixture_actors() if actors is None else actors
    read = body[:MAX_BODY]
    spans = [s for s in sentences(read) if not s.furniture and len(s.text) <= MAX_SENTENCE]
    if len(read) < len(body) and spans:
        spans.pop()  # it may be cut off at MAX_BODY
    mentioned = [(s, find_parties(s.text)) for s in spans]
    pair = _main_pair(mentioned)
    lead = _lead_date(spans, published)
    cast = introduced(read)
    merged: dict[tuple[Any, ...], Suggestion] = {}
    for sentence, mentions in mentioned:
        triggers = find_types(sentence.text)
        if not triggers:
            continue
        dates = find_dates(sentence.text, published)
        values = find_values(sentence.text)
        strong = [t for t in triggers if t.type != "statement"]
        for trigger in strong or triggers[:1]:
            made = _candidate(
                sentence, trigger, mentions, dates, values, actors, published, pair, lead, cast
            )
            if made is None:
                continue
            f = made.fact
            # One fact per type, parties, date and amount (two deals of one day stay two).
            key = (f["type"], f["subject"], f["counterpart"], f["date"], f["value"], f["unit"])
            if key in merged:
                kept = merged[key]
                if len(kept.fact["evidence"]) < 3:
                    kept.fact["evidence"] += f["evidence"]
                kept.confidence = min(0.99, max(kept.confidence, made.confidence) + 0.05)
            else:
                merged[key] = made
    return sorted(merged.values(), key=lambda s: -s.confidence)


def _candidate(
    sentence: Sentence,
    trigger: TypeCue,
    mentions: list[Mention],
    dates: list[DateCue],
    values: list[ValueCue],
    actors: tuple[Actor, ...],
    published: Published,
    pair: tuple[str, str] | None,
    lead: DateCue | None,
    introduced_people: dict[str, str],
) -> Suggestion | None:
    kind = trigger.type
    text = sentence.text
    cues = [_cue("type", sentence, trigger.start, trigger.end, f"words for {kind}")]
    date_cue = _nearest([d for d in dates if _event_date(d, text, published)], trigger.start)
    confidence = trigger.strength
    if date_cue is not None:
        when = (date_cue.date, date_cue.precision, date_cue.basis)
        cues.append(_cue("date", sentence, date_cue.start, date_cue.end, date_cue.basis))
    elif lead is not None:
        when = (lead.date, lead.precision, "inferred")
        confidence *= 0.9
    elif published.precision != "unknown" and published.day is not None:
        d = published.day
        text_date = {"day": d.isoformat(), "month": d.isoformat()[:7], "year": str(d.year)}
        when = (text_date[published.precision], published.precision, "inferred")
        confidence *= 0.85
    else:
        when = (None, "unknown", None)
        confidence *= 0.85
    on = _on(when)
    people = find_actors(text, actors)
    found = parties_in(sentence, mentions, people, on, introduced_people)
    picked = pick(kind, trigger, found, text, pair)
    if picked is not None and "article" in (picked[0].via, picked[1].via):
        confidence *= 0.8
    if picked is None and pair is not None and found:
        present = found[0]
        other = pair[1] if present.code == pair[0] else pair[0] if present.code == pair[1] else None
        if other is not None:
            ghost = Party(other, 0, 0, "", "article")
            # Named before the verb: the subject, unless it is a buyer.
            first = present.end <= trigger.start and not is_purchase(kind, trigger, text)
            picked = (present, ghost, None) if first else (ghost, present, None)
            confidence *= 0.6
    if picked is None and pair is not None and not found and kind != "statement":
        # No party named: the article's main pair, if the sentence is about the two.
        ghosts = [Party(code, 0, 0, "", "article") for code in pair]
        picked = (ghosts[0], ghosts[1], None)
        confidence *= 0.5
    if picked is None:
        return None
    subject, counterpart, third = picked
    for name, p in (("subject", subject), ("counterpart", counterpart)):
        if p.via == "article":
            cues.append(
                {
                    "field": name,
                    "text": None,
                    "start": None,
                    "end": None,
                    "why": "the article's main pair of parties",
                }
            )
        else:
            cues.append(_cue(name, sentence, p.start, p.end, p.via))
    value_cue = None
    if kind not in _UNVALUED:
        money = [v for v in values if len(v.unit) == 3 and v.unit.isupper()]
        usable = money if kind in _CURRENCY_ONLY else values
        if usable:
            best = min(preference(v) for v in usable)
            value_cue = _nearest([v for v in usable if preference(v) == best], trigger.start)
    if trigger.needs_value and value_cue is None:
        return None
    value_text = ""
    if value_cue is not None:
        cues.append(_cue("value", sentence, value_cue.start, value_cue.end, value_cue.qualifier))
        value_text = f" ({value_cue.cue})"
    roles: list[dict[str, str]] = []
    for person in people:
        role = person.actor.role_on(on)
        if role is not None and person.actor.key not in {r["actor"] for r in roles}:
            roles.append({"actor": person.actor.key, "role": role.title})
            why = f"{role.title} on that date"
            cues.append(_cue("actors", sentence, person.start, person.end, why))
    others = sorted(
        {p.code for p in found} - {subject.code, counterpart.code} - set(ORGANIZATIONS)
        if kind != "opec_coordination"
        else {p.code for p in found} - {subject.code, counterpart.code}
    )
    if third is not None and third not in others:
        others.append(third)
    attrs = dict(trigger.attributes)
    if kind == "diplomatic_visit":
        host = next(
            (m.cue for m in mentions if m.kind == "capital" and m.code == counterpart.code), None
        )
        if host:
            attrs["host_city"] = host
    fact = {
        "type": kind,
        "subject": subject.code,
        "counterpart": counterpart.code,
        "other_parties": others if kind in ("intelligence_sharing", "opec_coordination") else [],
        "date": when[0],
        "date_precision": when[1],
        "date_basis": when[2],
        "value": plain(value_cue.value) if value_cue else None,
        "unit": value_cue.unit if value_cue else None,
        "value_qualifier": value_cue.qualifier if value_cue else None,
        "summary": _summary(kind, subject.code, counterpart.code, attrs, value_text),
        "attributes": attrs,
        "actors": roles,
        "evidence": [{"quote": text, "start": sentence.start, "end": sentence.end}],
    }
    assert kind in FACT_TYPES
    return Suggestion(fact, min(confidence, 0.99), cues)


def _event_date(cue: DateCue, text: str, published: Published) -> bool:
    """Whether a date in the sentence can be the fact's own: not the start of a period
    ("since 2014"), nor a date after publication (a deal's term, "from 2018")."""
    if re.search(r"\b(since|from|through|until|till|to)\s+$", text[: cue.start], re.I):
        return False
    if published.day is None or published.precision == "unknown":
        return True
    if cue.date[: len(_cut(published))] <= _cut(published):
        return True
    # After publication: an announced meeting or visit ("ahead of a June meeting"), not a
    # year-long term ("the fiscal years 2019 to 2028").
    return cue.precision != "year" and about_future(text)


def _cut(published: Published) -> str:
    assert published.day is not None
    text = published.day.isoformat()
    return {"day": text, "month": text[:7], "year": text[:4]}[published.precision]


def _on(when: tuple[Any, ...]) -> date | None:
    """The day a fact's date stands for (its first), to look roles up on."""
    text, precision = when[0], when[1]
    if not text:
        return None
    if precision == "day":
        return date.fromisoformat(text)
    if precision == "month":
        return date.fromisoformat(text + "-01")
    return date(int(text), 7, 1)
