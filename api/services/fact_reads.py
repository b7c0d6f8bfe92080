"""Reading facts: filters, full-text search, sort keys, pages and exports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Numeric,
    column,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from ..models import Evidence, Fact, FactActor, FactParty, Source
from . import fast_facts
from .dates import DateSpan
from .paging import (
    SortKey,
    apply_keyset,
    iter_keyset,
    parse_date_key,
    parse_datetime_key,
    parse_decimal_key,
    parse_int_key,
)
from .snapshots import source_summary

# Unknown dates and missing values sort below every real one.
_NO_VALUE = literal(Decimal("-1e18"), Numeric(21, 6))
FACT_SORTS: dict[str, SortKey] = {
    # sort_date is date_start, or 0001-01-01 when unknown (a generated, indexed column).
    "date": SortKey(Fact.sort_date, parse_date_key),
    "value": SortKey(func.coalesce(Fact.value, _NO_VALUE), parse_decimal_key),
    "id": SortKey(Fact.id, parse_int_key),
    "created": SortKey(Fact.created_at, parse_datetime_key),
}
_WORD = re.compile(r"\w+", re.UNICODE)
_fact_search = table("fact_search", column("fact_id"), column("document"))


def dyad_key(a: str, b: str) -> str:
    """The unordered pair as stored in ``fact.dyad``: ``IRQ-RUS``."""
    return "-".join(sorted((a, b)))


def search_words(q: str) -> list[str]:
    """The words of a free-text query (punctuation and operators are not syntax)."""
    return _WORD.findall(q)


def _text_match(session: Session, q: str) -> ColumnElement[bool]:
    words = search_words(q)
    if not words:  # punctuation only: nothing can match
        return false()
    if session.get_bind().dialect.name == "sqlite":
        match = " ".join('"' + w.replace('"', "") + '"' for w in words)
        ids = text("SELECT rowid FROM fact_fts WHERE fact_fts MATCH :fts").bindparams(fts=match)
        return Fact.id.in_(ids.columns(column("rowid")))
    return exists().where(
        _fact_search.c.fact_id == Fact.id,
        _fact_search.c.document.op("@@")(func.plainto_tsquery("english", " ".join(words))),
    )


def source_group(session: Session, source_id: int) -> list[int]:
    """A source and every near-duplicate of the same story."""
    row = session.execute(
        select(Source.id, Source.canonical_id).where(Source.id == source_id)
    ).one_or_none()
    if row is None:
        return []
    root = row.canonical_id or row.id
    return list(
        session.scalars(
            select(Source.id).where(or_(Source.id == root, Source.canonical_id == root))
        )
    )


def fact_conditions(session: Session, args: dict[str, Any]) -> list[ColumnElement[bool]]:
    """SQL conditions for the fact filters (party codes already resolved)."""
    conds: list[ColumnElement[bool]] = [Fact.status.in_(args.get("status") or ["published"])]
    if args.get("type"):
        conds.append(Fact.type.in_(args["type"]))
    if args.get("subject"):
        conds.append(Fact.subject == args["subject"])
    if args.get("counterpart"):
        conds.append(Fact.counterpart == args["counterpart"])
    if args.get("dyad"):
        conds.append(Fact.dyad == dyad_key(*args["dyad"]))
    if args.get("party"):
        code = args["party"]
        conds.append(
            or_(
                Fact.subject == code,
                Fact.counterpart == code,
                exists().where(FactParty.fact_id == Fact.id, FactParty.party_code == code),
            )
        )
    if args.get("actor") is not None:
        conds.append(
            exists().where(FactActor.fact_id == Fact.id, FactActor.actor_id == args["actor"])
        )
    if args.get("source") is not None:
        group = source_group(session, args["source"]) or [args["source"]]
        conds.append(exists().where(Evidence.fact_id == Fact.id, Evidence.source_id.in_(group)))
    span_from: DateSpan | None = args.get("from_")
    span_to: DateSpan | None = args.get("to")
    if span_from is not None:
        conds.append(Fact.date_end >= span_from.start)
    if span_to is not None:
        conds.append(Fact.date_start <= span_to.end)
    if args.get("unit"):
        conds.append(Fact.unit == args["unit"])
    if args.get("value_min") is not None:
        conds.append(Fact.value >= args["value_min"])
    if args.get("value_max") is not None:
        conds.append(Fact.value <= args["value_max"])
    if args.get("q"):
        conds.append(_text_match(session, args["q"]))
    return conds


def fact_ids_page(
    session: Session,
    args: dict[str, Any],
    sort: str,
    descending: bool,
    after: tuple[Any, Any] | None,
    limit: int,
) -> list[tuple[Any, int]]:
    """(sort key, id) of up to ``limit`` matching facts after the given position."""
    key = FACT_SORTS[sort]
    stmt: Any = select(key.expr, Fact.id).where(*fact_conditions(session, args))
    stmt = apply_keyset(stmt, key, Fact.id, descending, after).limit(limit)
    return [(row[0], row[1]) for row in session.connection().execute(stmt)]


def count_facts(session: Session, args: dict[str, Any]) -> int:
    """How many facts match the filters."""
    stmt = select(func.count()).select_from(Fact).where(*fact_conditions(session, args))
    return int(session.scalar(stmt) or 0)


def facts_by_ids(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """Fact representations in the order of ``ids`` (see fast_facts)."""
    return fast_facts.facts_by_ids(session, ids)


def iter_facts(
    session: Session, args: dict[str, Any], sort: str, descending: bool, batch: int = 1000
) -> Iterator[dict[str, Any]]:
    """Every matching fact, fetched in keyset batches so memory stays constant."""
    return iter_keyset(
        lambda after, limit: fact_ids_page(session, args, sort, descending, after, limit),
        lambda ids: facts_by_ids(session, ids),
        batch,
    )


def get_fact(session: Session, fact_id: int, statuses: list[str]) -> dict[str, Any] | None:
    """One fact with the sources its evidence comes from, or None."""
    found = facts_by_ids(session, [fact_id])
    if not found or found[0]["status"] not in statuses:
        return None
    data = found[0]
    data["sources"] = source_summaries(session, sorted({e["source_id"] for e in data["evidence"]}))
    return data


def source_summaries(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """The short form of the given sources, by id."""
    sources = session.scalars(select(Source).where(Source.id.in_(ids)).order_by(Source.id))
    return [source_summary(s) for s in sources]
