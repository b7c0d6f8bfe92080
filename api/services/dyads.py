"""Dyads (unordered pairs of parties): lists, summaries and timelines of published facts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, extract, func, literal, or_, select
from sqlalchemy.orm import Session

from ..dates import DateSpan, format_date
from ..fact_document import format_decimal
from ..models import Evidence, Fact, Source
from .memo import memo_key, memoized
from .paging import (
    PAGING_ARGS,
    Items,
    Keys,
    SortKey,
    apply_keyset,
    fingerprint,
    parse_int_key,
    parse_str_key,
)

DYAD_SORTS = ("facts", "pair")
MAX_BUCKETS = 1200


def _grouped(args: dict[str, Any]) -> Any:
    conds: list[Any] = [Fact.status == "published"]
    if not args.get("include_deprecated"):
        conds.append(Fact.rank != "deprecated")
    if args.get("party"):
        conds.append(or_(Fact.subject == args["party"], Fact.counterpart == args["party"]))
    if args.get("type"):
        conds.append(Fact.type.in_(args["type"]))
    return (
        select(
            Fact.dyad.label("pair"),
            func.count().label("facts"),
            func.min(Fact.date_start).label("first"),
            func.max(Fact.date_end).label("last"),
        )
        .where(*conds)
        .group_by(Fact.dyad)
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
            "parties": r["pair"].split("-", 1),
            "fact_count": r["facts"],
            "first_date": r["first"].isoformat() if r["first"] else None,
            "last_date": r["last"].isoformat() if r["last"] else None,
            "_key": r["facts"] if sort == "facts" else r["pair"],
        }
        for r in rows
    ]


def count_dyads(session: Session, args: dict[str, Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(_grouped(args))) or 0)


def _dyad_facts(
    a: str, b: str, types: list[str] | None = None, include_deprecated: bool = False
) -> list[Any]:
    """The published facts of a pair (deprecated ones only when asked for)."""
    conds = [Fact.status == "published", Fact.dyad == "-".join(sorted((a, b)))]
    if types:
        conds.append(Fact.type.in_(types))
    if not include_deprecated:
        conds.append(Fact.rank != "deprecated")
    return conds


def dyad_summary(
    session: Session, a: str, b: str, include_deprecated: bool = False
) -> dict[str, Any]:
    """Counts by type, year and direction; first/last dates; latest value per type; sources.

    Deprecated facts are left out (and counted apart) unless ``include_deprecated``; the
    value of a type is its preferred fact's where one has a value, else the latest one's.
    """
    a, b = sorted((a, b))
    where = _dyad_facts(a, b, include_deprecated=include_deprecated)
    conn = session.connection()
    # One pass over the dyad's facts, grouped finely; the counts are folded in Python.
    year = extract("year", Fact.date_start)
    by_type: Counter[str] = Counter()
    by_year: Counter[str] = Counter()
    by_direction: Counter[str] = Counter()
    firsts: list[date] = []
    lasts: list[date] = []
    deprecated = Fact.rank == "deprecated"
    grouped = (
        select(
            Fact.type,
            year,
            Fact.subject,
            deprecated,
            func.count(),
            func.min(Fact.date_start),
            func.max(Fact.date_end),
        )
        .where(*_dyad_facts(a, b, include_deprecated=True))
        .group_by(Fact.type, year, Fact.subject, deprecated)
    )
    left_out = 0
    for kind, y, subject, is_deprecated, n, first_start, last_end in conn.execute(grouped):
        if is_deprecated and not include_deprecated:
            left_out += n
            continue
        by_type[kind] += n
        by_year[str(int(y)) if y is not None else "unknown"] += n
        by_direction[f"{subject}->{b if subject == a else a}"] += n
        if first_start is not None and last_end is not None:
            firsts.append(first_start)
            lasts.append(last_end)
    first, last = (min(firsts), max(lasts)) if firsts else (None, None)
    preferred_first = case((Fact.rank == "preferred", 0), else_=1)
    position = (
        func.row_number()
        .over(
            partition_by=Fact.type,
            order_by=(preferred_first, Fact.date_start.desc(), Fact.id.desc()),
        )
        .label("position")
    )
    ranked = (
        select(
            Fact.id,
            Fact.type,
            Fact.value,
            Fact.unit,
            Fact.value_qualifier,
            Fact.date_start,
            Fact.date_precision,
            Fact.rank,
            position,
        )
        .where(*where, Fact.value.is_not(None), Fact.date_start.is_not(None))
        .subquery()
    )
    latest = {
        r.type: {
            "fact_id": r.id,
            "value": format_decimal(r.value),
            "unit": r.unit,
            "value_qualifier": r.value_qualifier,
            "date": format_date(r.date_start, r.date_precision),
            "rank": r.rank,
            "chosen": "preferred" if r.rank == "preferred" else "latest",
        }
        for r in conn.execute(select(ranked).where(ranked.c.position == 1))
    }
    sources = conn.execute(
        select(
            func.count(Source.id.distinct()),
            func.count(func.coalesce(Source.canonical_id, Source.id).distinct()),
        )
        .select_from(Evidence)
        .join(Source, Source.id == Evidence.source_id)
        .join(Fact, Fact.id == Evidence.fact_id)
        .where(*where)
    ).one()
    return {
        "pair": f"{a}-{b}",
        "parties": [a, b],
        "fact_count": sum(by_type.values()),
        "by_type": dict(sorted(by_type.items())),
        "by_year": dict(sorted(by_year.items())),
        "by_direction": dict(sorted(by_direction.items())),
        "first_date": first.isoformat() if first else None,
        "last_date": last.isoformat() if last else None,
        "latest_values": dict(sorted(latest.items())),
        "source_count": sources[0],
        "independent_source_count": sources[1],
        "deprecated_count": left_out,
        "include_deprecated": include_deprecated,
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
    include_deprecated: bool = False,
) -> dict[str, Any]:
    """Fact counts per year or month (zeros filled), by type, for a chart."""
    a, b = sorted((a, b))
    conds = _dyad_facts(a, b, types, include_deprecated)
    if span_from is not None:
        conds.append(Fact.date_end >= span_from.start)
    if span_to is not None:
        conds.append(Fact.date_start <= span_to.end)
    fine = ("day", "month", "year") if bucket == "year" else ("day", "month")
    year = extract("year", Fact.date_start)
    month = extract("month", Fact.date_start) if bucket == "month" else literal(1)
    conn = session.connection()
    placed = conn.execute(
        select(year, month, Fact.type, func.count())
        .where(*conds, Fact.date_precision.in_(fine))
        .group_by(year, month, Fact.type)
    ).all()
    totals = dict(
        conn.execute(
            select(Fact.date_precision, func.count()).where(*conds).group_by(Fact.date_precision)
        ).all()
    )
    types_seen = sorted(conn.execute(select(Fact.type).where(*conds).group_by(Fact.type)).scalars())
    counts: dict[str, Counter[str]] = {}
    months: list[date] = []
    for y, m, kind, n in placed:
        when = date(int(y), int(m), 1)
        months.append(when)
        counts.setdefault(_period(when, bucket), Counter())[kind] += n
    first = span_from.start if span_from else (min(months) if months else None)
    last = span_to.end if span_to else (max(months) if months else None)
    if first and last and bucket_count(first, last, bucket) > MAX_BUCKETS:
        raise ValueError(f"At most {MAX_BUCKETS} {bucket}s in one timeline: narrow from/to.")
    periods = _periods(first, last, bucket) if first and last and first <= last else []
    undated = totals.get("unknown", 0)
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
            "types": types_seen,
            "undated": undated,
            "too_coarse": sum(totals.values())
            - sum(sum(c.values()) for c in counts.values())
            - undated,
        },
    }


@dataclass
class DyadListing:
    """The dyad list (``paging.Listing``), memoized per data version (None: not memoized)."""

    session: Session
    args: dict[str, Any]
    version: Any

    def digest(self) -> str:
        return fingerprint({k: v for k, v in self.args.items() if k not in PAGING_ARGS})

    def _rows(self, sort: str, desc: bool, after: Any, limit: int) -> list[dict[str, Any]]:
        return memoized(
            memo_key("dyads", self.args, sort, desc, after, limit),
            self.version,
            lambda: dyad_page(self.session, self.args, sort, desc, after, limit),
        )

    def page(self, sort: str, descending: bool, after: Any, limit: int) -> tuple[Keys, Items]:
        found = self._rows(sort, descending, after, limit)
        return [(r["_key"], r["pair"]) for r in found], [_public(r) for r in found]

    def count(self) -> int:
        return memoized(
            memo_key("dyad-count", self.args),
            self.version,
            lambda: count_dyads(self.session, self.args),
        )

    def export(self, sort: str, descending: bool) -> Iterator[dict[str, Any]]:
        after = None
        while True:
            found = self._rows(sort, descending, after, 1000)
            yield from (_public(r) for r in found)
            if len(found) < 1000:
                return
            after = (found[-1]["_key"], found[-1]["pair"])


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def cached_summary(
    session: Session, a: str, b: str, include_deprecated: bool, version: Any
) -> dict[str, Any]:
    """``dyad_summary``, computed once per data version (the API and the explorer)."""
    return memoized(
        memo_key("dyad", sorted((a, b)), include_deprecated),
        version,
        lambda: dyad_summary(session, a, b, include_deprecated),
    )


def cached_timeline(
    session: Session,
    a: str,
    b: str,
    version: Any,
    bucket: str = "year",
    types: list[str] | None = None,
    span_from: DateSpan | None = None,
    span_to: DateSpan | None = None,
    include_deprecated: bool = False,
) -> dict[str, Any]:
    """``dyad_timeline``, computed once per data version (ValueError: too many buckets)."""
    return memoized(
        memo_key("timeline", sorted((a, b)), bucket, types, span_from, span_to, include_deprecated),
        version,
        lambda: dyad_timeline(session, a, b, bucket, types, span_from, span_to, include_deprecated),
    )
