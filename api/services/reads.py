"""Read queries for facts and sources (public reads see published facts only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from ..models import Evidence, Fact, FactActor, FactParty, Source
from .snapshots import fact_snapshot, source_snapshot, source_summary

_FACT_LOADS = (
    selectinload(Fact.other_parties),
    selectinload(Fact.actors).selectinload(FactActor.actor),
    selectinload(Fact.evidence),
)


def fact_filters(args: dict[str, Any]) -> list[Any]:
    """SQL conditions for the fact list's filters (codes already upper-cased)."""
    conds: list[Any] = [Fact.status == "published"]
    if args.get("type"):
        conds.append(Fact.type.in_(args["type"]))
    if args.get("subject"):
        conds.append(Fact.subject == args["subject"])
    if args.get("counterpart"):
        conds.append(Fact.counterpart == args["counterpart"])
    if args.get("dyad"):
        a, b = args["dyad"]
        conds.append(
            or_(
                and_(Fact.subject == a, Fact.counterpart == b),
                and_(Fact.subject == b, Fact.counterpart == a),
            )
        )
    if args.get("party"):
        code = args["party"]
        conds.append(
            or_(
                Fact.subject == code,
                Fact.counterpart == code,
                exists().where(FactParty.fact_id == Fact.id, FactParty.party_code == code),
            )
        )
    return conds


def list_facts(session: Session, args: dict[str, Any]) -> list[dict[str, Any]]:
    """Published facts matching the filters, newest first, ``limit`` at most."""
    stmt: Select[Any] = (
        select(Fact)
        .where(*fact_filters(args))
        .options(*_FACT_LOADS)
        .order_by(Fact.date_start.desc().nulls_last(), Fact.id.desc())
        .limit(args["limit"])
    )
    return [fact_snapshot(f) for f in session.scalars(stmt)]


def get_fact(session: Session, fact_id: int) -> dict[str, Any] | None:
    """A published fact with the sources its evidence comes from, or None."""
    fact = session.scalar(
        select(Fact).where(Fact.id == fact_id, Fact.status == "published").options(*_FACT_LOADS)
    )
    if fact is None:
        return None
    data = fact_snapshot(fact)
    source_ids = sorted({ev.source_id for ev in fact.evidence})
    sources = session.scalars(select(Source).where(Source.id.in_(source_ids)).order_by(Source.id))
    data["sources"] = [source_summary(s) for s in sources]
    return data


def get_source(session: Session, source_id: int, include_raw: bool) -> dict[str, Any] | None:
    """A source with its duplicates (and, when asked, the exact text received), or None."""
    source = session.scalar(
        select(Source).where(Source.id == source_id).options(selectinload(Source.duplicates))
    )
    if source is None:
        return None
    data = source_snapshot(source)
    data["duplicates"] = [source_summary(d) for d in source.duplicates]
    if include_raw:
        data["raw"] = source.raw
    return data


def evidence_for_source(session: Session, source_id: int) -> list[Evidence]:
    """Every evidence row quoting a source."""
    return list(session.scalars(select(Evidence).where(Evidence.source_id == source_id)))
