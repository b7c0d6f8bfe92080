"""What the explorer's pages show beside the API's own answers: the dataset's counts, the
newest facts, an article's cited quotes, a pair's measured values over time, a party's
partners. Reads only published facts; callers memoize per data version.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..dates import format_date
from ..models import Evidence, Fact, Source
from . import catalog, dyads, fact_query, fact_reads
from .memo import memo_key, memoized

PUBLISHED = ["published"]


def _pairs(session: Session, version: Any) -> list[dict[str, Any]]:
    """Every pair with published facts (deprecated ones too), most facts first: one pass
    over the facts gives the home page's counts and its top pairs."""
    listing = dyads.DyadListing(session, {"include_deprecated": True}, version)
    _keys, items = listing.page("facts", True, None, 10**7)
    return items


def counts(session: Session, version: Any) -> dict[str, int]:
    """Published facts, sources, pairs and parties with facts."""

    def compute() -> dict[str, int]:
        pairs = _pairs(session, version)
        return {
            "facts": sum(p["fact_count"] for p in pairs),
            "dyads": len(pairs),
            "parties": len({code for p in pairs for code in p["parties"]}),
            "sources": int(session.scalar(select(func.count()).select_from(Source)) or 0),
        }

    return memoized(memo_key("overview-counts"), version, compute)


def newest_facts(session: Session, version: Any, n: int = 10) -> list[dict[str, Any]]:
    """The ``n`` published facts with the latest dates (the API's default order)."""
    args: dict[str, Any] = {"status": PUBLISHED}
    sort = fact_query.DEFAULT_SORT

    def compute() -> list[dict[str, Any]]:
        listing = fact_reads.FactListing(session, fact_reads.fact_query(session, args))
        _keys, items = listing.page(sort.lstrip("-"), sort.startswith("-"), None, n)
        return items

    return memoized(memo_key("overview-newest", n), version, compute)


def top_dyads(session: Session, version: Any, n: int = 10) -> list[dict[str, Any]]:
    """The ``n`` pairs with most published facts."""
    return _pairs(session, version)[:n]


def party(session: Session, code: str, version: Any) -> dict[str, Any] | None:
    """``catalog.get_party``, once per data version."""
    return memoized(
        memo_key("overview-party", code), version, lambda: catalog.get_party(session, code)
    )


def source_quotes(session: Session, source_id: int) -> list[dict[str, Any]]:
    """Every quote of a published fact taken from this source, in the text's order."""
    rows = session.execute(
        select(
            Evidence.id,
            Evidence.fact_id,
            Evidence.start,
            Evidence.end,
            Evidence.quote,
            Evidence.verified,
            Fact.type,
            Fact.summary,
        )
        .join(Fact, Fact.id == Evidence.fact_id)
        .where(Evidence.source_id == source_id, Fact.status == "published")
        .order_by(Evidence.start, Evidence.id)
    ).all()
    return [
        {
            "id": r.id,
            "fact_id": r.fact_id,
            "start": r.start,
            "end": r.end,
            "quote": r.quote,
            "verified": r.verified,
            "type": r.type,
            "summary": r.summary,
        }
        for r in rows
    ]


def _decimal_year(day: Any, precision: str) -> float:
    """Where a date sits on a year axis: its middle at its precision."""
    if precision == "year":
        return day.year + 0.5
    if precision == "month":
        return day.year + (day.month - 0.5) / 12
    return day.year + (day.timetuple().tm_yday - 0.5) / 366


POINTS = 100  # per series: the latest; the whole series is the API's list


def dyad_values(
    session: Session, a: str, b: str, version: Any, include_deprecated: bool = False
) -> list[dict[str, Any]]:
    """A pair's published facts that carry a value, by date: one series per type and unit,
    its latest POINTS facts (``total`` says how many there are).

    Each point names its fact and its first source; facts without a usable date (unknown
    precision) cannot be placed and are left out.
    """
    a, b = sorted((a, b))

    def compute() -> list[dict[str, Any]]:
        conds = [
            Fact.status == "published",
            Fact.dyad == f"{a}-{b}",
            Fact.value.is_not(None),
            Fact.date_precision.in_(("day", "month", "year")),
        ]
        if not include_deprecated:
            conds.append(Fact.rank != "deprecated")
        series = (Fact.type, Fact.unit)
        ranked = (
            select(
                Fact.id,
                Fact.type,
                Fact.subject,
                Fact.counterpart,
                Fact.date_start,
                Fact.date_precision,
                Fact.value,
                Fact.unit,
                Fact.value_qualifier,
                Fact.summary,
                func.row_number()
                .over(partition_by=series, order_by=(Fact.date_start.desc(), Fact.id.desc()))
                .label("n"),
                func.count().over(partition_by=series).label("total"),
            )
            .where(*conds)
            .subquery()
        )
        rows = session.execute(
            select(ranked)
            .where(ranked.c.n <= POINTS)
            .order_by(ranked.c.type, ranked.c.unit, ranked.c.date_start, ranked.c.id)
        ).all()
        first_source = dict(
            session.execute(
                select(Evidence.fact_id, func.min(Evidence.source_id))
                .where(Evidence.fact_id.in_([r.id for r in rows]))
                .group_by(Evidence.fact_id)
            ).all()
        )
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for r in rows:
            entry = out.setdefault(
                (r.type, r.unit or ""),
                {"type": r.type, "unit": r.unit, "total": r.total, "points": []},
            )
            entry["points"].append(
                {
                    "fact_id": r.id,
                    "source_id": first_source.get(r.id),
                    "direction": f"{r.subject}→{r.counterpart}",
                    "date": format_date(r.date_start, r.date_precision),
                    "x": round(_decimal_year(r.date_start, r.date_precision), 4),
                    "value": float(r.value),
                    "value_text": format(Decimal(r.value).normalize(), "f"),
                    "unit": r.unit,
                    "qualifier": r.value_qualifier,
                    "summary": r.summary,
                }
            )
        return list(out.values())

    return memoized(memo_key("overview-values", a, b, include_deprecated), version, compute)
