"""fact.evidence_doc / fact.actors_doc (migration 0005) always equal the rows they mirror.

The triggers are the only writers; every way the underlying rows change must show in the
documents at once, on both databases.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from api.fact_document import from_object as fact_snapshot
from api.models import Actor, Evidence, Fact, FactActor
from api.services.fact_writes import patch_fact, retract_fact
from tests.factories import make_fact


def _documents(session: Session) -> dict[int, tuple[Any, Any]]:
    rows = session.execute(text("SELECT id, evidence_doc, actors_doc FROM fact"))
    return {i: (orjson.loads(e), orjson.loads(a)) for i, e, a in rows}


def assert_documents_current(session: Session) -> int:
    """Every fact's documents equal its evidence and actors as the ORM reads them."""
    session.flush()
    session.expire_all()
    docs = _documents(session)
    facts = session.scalars(select(Fact)).all()
    assert set(docs) == {f.id for f in facts}
    for fact in facts:
        snap = fact_snapshot(fact)
        assert docs[fact.id] == (snap["evidence"], snap["actors"]), fact.id
    return len(facts)


def test_documents_match_after_loading_the_fixtures(db_session: Session) -> None:
    assert assert_documents_current(db_session) > 20


def test_documents_follow_every_kind_of_change(db_session: Session) -> None:
    s = db_session
    fact = make_fact(s)
    first_actor = s.scalar(select(Actor).order_by(Actor.id))
    assert first_actor is not None
    assert_documents_current(s)

    # Through the write service: new evidence, an actor added.
    patch_fact(
        s,
        fact,
        {
            "evidence": [
                {"source_id": fact.evidence[0].source_id, "quote": "Russia offered visiting"},
                {"source_id": fact.evidence[0].source_id, "quote": "Iraqi Prime Minister"},
            ],
            "actors": [{"actor": first_actor.key, "role": "President"}],
        },
        "tests",
    )
    assert_documents_current(s)

    # An actor renamed: every fact naming it changes.
    s.execute(update(Actor).where(Actor.id == first_actor.id).values(name="Renamed Actor"))
    assert any(a["name"] == "Renamed Actor" for _, acts in _documents(s).values() for a in acts)
    assert_documents_current(s)

    # Evidence moved from one fact to another, edited, and deleted, in plain SQL.
    other = s.scalar(select(Fact.id).where(Fact.id != fact.id).order_by(Fact.id))
    moved = s.scalar(select(Evidence.id).where(Evidence.fact_id == other))
    s.execute(update(Evidence).where(Evidence.id == moved).values(fact_id=fact.id))
    assert_documents_current(s)
    s.execute(update(Evidence).where(Evidence.id == moved).values(quote="Russia"))
    assert_documents_current(s)
    s.execute(delete(Evidence).where(Evidence.id == moved))
    s.execute(delete(FactActor).where(FactActor.fact_id == fact.id))
    assert_documents_current(s)
    assert _documents(s)[fact.id][1] == []

    # Retracted, then deleted outright (the cascade leaves no stray documents).
    retract_fact(s, fact, "tests")
    assert_documents_current(s)
    s.delete(fact)
    assert_documents_current(s)
