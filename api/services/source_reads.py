"""Reading sources: filters, pages, one source with its duplicates."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, func, literal, or_, select
from sqlalchemy.orm import Session, selectinload

from ..dates import DateSpan
from ..models import Source
from .paging import SortKey, apply_keyset, parse_date_key, parse_int_key
from .snapshots import source_snapshot, source_summary

SOURCE_SORTS = {
    "id": SortKey(Source.id, parse_int_key),
    "published": SortKey(
        func.coalesce(Source.published_start, literal(date(1, 1, 1), Date)), parse_date_key
    ),
}
LIST_FIELDS = (
    "id",
    "title",
    "outlet",
    "url",
    "published",
    "published_precision",
    "published_basis",
    "authors",
    "dateline",
    "language",
    "file_name",
    "sha256",
    "canonical_id",
    "similarity",
    "version",
    "created_at",
    "updated_at",
)


def source_conditions(args: dict[str, Any]) -> list[Any]:
    conds: list[Any] = []
    if args.get("outlet"):
        conds.append(func.lower(Source.outlet) == args["outlet"].lower())
    span_from: DateSpan | None = args.get("from_")
    span_to: DateSpan | None = args.get("to")
    if span_from is not None:
        conds.append(Source.published_end >= span_from.start)
    if span_to is not None:
        conds.append(Source.published_start <= span_to.end)
    if args.get("q"):
        for word in args["q"].lower().split():
            conds.append(
                or_(
                    func.lower(func.coalesce(Source.title, "")).contains(word, autoescape=True),
                    func.lower(Source.body).contains(word, autoescape=True),
                )
            )
    if args.get("canonical") is True:
        conds.append(Source.canonical_id.is_(None))
    elif args.get("canonical") is False:
        conds.append(Source.canonical_id.is_not(None))
    return conds


def source_page(
    session: Session, args: dict[str, Any], sort: str, desc: bool, after: Any, limit: int
) -> list[tuple[Any, Any]]:
    key = SOURCE_SORTS[sort]
    stmt: Any = select(key.expr, Source.id).where(*source_conditions(args))
    return [
        (r[0], r[1])
        for r in session.execute(apply_keyset(stmt, key, Source.id, desc, after).limit(limit))
    ]


def count_sources(session: Session, args: dict[str, Any]) -> int:
    stmt = select(func.count()).select_from(Source).where(*source_conditions(args))
    return int(session.scalar(stmt) or 0)


def sources_by_ids(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """List representations (no body or raw text) in the order of ``ids``."""
    sources = {s.id: s for s in session.scalars(select(Source).where(Source.id.in_(ids)))}
    out = []
    for i in ids:
        if i in sources:
            full = source_snapshot(sources[i])
            out.append({k: full[k] for k in LIST_FIELDS})
    return out


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


def source_exists(session: Session, source_id: int) -> bool:
    return session.get(Source, source_id) is not None
