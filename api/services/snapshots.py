"""The plain-JSON representation of facts and sources: used by revisions and the API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ..models import Fact, Source
from .dates import format_date


def format_decimal(value: Decimal | None) -> str | None:
    """Write a decimal exactly, without exponent or trailing zeros (``2000000000``)."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _ts(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def fact_snapshot(fact: Fact) -> dict[str, Any]:
    """Everything a fact says, as JSON-ready values."""
    return {
        "id": fact.id,
        "key": fact.key,
        "type": fact.type,
        "subject": fact.subject,
        "counterpart": fact.counterpart,
        "other_parties": [p.party_code for p in fact.other_parties],
        "date": format_date(fact.date_start, fact.date_precision),
        "date_start": fact.date_start.isoformat() if fact.date_start else None,
        "date_end": fact.date_end.isoformat() if fact.date_end else None,
        "date_precision": fact.date_precision,
        "date_basis": fact.date_basis,
        "value": format_decimal(fact.value),
        "unit": fact.unit,
        "value_qualifier": fact.value_qualifier,
        "summary": fact.summary,
        "attributes": fact.attributes or {},
        "actors": [
            {"id": fa.actor_id, "key": fa.actor.key, "name": fa.actor.name, "role": fa.role}
            for fa in sorted(fact.actors, key=lambda a: (a.actor_id, a.role))
        ],
        "evidence": [
            {
                "id": ev.id,
                "source_id": ev.source_id,
                "quote": ev.quote,
                "start": ev.start,
                "end": ev.end,
                "verified": ev.verified,
            }
            for ev in fact.evidence
        ],
        "status": fact.status,
        "version": fact.version,
        "created_at": _ts(fact.created_at),
        "updated_at": _ts(fact.updated_at),
    }


def source_summary(source: Source) -> dict[str, Any]:
    """The short form of a source linked from a fact."""
    return {
        "id": source.id,
        "title": source.title,
        "outlet": source.outlet,
        "url": source.url,
        "published": format_date(source.published_start, source.published_precision),
        "canonical_id": source.canonical_id,
    }


def source_snapshot(source: Source) -> dict[str, Any]:
    """A source's metadata and text (not ``raw``), as JSON-ready values."""
    return {
        **source_summary(source),
        "published_precision": source.published_precision,
        "published_basis": source.published_basis,
        "authors": source.authors or [],
        "dateline": source.dateline,
        "language": source.language,
        "file_name": source.file_name,
        "sha256": source.sha256,
        "similarity": source.similarity,
        "body": source.body,
        "version": source.version,
        "created_at": _ts(source.created_at),
        "updated_at": _ts(source.updated_at),
    }
