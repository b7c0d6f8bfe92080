"""Building test facts through the same service the fixtures and the API use."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Fact, Source
from api.schemas.fact_input import FactInSchema
from api.services.facts import create_fact


def make_fact(session: Session, **overrides: Any) -> Fact:
    """Create a published RUS→IRQ statement quoting the first fixture article."""
    source = session.scalar(select(Source).order_by(Source.id))
    assert source is not None
    data: dict[str, Any] = {
        "type": "statement",
        "subject": "RUS",
        "counterpart": "IRQ",
        "date": "2015-05-21",
        "date_precision": "day",
        "date_basis": "stated",
        "summary": "A test statement.",
        "attributes": {"kind": "other"},
        "status": "published",
        "evidence": [{"source_id": source.id, "quote": "Russia offered visiting Iraqi"}],
    }
    data.update(overrides)
    fact = create_fact(session, FactInSchema().load(data), "tests")
    session.flush()
    return fact


def make_token(
    session: Session, name: str = "curator", scopes: tuple[str, ...] = ("write",)
) -> str:
    """Create a token and return its Authorization header value."""
    from api.services.tokens import create_token

    return "Bearer " + create_token(session, name, list(scopes))
