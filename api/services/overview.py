"""What the explorer's pages show beside the API's own answers: the dataset's counts, the
newest facts, an article's cited quotes, a pair's measured values over time, a party's
partners. Reads only published facts; callers memoize per data version.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..dates import format_date
from ..models import Evidence, Fact, Source
from . import dyads, fact_query, fact_reads
from .memo import memo_key, memoized

PUBLISHED = ["published"]


def counts(session: Session, version: Any) -> dict[str, int]:
    """Published facts, sources, pairs and parties with facts."""

    def compute() -> dict[str, int]:
        published = Fact.status == "published"
        facts, pairs = session.execute(
            select(func.count(), func.count(func.distinct(Fact.dyad))).where(published)
        ).one()
        subjects = select(Fact.subject.label("code")).where(published)
        counterparts = select(Fact.counterpart.label("code")).where(published)
        parties = session.scalar(
            select(func.count()).select_from(subjects.union(counterparts).subquery())
        )
        sources = session.scalar(select(func.count()).select_from(Source))
        return {
            "facts": int(facts or 0),
            "dyads": int(pairs or 0),
            "parties": int(parties or 0),
            "sources": int(sources or 0),
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


def top_dyads(
    session: Session, version: Any, n: int = 10, party: str | None = None
) -> list[dict[str, Any]]:
    """The pairs with most published facts (of ``party`` when given)."""
    args: dict[str, Any] = {"party": party} if party else {}
    listing = dyads.DyadListing(session, args, version)
    _keys, items = listing.page("facts", True, None, n)
    return items


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


MAX_POINTS = 500


def dyad_values(
    session: Session, a: str, b: str, version: Any, include_deprecated: bool = False
) -> list[dict[str, Any]]:
    """A pair's published facts that carry a value, by date: one series per type and unit.

    Each point names its fact and its first source; facts without a usable date
    (unknown precision) cannot be placed and are left out. At most MAX_POINTS per
    series, the latest.
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
        first_source = (
            select(func.min(Evidence.source_id))
            .where(Evidence.fact_id == Fact.id)
            .correlate(Fact)
            .scalar_subquery()
        )
        rows = session.execute(
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
                first_source.label("source_id"),
            )
            .where(*conds)
            .order_by(Fact.type, Fact.unit, Fact.date_start.desc(), Fact.id.desc())
        ).all()
        series: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in rows:
            points = series.setdefault((r.type, r.unit or ""), [])
            if len(points) >= MAX_POINTS:
                continue
            points.append(
                {
                    "fact_id": r.id,
                    "source_id": r.source_id,
                    "direction": f"{r.subject}→{r.counterpart}",
                    "date": format_date(r.date_start, r.date_precision),
                    "x": round(_decimal_year(r.date_start, r.date_precision), 4),
                    "value": float(r.value),
                    "value_text": format(r.value.normalize(), "f"),
                    "unit": r.unit,
                    "qualifier": r.value_qualifier,
                    "summary": r.summary,
                }
            )
        return [
            {"type": kind, "unit": unit or None, "points": list(reversed(points))}
            for (kind, unit), points in series.items()
        ]

    return memoized(memo_key("overview-values", a, b, include_deprecated), version, compute)
