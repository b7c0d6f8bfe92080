"""The plain-JSON representation of sources (a fact's is ``api.fact_document``)."""

from __future__ import annotations

from typing import Any

from ..dates import format_date
from ..fact_document import format_timestamp
from ..models import Source


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
