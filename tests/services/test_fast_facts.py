"""The fast read path gives exactly what the ORM snapshot (revisions, history) gives."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.fact_document import from_object as fact_snapshot
from api.models import Fact
from api.services.fast_facts import facts_by_ids
from tests.factories import make_fact


def test_fast_rows_equal_orm_snapshots(db_session: Session) -> None:
    make_fact(
        db_session,
        other_parties=["SYR", "IRN"],
        value="12.5",
        unit="USD",
        value_qualifier="at_least",
        date="2016",
        date_precision="year",
        actors=[
            {"actor": "tass", "role": "News agency"},
            {"actor": "vladimir-putin", "role": "President"},
        ],
    )
    make_fact(db_session, date=None, date_precision=None, date_basis=None, summary="Undated.")
    db_session.expire_all()
    facts = list(db_session.scalars(select(Fact).order_by(Fact.id)))
    fast = facts_by_ids(db_session, [f.id for f in reversed(facts)] + [10**9])
    assert fast == [fact_snapshot(f) for f in reversed(facts)]
    assert facts_by_ids(db_session, []) == []
