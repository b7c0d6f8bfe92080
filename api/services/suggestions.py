"""Suggested facts: computed when an article is stored, decided on by curators.

Every source stored by ``importer.import_text`` (``POST /api/v1/sources`` and ``facts
import``) gets its suggestions in the same transaction: the extractor
(``services/extract``) reads the stored body with the source's publication date, and each
candidate is kept as a ``Suggestion`` row (the fact as a curator would POST it, its
evidence spans, confidence and cues), most confident first.

A curator accepts one (with optional overrides: it becomes a draft fact through the rules
of ``POST /facts``) or rejects it (with an optional reason). Each decision is a revision
of the suggestion and a row of the change feed, and the decided suggestions are what
``stats`` counts: per type and per cue, how often a suggestion was taken as it was,
corrected, or rejected.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Fact, Source, Suggestion
from ..models.base import utcnow
from ..schemas.fact_input import FactInSchema
from .extract.dates import Published
from .extract.suggest import suggest
from .fact_writes import Conflict, merge_changes
from .facts import create_fact
from .history import record_change
from .snapshots import suggestion_snapshot

EXTRACTOR = "rules-1"  # the name of these rules, kept with each suggestion
DECISIONS = ("accepted", "rejected")


class AlreadyDecided(Conflict):
    """A suggestion a curator has already accepted or rejected (answered 409)."""

    def __init__(self, row: Suggestion) -> None:
        self.status, self.fact_id = row.status, row.fact_id
        became = f" as fact {row.fact_id}" if row.fact_id is not None else ""
        super().__init__(f"Suggestion {row.id} was already {row.status}{became}.")


def published_of(source: Source) -> Published:
    """The source's publication date as the extractor reads it."""
    if source.published_precision == "unknown" or source.published_start is None:
        return Published(None)
    return Published(source.published_start, source.published_precision)


def suggest_for(session: Session, source: Source) -> list[Suggestion]:
    """Compute and store the suggestions of a newly stored source."""
    rows = []
    for position, found in enumerate(suggest(source.body, published_of(source))):
        row = Suggestion(
            source_id=source.id,
            position=position,
            fact=found.fact,
            confidence=round(found.confidence, 2),
            cues=found.cues,
            extractor=EXTRACTOR,
            status="open",
            version=1,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def source_suggestions(session: Session, source_id: int) -> list[dict[str, Any]]:
    """A source's suggestions, most confident first."""
    rows = session.scalars(
        select(Suggestion).where(Suggestion.source_id == source_id).order_by(Suggestion.position)
    )
    return [suggestion_snapshot(r) for r in rows]


def find(session: Session, source_id: int, suggestion_id: int) -> Suggestion | None:
    """One suggestion of a source (None if the source has no such suggestion)."""
    row = session.get(Suggestion, suggestion_id)
    return row if row is not None and row.source_id == source_id else None


def suggested_input(row: Suggestion) -> dict[str, Any]:
    """The suggested fact as input to ``POST /facts``: a draft citing this source."""
    data = dict(row.fact)
    data["evidence"] = [{**ev, "source_id": row.source_id} for ev in row.fact["evidence"]]
    data["status"] = "draft"
    return data


def _decide(row: Suggestion, status: str, author: str) -> dict[str, Any]:
    if row.status != "open":
        raise AlreadyDecided(row)
    before = suggestion_snapshot(row)
    row.status = status
    row.decided_by = author
    row.decided_at = utcnow()
    row.version += 1
    return before


def accept(session: Session, row: Suggestion, overrides: dict[str, Any], author: str) -> Fact:
    """Make the suggestion a draft fact, with ``overrides`` merged in as a PATCH would be.

    The merged fact is checked as a whole by the rules of ``POST /facts`` (vocabulary,
    parties, actors, dates, quotes verified against the source); any error rejects the
    whole request and leaves the suggestion open.
    """
    if row.status != "open":
        raise AlreadyDecided(row)
    suggested = suggested_input(row)
    merged = merge_changes(suggested, overrides)
    merged["status"] = "draft"
    fact = create_fact(session, FactInSchema().load(merged), author)
    before = _decide(row, "accepted", author)
    row.fact_id = fact.id
    fields = set(merged) | set(suggested)
    row.overrides = sorted(k for k in fields if merged.get(k) != suggested.get(k))
    record_change(session, row, "accept", author, before=before)
    return fact


def reject(session: Session, row: Suggestion, reason: str | None, author: str) -> None:
    """Mark the suggestion rejected, with the curator's reason if given."""
    before = _decide(row, "rejected", author)
    row.reason = reason
    record_change(session, row, "reject", author, before=before)


def _ratio(good: int, total: int) -> float | None:
    return round(good / total, 3) if total else None


def stats(session: Session, extractor: str | None = None) -> dict[str, Any]:
    """How curators decided: counts per status, per suggested type and per cue.

    For a cue (a field and the reason the extractor gave for it, e.g. ``date``/``inferred``)
    a decided suggestion counts as ``accepted`` when it was accepted with that field as
    suggested, ``corrected`` when it was accepted with that field overridden, ``rejected``
    when the suggestion was rejected; ``precision`` is accepted over all three. A type's
    ``precision`` is accepted (as suggested or corrected) over accepted and rejected.
    """
    where = [Suggestion.extractor == extractor] if extractor is not None else []
    by_status = Counter(
        {
            status: int(count)
            for status, count in session.execute(
                select(Suggestion.status, func.count()).where(*where).group_by(Suggestion.status)
            )
        }
    )
    types: dict[str, Counter[str]] = {}
    cues: dict[tuple[str, str], Counter[str]] = {}
    decided = session.execute(
        select(Suggestion.status, Suggestion.fact, Suggestion.cues, Suggestion.overrides).where(
            Suggestion.status.in_(DECISIONS), *where
        )
    )
    for status, fact, row_cues, overrides in decided:
        types.setdefault(fact["type"], Counter())[status] += 1
        changed = set(overrides or [])
        for field, why in sorted({(c["field"], c["why"]) for c in row_cues}):
            outcome = status if status == "rejected" or field not in changed else "corrected"
            cues.setdefault((field, why), Counter())[outcome] += 1
    return {
        "extractor": extractor,
        "total": sum(by_status.values()),
        "open": by_status["open"],
        "accepted": by_status["accepted"],
        "rejected": by_status["rejected"],
        "precision": _ratio(by_status["accepted"], by_status["accepted"] + by_status["rejected"]),
        "by_type": [
            {
                "type": name,
                "accepted": c["accepted"],
                "rejected": c["rejected"],
                "precision": _ratio(c["accepted"], c["accepted"] + c["rejected"]),
            }
            for name, c in sorted(types.items())
        ],
        "by_cue": [
            {
                "field": field,
                "why": why,
                "accepted": c["accepted"],
                "corrected": c["corrected"],
                "rejected": c["rejected"],
                "precision": _ratio(c["accepted"], c["accepted"] + c["corrected"] + c["rejected"]),
            }
            for (field, why), c in sorted(cues.items())
        ],
    }
