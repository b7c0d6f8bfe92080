"""The plain-JSON representation of sources and suggestions (a fact's is
``api.fact_document``)."""

from __future__ import annotations

from typing import Any

from ..dates import format_date
from ..fact_document import format_timestamp
from ..models import FactLink, Source, Suggestion


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


def suggestion_snapshot(row: Suggestion) -> dict[str, Any]:
    """A suggestion as the API serves it and as its revisions keep it."""
    return {
        "id": row.id,
        "source_id": row.source_id,
        "status": row.status,
        "version": row.version,
        "confidence": row.confidence,
        "fact": row.fact,
        "cues": row.cues,
        "fact_id": row.fact_id,
        "overrides": row.overrides,
        "reason": row.reason,
        "decided_by": row.decided_by,
        "decided_at": format_timestamp(row.decided_at) if row.decided_at else None,
        "extractor": row.extractor,
        "created_at": format_timestamp(row.created_at),
    }


def link_snapshot(link: FactLink) -> dict[str, Any]:
    """A link between facts as the API serves it and as its revisions keep it."""
    return {
        "id": link.id,
        "from_fact_id": link.from_fact_id,
        "relation": link.relation,
        "to_fact_id": link.to_fact_id,
        "note": link.note,
        "status": "removed" if link.removed_at else "active",
        "version": link.version,
        "created_by": link.created_by,
        "created_at": format_timestamp(link.created_at),
        "removed_by": link.removed_by,
        "removed_at": format_timestamp(link.removed_at) if link.removed_at else None,
    }
