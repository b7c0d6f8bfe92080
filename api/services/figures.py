"""Figures: the facts that measure the same quantity, put side by side.

A **figure** is one quantity: a fact type, its parties (in order where the type points one
way), the type's measure (``trade_volume``'s flow, ``aid_offer``'s kind, ...), one period
(the date at its precision: facts at the same precision whose ranges overlap cover the same
period) and one dimension of unit. Every published fact with a value and a known date
belongs to exactly one figure, named by its **key**, e.g.
``trade_volume:total:IRQ-RUS:2015:USD`` or ``trade_volume:exports:RUS-to-IRQ:2015-06:USD``
(a country's imports from another are the other's exports to it).

Units of one dimension are converted to the figure's unit where the factor is known and
fixed (kilograms and tonnes); each currency is its own dimension, since a fact gives no
exchange basis, so no rate is ever invented. The values of a figure **disagree** when no
single number fits every value as its qualifier reads it (``exact`` that number,
``approximately`` within 10%, ``at_least``, ``at_most``); the ratio of the largest value to
the smallest says by how much. Deprecated facts are shown but left out of that unless asked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..dates import format_date
from ..fact_document import format_decimal
from ..models import Evidence, Fact, Source
from .fact_query import dyad_key

# The attribute that says what a type's value measures (None: the type's value alone).
MEASURES: dict[str, str] = {
    "trade_volume": "flow",
    "aid_offer": "aid_kind",
    "arms_transfer": "item",
    "energy_cooperation": "sector",
    "military_cooperation": "area",
}
# Types whose value belongs to the pair, not to one side.
UNDIRECTED = frozenset({"agreement", "opec_coordination", "phone_call", "intelligence_sharing"})
# unit -> (dimension, factor to the dimension's base unit); other units are their own
# dimension. Currencies are never converted into one another.
UNITS: dict[str, tuple[str, Decimal]] = {
    "t": ("mass", Decimal(1)),
    "tonnes": ("mass", Decimal(1)),
    "tons": ("mass", Decimal(1)),
    "kg": ("mass", Decimal("0.001")),
    "kt": ("mass", Decimal(1000)),
    "Mt": ("mass", Decimal(1000000)),
}
APPROXIMATELY = Decimal("0.10")  # "approximately" reads as within 10%


class UnknownFigure(LookupError):
    """No published fact belongs to the figure with this key."""


def _dimension(unit: str) -> tuple[str, Decimal]:
    return UNITS.get(unit, (unit, Decimal(1)))


def figure_key(fact: Fact) -> str | None:
    """The key of the figure a fact belongs to (None without a value or a known date)."""
    if fact.value is None or fact.unit is None or fact.date_start is None:
        return None
    period = format_date(fact.date_start, fact.date_precision)
    if period is None:
        return None
    measure = "-"
    if fact.type in MEASURES:
        raw = (fact.attributes or {}).get(MEASURES[fact.type])
        measure = str(raw).replace(":", " ") if raw is not None else "-"
    a, b = fact.subject, fact.counterpart
    if fact.type == "trade_volume" and measure in ("subject_exports", "subject_imports"):
        exporter, importer = (a, b) if measure == "subject_exports" else (b, a)
        measure, parties = "exports", f"{exporter}-to-{importer}"
    elif fact.type == "trade_volume" or fact.type in UNDIRECTED:
        parties = dyad_key(a, b)
    else:
        parties = f"{a}-to-{b}"
    return f"{fact.type}:{measure}:{parties}:{period}:{_dimension(fact.unit)[0]}"


def _pair_of(key: str) -> tuple[str, str, str]:
    """A key's type and its two parties (for the query), or UnknownFigure."""
    parts = key.split(":")
    if len(parts) != 5:
        raise UnknownFigure(key)
    sides = parts[2].split("-to-") if "-to-" in parts[2] else parts[2].split("-")
    if len(sides) != 2 or not all(sides):
        raise UnknownFigure(key)
    return parts[0], sides[0], sides[1]


def _facts(session: Session, a: str, b: str, types: list[str] | None) -> list[Fact]:
    query = (
        select(Fact)
        .where(
            Fact.status == "published",
            Fact.dyad == dyad_key(a, b),
            Fact.value.is_not(None),
            Fact.date_start.is_not(None),
        )
        .options(selectinload(Fact.evidence).selectinload(Evidence.source))
        .order_by(Fact.id)
    )
    if types:
        query = query.where(Fact.type.in_(types))
    return list(session.scalars(query))


@dataclass(frozen=True)
class _Reading:
    low: Decimal | None
    high: Decimal | None


