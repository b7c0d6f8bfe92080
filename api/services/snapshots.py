"""The plain-JSON representation of facts and sources: used by revisions and the API."""

from __future__ import annotations

from datetime import UTC, datetime
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


def format_timestamp(value: datetime | None) -> str | None:
    """RFC 3339 in UTC, always with microseconds: 2026-11-22T06:12:22.875697Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if value else None


def build_fact(
    row: Any,
    other_parties: list[str],
    actors: list[dict[str, Any]],
    evidence: list[dict[str, Any]],
) -> dict[str, Any]:
    """A fact's representation from its columns (an ORM object or a Core row) and its lists."""
    return {
        "id": row.id,
        "key": row.key,
        "type": row.type,
        "subject": row.subject,
        "counterpart": row.counterpart,
        "other_parties": other_parties,
        "date": format_date(row.date_start, row.date_precision),
        "date_start": row.date_start.isoformat() if row.date_start else None,
        "date_end": row.date_end.isoformat() if row.date_end else None,
        "date_precision": row.date_precision,
        "date_basis": row.date_basis,
        "value": format_decimal(row.value),
        "unit": row.unit,
        "value_qualifier": row.value_qualifier,
        "summary": row.summary,
        "attributes": row.attributes or {},
        "actors": actors,
        "evidence": evidence,
        "status": row.status,
        "version": row.version,
        "created_at": format_timestamp(row.created_at),
        "updated_at": format_timestamp(row.updated_at),
    }


def actor_ref(actor_id: int, key: str, name: str, role: str) -> dict[str, Any]:
    """An actor as listed in a fact."""
    return {"id": actor_id, "key": key, "name": name, "role": role}


def evidence_ref(
    ev_id: int | None, source_id: int, quote: str, start: int, end: int, verified: bool
) -> dict[str, Any]:
    """An evidence row as listed in a fact."""
    return {
        "id": ev_id,
        "source_id": source_id,
        "quote": quote,
        "start": start,
        "end": end,
        "verified": verified,
    }


def fact_snapshot(fact: Fact) -> dict[str, Any]:
    """Everything a fact says, as JSON-ready values (from the ORM object)."""
    return build_fact(
        fact,
        [p.party_code for p in fact.other_parties],
        [
            actor_ref(fa.actor_id, fa.actor.key, fa.actor.name, fa.role)
            for fa in sorted(fact.actors, key=lambda a: (a.actor_id, a.role))
        ],
        [
            evidence_ref(ev.id, ev.source_id, ev.quote, ev.start, ev.end, ev.verified)
            for ev in fact.evidence
        ],
    )


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
        "created_at": format_timestamp(source.created_at),
        "updated_at": format_timestamp(source.updated_at),
    }
