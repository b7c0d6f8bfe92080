"""Dyads (unordered pairs of parties): lists, summaries and timelines of published facts."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from ..models import Evidence, Fact, Source
from .dates import DateSpan, format_date
from .paging import SortKey, apply_keyset, parse_int_key, parse_str_key
from .snapshots import format_decimal

_A = case((Fact.subject < Fact.counterpart, Fact.subject), else_=Fact.counterpart)
_B = case((Fact.subject < Fact.counterpart, Fact.counterpart), else_=Fact.subject)
_PRECISION_RANK = {"day": 0, "month": 1, "year": 2}
DYAD_SORTS = ("facts", "pair")
MAX_BUCKETS = 1200


def _grouped(args: dict[str, Any]) -> Any:
    conds: list[Any] = [Fact.status == "published"]
    if args.get("party"):
        conds.append(or_(Fact.subject == args["party"], Fact.counterpart == args["party"]))
    if args.get("type"):
        conds.append(Fact.type.in_(args["type"]))
    return (
        select(
            _A.label("a"),
            _B.label("b"),
            (_A + "-" + _B).label("pair"),
            func.count().label("facts"),
            func.min(Fact.date_start).label("first"),
            func.max(Fact.date_end).label("last"),
        )
        .where(*conds)
        .group_by(_A, _B)
        .subquery()
    )


def dyad_page(
    session: Session, args: dict[str, Any], sort: str, desc: bool, after: Any, limit: int
) -> list[dict[str, Any]]:
    """One page of dyads with their fact counts and date range."""
    sub = _grouped(args)
    key = (
        SortKey(sub.c.facts, parse_int_key)
        if sort == "facts"
        else SortKey(sub.c.pair, parse_str_key)
    )
    stmt: Any = select(sub)
    rows = session.execute(apply_keyset(stmt, key, sub.c.pair, desc, after).limit(limit)).mappings()
    return [
        {
            "pair": r["pair"],
            "parties": [r["a"], r["b"]],
            "fact_count": r["facts"],
            "first_date": r["first"].isoformat() if r["first"] else None,
            "last_date": r["last"].isoformat() if r["last"] else None,
            "_key": r["facts"] if sort == "facts" else r["pair"],
        }
        for r in rows
    ]


def count_dyads(session: Session, args: dict[str, Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(_grouped(args))) or 0)


def _dyad_facts(a: str, b: str, types: list[str] | None = None) -> list[Any]:
    conds = [Fact.status == "published", Fact.dyad == "-".join(sorted((a, b)))]
    if types:
        conds.append(Fact.type.in_(types))
    return conds


def dyad_summary(session: Session, a: str, b: str) -> dict[str, Any]:
    """Counts by type, year and direction; first/last dates; latest value per type; sources."""
    a, b = sorted((a, b))
    rows = session.execute(
        select(
            Fact.id,
            Fact.type,
            Fact.subject,
            Fact.date_start,
            Fact.date_end,
            Fact.date_precision,
            Fact.value,
            Fact.unit,
            Fact.value_qualifier,
        ).where(*_dyad_facts(a, b))
    ).all()
    by_type = Counter(r.type for r in rows)
    by_year = Counter(str(r.date_start.year) if r.date_start else "unknown" for r in rows)
    direction = Counter(f"{r.subject}->{b if r.subject == a else a}" for r in rows)
    dated = [r for r in rows if r.date_start is not None]
    latest: dict[str, dict[str, Any]] = {}
    for r in sorted((r for r in dated if r.value is not None), key=lambda r: (r.date_start, r.id)):
        latest[r.type] = {
            "fact_id": r.id,
            "value": format_decimal(r.value),
            "unit": r.unit,
            "value_qualifier": r.value_qualifier,
            "date": format_date(r.date_start, r.date_precision),
        }
    ids = [r.id for r in rows]
    sources = session.execute(
        select(
            func.count(Source.id.distinct()),
            func.count(func.coalesce(Source.canonical_id, Source.id).distinct()),
        )
        .join(Evidence, Evidence.source_id == Source.id)
        .where(Evidence.fact_id.in_(ids))
    ).one()
    return {
        "pair": f"{a}-{b}",
        "parties": [a, b],
        "fact_count": len(rows),
        "by_type": dict(sorted(by_type.items())),
        "by_year": dict(sorted(by_year.items())),
        "by_direction": dict(sorted(direction.items())),
        "first_date": min(r.date_start for r in dated).isoformat() if dated else None,
        "last_date": max(r.date_end for r in dated).isoformat() if dated else None,
        "latest_values": dict(sorted(latest.items())),
        "source_count": sources[0],
        "independent_source_count": sources[1],
    }


def _period(d: date, bucket: str) -> str:
    return f"{d.year:04d}" if bucket == "year" else f"{d.year:04d}-{d.month:02d}"


def bucket_count(first: date, last: date, bucket: str) -> int:
    """How many buckets lie from ``first`` to ``last``."""
    if bucket == "year":
        return last.year - first.year + 1
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _periods(first: date, last: date, bucket: str) -> list[str]:
    out: list[str] = []
    y, m = first.year, first.month if bucket == "month" else 1
    while (y, m) <= (last.year, last.month if bucket == "month" else 1):
        out.append(f"{y:04d}" if bucket == "year" else f"{y:04d}-{m:02d}")
        if bucket == "year":
            y += 1
        else:
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def dyad_timeline(
    session: Session,
    a: str,
    b: str,
    bucket: str,
    types: list[str] | None,
    span_from: DateSpan | None,
    span_to: DateSpan | None,
) -> dict[str, Any]:
    """Fact counts per year or month (zeros filled), by type, for a chart."""
    a, b = sorted((a, b))
    conds = _dyad_facts(a, b, types)
    if span_from is not None:
        conds.append(Fact.date_end >= span_from.start)
    if span_to is not None:
        conds.append(Fact.date_start <= span_to.end)
    rows = session.execute(
        select(Fact.type, Fact.date_start, Fact.date_precision).where(*conds)
    ).all()
    fine_enough = _PRECISION_RANK["year" if bucket == "year" else "month"]
    placed = [r for r in rows if r.date_start and _PRECISION_RANK[r.date_precision] <= fine_enough]
    undated = sum(1 for r in rows if r.date_start is None)
    counts: dict[str, Counter[str]] = {}
    for r in placed:
        counts.setdefault(_period(r.date_start, bucket), Counter())[r.type] += 1
    dates = [r.date_start for r in placed]
    first = span_from.start if span_from else (min(dates) if dates else None)
    last = span_to.end if span_to else (max(dates) if dates else None)
    if first and last and bucket_count(first, last, bucket) > MAX_BUCKETS:
        raise ValueError(f"At most {MAX_BUCKETS} {bucket}s in one timeline: narrow from/to.")
    periods = _periods(first, last, bucket) if first and last and first <= last else []
    return {
        "pair": f"{a}-{b}",
        "bucket": bucket,
        "data": [
            {
                "period": p,
                "count": sum(counts.get(p, Counter()).values()),
                "by_type": dict(sorted(counts.get(p, Counter()).items())),
            }
            for p in periods
        ],
        "meta": {
            "types": sorted({r.type for r in rows}),
            "undated": undated,
            "too_coarse": len(rows) - len(placed) - undated,
        },
    }
