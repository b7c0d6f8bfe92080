"""Create facts: check parties, actors, dates, attributes, and verify every quote."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import fact_document
from ..dates import parse_date_with_precision
from ..models import Actor, Evidence, Fact, FactActor, FactParty, Party, Source
from ..models.base import utcnow
from ..vocabulary import validate_attributes
from .evidence import QuoteNotFound, verify_quote
from .history import record_change


class KeyTaken(ValueError):
    """A fact key that another fact already has (answered 409, naming that fact)."""

    def __init__(self, key: str, fact_id: int) -> None:
        self.key, self.fact_id = key, fact_id
        super().__init__(f"Key {key!r} is already used by fact {fact_id}.")


def check_key_free(session: Session, key: str | None, fact_id: int | None = None) -> None:
    """Raise KeyTaken if a fact other than ``fact_id`` has ``key``."""
    if key is None:
        return
    query = select(Fact.id).where(Fact.key == key)
    if fact_id is not None:
        query = query.where(Fact.id != fact_id)
    taken = session.scalar(query)
    if taken is not None:
        raise KeyTaken(key, taken)


def resolve_actor(session: Session, ref: Any) -> Actor | None:
    """Find an actor by key or id."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        return session.get(Actor, ref) if 1 <= ref <= 2**31 - 1 else None
    if isinstance(ref, str):
        return session.scalar(select(Actor).where(Actor.key == ref))
    return None


def _check_parties(session: Session, data: dict[str, Any], errors: dict[str, Any]) -> None:
    for name in ("subject", "counterpart"):
        data[name] = data[name].upper()
        if session.get(Party, data[name]) is None:
            errors[name] = [f"Unknown party {data[name]!r}."]
    if data["subject"] == data["counterpart"]:
        errors["counterpart"] = ["Must differ from subject."]
    others = [code.upper() for code in data.get("other_parties", [])]
    bad = {
        i: [f"Unknown party {code!r}."]
        for i, code in enumerate(others)
        if session.get(Party, code) is None
    }
    if bad:
        errors["other_parties"] = bad
    elif {data["subject"], data["counterpart"]} & set(others) or len(set(others)) != len(others):
        errors["other_parties"] = ["List each further party once, apart from the two sides."]
    data["other_parties"] = others


def _verified_evidence(
    session: Session, items: list[dict[str, Any]], errors: dict[str, Any], now: datetime
) -> list[Evidence]:
    found: list[Evidence] = []
    problems: dict[int, Any] = {}
    for i, item in enumerate(items):
        source = session.get(Source, item["source_id"])
        if source is None:
            problems[i] = {"source_id": [f"Unknown source {item['source_id']}."]}
            continue
        try:
            match = verify_quote(source.body, item["quote"], near=item.get("start"))
        except QuoteNotFound as err:
            problems[i] = {"quote": [str(err)]}
            continue
        found.append(
            Evidence(
                source_id=source.id,
                quote=item["quote"],
                start=match.start,
                end=match.end,
                verified=True,
                verified_at=now,
            )
        )
    if problems:
        errors["evidence"] = problems
    return found


