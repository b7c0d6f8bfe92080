"""Suggested facts: computed when an article is stored, read by curators.

Every source stored by ``importer.import_text`` (``POST /api/v1/sources`` and ``facts
import``) gets its suggestions in the same transaction: the extractor
(``services/extract``) reads the stored body with the source's publication date, and each
candidate is kept as a ``Suggestion`` row (the fact as a curator would POST it, its
evidence spans, confidence and cues), most confident first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..fact_document import format_timestamp
from ..models import Source, Suggestion
from .extract.dates import Published
from .extract.suggest import suggest

EXTRACTOR = "rules-1"  # the name of these rules, kept with each suggestion


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
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def suggestion_document(row: Suggestion) -> dict[str, Any]:
    """A suggestion as the API serves it."""
    return {
        "id": row.id,
        "source_id": row.source_id,
        "status": row.status,
        "confidence": row.confidence,
        "fact": row.fact,
        "cues": row.cues,
        "fact_id": row.fact_id,
        "reason": row.reason,
        "extractor": row.extractor,
        "created_at": format_timestamp(row.created_at),
    }


def source_suggestions(session: Session, source_id: int) -> list[dict[str, Any]]:
    """A source's suggestions, most confident first."""
    rows = session.scalars(
        select(Suggestion).where(Suggestion.source_id == source_id).order_by(Suggestion.position)
    )
    return [suggestion_document(r) for r in rows]