def _reading(value: Decimal, qualifier: str | None) -> _Reading:
    if qualifier == "approximately":
        return _Reading(value * (1 - APPROXIMATELY), value * (1 + APPROXIMATELY))
    if qualifier == "at_least":
        return _Reading(value, None)
    if qualifier == "at_most":
        return _Reading(None, value)
    return _Reading(value, value)


def agreement(values: list[tuple[Decimal, str | None]]) -> dict[str, Any]:
    """Whether values (in one unit, with their qualifiers) can all be right, and the ratio
    of the largest to the smallest."""
    if not values:
        return {"disagree": False, "ratio": None}
    readings = [_reading(v, q) for v, q in values]
    lows = [r.low for r in readings if r.low is not None]
    highs = [r.high for r in readings if r.high is not None]
    disagree = bool(lows and highs and max(lows) > min(highs))
    numbers = [v for v, _ in values]
    smallest = min(numbers)
    ratio = (max(numbers) / smallest) if smallest > 0 else None
    return {
        "disagree": disagree,
        "ratio": format_decimal(ratio.quantize(Decimal("0.01"))) if ratio is not None else None,
    }


def _sources(fact: Fact) -> list[Source]:
    seen: dict[int, Source] = {}
    for ev in fact.evidence:
        seen.setdefault(ev.source_id, ev.source)
    return [seen[i] for i in sorted(seen)]


def _side(fact: Fact, unit: str) -> dict[str, Any]:
    sources = _sources(fact)
    factor = _dimension(fact.unit or "")[1]
    target = _dimension(unit)[1]
    assert fact.value is not None
    converted = None
    if fact.unit != unit:
        converted = {"value": format_decimal(fact.value * factor / target), "unit": unit}
    return {
        "fact_id": fact.id,
        "value": format_decimal(fact.value),
        "unit": fact.unit,
        "value_qualifier": fact.value_qualifier,
        "converted": converted,
        "date": format_date(fact.date_start, fact.date_precision),
        "date_precision": fact.date_precision,
        "rank": fact.rank,
        "rank_reason": fact.rank_reason,
        "summary": fact.summary,
        "quotes": [ev.quote for ev in fact.evidence],
        "sources": [
            {
                "id": s.id,
                "outlet": s.outlet,
                "title": s.title,
                "url": s.url,
                "published": format_date(s.published_start, s.published_precision),
            }
            for s in sources
        ],
        "independent_source_count": len({s.canonical_id or s.id for s in sources}),
    }


def _figure(key: str, members: list[Fact], include_deprecated: bool) -> dict[str, Any]:
    ordered = sorted(
        members,
        key=lambda f: ({"preferred": 0, "normal": 1}.get(f.rank, 2), f.date_start, f.id),
    )
    unit = ordered[0].unit or ""
    counted = [f for f in ordered if include_deprecated or f.rank != "deprecated"]
    values = []
    for f in counted:
        assert f.value is not None
        values.append(
            (f.value * _dimension(f.unit or "")[1] / _dimension(unit)[1], f.value_qualifier)
        )
    fact_type, measure, parties, period, _ = key.split(":")
    preferred = [f.id for f in ordered if f.rank == "preferred"]
    return {
        "key": key,
        "type": fact_type,
        "measure": None if measure == "-" else measure,
        "parties": parties,
        "period": period,
        "unit": unit,
        "fact_count": len(ordered),
        "preferred_fact_id": preferred[0] if preferred else None,
        **agreement(values),
        "facts": [_side(f, unit) for f in ordered],
    }


def dyad_figures(
    session: Session,
    a: str,
    b: str,
    types: list[str] | None,
    include_deprecated: bool,
    several: bool = False,
) -> list[dict[str, Any]]:
    """Every figure of a pair's facts (only those reported more than once with
    ``several``), by key; each with its facts side by side."""
    groups: dict[str, list[Fact]] = defaultdict(list)
    for fact in _facts(session, a, b, types):
        key = figure_key(fact)
        if key is not None:
            groups[key].append(fact)
    return [
        _figure(key, members, include_deprecated)
        for key, members in sorted(groups.items())
        if not several or len(members) > 1
    ]


def figure(session: Session, key: str, include_deprecated: bool) -> dict[str, Any]:
    """The figure with this key, or UnknownFigure."""
    fact_type, a, b = _pair_of(key)
    members = [f for f in _facts(session, a, b, [fact_type]) if figure_key(f) == key]
    if not members:
        raise UnknownFigure(key)
    return _figure(key, members, include_deprecated)