def build_fact(session: Session, data: dict[str, Any]) -> Fact:
    """Check loaded input (see FactInSchema) and return an unsaved Fact; raise ValidationError."""
    data = dict(data)
    errors: dict[str, Any] = {}
    _check_parties(session, data, errors)
    try:
        span = parse_date_with_precision(data.get("date"), data.get("date_precision"))
    except ValueError as err:
        errors["date"] = [str(err)]
        span = None
    if span is not None:
        if span.precision == "unknown" and data.get("date_basis") is not None:
            errors["date_basis"] = ["Only with a date."]
        elif span.precision != "unknown" and data.get("date_basis") is None:
            errors["date_basis"] = ["Say whether the date is stated or inferred."]
    try:
        attributes = validate_attributes(data["type"], data.get("attributes") or {})
    except ValidationError as err:
        errors.update(err.messages if isinstance(err.messages, dict) else {})
        attributes = {}
    actors: list[FactActor] = []
    for i, item in enumerate(data.get("actors", [])):
        actor = resolve_actor(session, item["actor"])
        if actor is None:
            errors.setdefault("actors", {})[i] = {"actor": [f"Unknown actor {item['actor']!r}."]}
        else:
            actors.append(FactActor(actor_id=actor.id, role=item["role"], actor=actor))
    now = utcnow()
    evidence = _verified_evidence(session, data.get("evidence", []), errors, now)
    if data.get("rank", "normal") != "normal" and not data.get("rank_reason"):
        errors["rank_reason"] = [f"Say why the fact is {data['rank']} (rank_reason)."]
    if data.get("status") == "published" and not evidence and "evidence" not in errors:
        errors["status"] = ["A fact needs at least one verified evidence to be published."]
    if errors:
        raise ValidationError(errors)
    assert span is not None
    return Fact(
        key=data.get("key"),
        type=data["type"],
        subject=data["subject"],
        counterpart=data["counterpart"],
        date_start=span.start,
        date_end=span.end,
        date_precision=span.precision,
        date_basis=data.get("date_basis"),
        value=data.get("value"),
        unit=data.get("unit"),
        value_qualifier=data.get("value_qualifier"),
        summary=data["summary"],
        attributes=attributes,
        status=data.get("status", "draft"),
        rank=data.get("rank", "normal"),
        rank_reason=data.get("rank_reason"),
        other_parties=[FactParty(party_code=c) for c in data["other_parties"]],
        actors=actors,
        evidence=evidence,
        created_at=now,
        updated_at=now,
    )


def create_fact(session: Session, data: dict[str, Any], author: str) -> Fact:
    """Validate and store a new fact with its evidence, recording the revision."""
    check_key_free(session, data.get("key"))
    fact = build_fact(session, data)
    fact.created_by = fact.updated_by = author
    session.add(fact)
    session.flush()
    record_change(session, fact, "create", author)
    return fact


def fact_content(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What a fact says, without identity, version and timestamps (to compare two facts)."""
    content = {k: v for k, v in snapshot.items() if k not in fact_document.SYSTEM_FIELDS}
    content["evidence"] = [
        {k: v for k, v in ev.items() if k not in ("id", "verified")} for ev in content["evidence"]
    ]
    return content


def _keep_same(fact: Fact, new: Fact) -> None:
    """Give ``fact`` the lists of ``new``, keeping the rows (and ids) of what is unchanged.

    Evidence is the same when it cites the same span of the same source with the same quote;
    it then keeps its id and verification time, so clients that store evidence ids keep them
    and history lists only what changed.
    """
    parties = {p.party_code: p for p in fact.other_parties}
    fact.other_parties = [
        parties.get(p.party_code) or FactParty(party_code=p.party_code) for p in new.other_parties
    ]
    actors = {(a.actor_id, a.role): a for a in fact.actors}
    fact.actors = [
        actors.get((a.actor_id, a.role))
        or FactActor(actor_id=a.actor_id, role=a.role, actor=a.actor)
        for a in new.actors
    ]
    held: dict[tuple[int, str, int, int], list[Evidence]] = {}
    for ev in fact.evidence:
        held.setdefault((ev.source_id, ev.quote, ev.start, ev.end), []).append(ev)
    kept: list[Evidence] = []
    for ev in new.evidence:
        same = held.get((ev.source_id, ev.quote, ev.start, ev.end))
        if same:
            kept.append(same.pop(0))
        else:
            kept.append(
                Evidence(
                    source_id=ev.source_id,
                    quote=ev.quote,
                    start=ev.start,
                    end=ev.end,
                    verified=ev.verified,
                    verified_at=ev.verified_at,
                )
            )
    # As the database lists them (by id): kept rows first, then the new ones in order.
    fact.evidence = sorted(kept, key=lambda e: (e.id is None, e.id or 0))


def replace_fact(session: Session, fact: Fact, new: Fact, author: str) -> bool:
    """Give ``fact`` the content of the unsaved ``new``; record it. Return False if unchanged."""
    before = fact_document.from_object(fact)
    if fact_content(before) == fact_content(fact_document.from_object(new)):
        return False
    for name in fact_document.CONTENT_COLUMNS:
        setattr(fact, name, getattr(new, name))
    _keep_same(fact, new)
    fact.version += 1
    fact.updated_by = author
    fact.updated_at = utcnow()
    action = (
        "publish" if before["status"] != "published" and fact.status == "published" else "update"
    )
    record_change(session, fact, action, author, before=before)
    return True
