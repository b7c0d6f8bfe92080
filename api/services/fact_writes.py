"""Editing facts and sources: patches, publication, retraction, entity tags."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .. import fact_document
from ..dates import parse_date_with_precision
from ..models import Evidence, Fact, Source
from ..models.base import utcnow
from ..schemas.fact_input import FactInSchema
from .facts import build_fact, check_key_free, replace_fact
from .fast_facts import LINKS_SQL
from .history import record_change
from .snapshots import source_snapshot


class Conflict(ValueError):
    """A change the entity's state does not allow."""


def fact_state(session: Session, fact_id: int) -> tuple[str, str] | None:
    """A fact's status and strong tag (its version and its sources' versions), or None."""
    conn = session.connection()
    row = conn.execute(select(Fact.status, Fact.version).where(Fact.id == fact_id)).first()
    if row is None:
        return None
    versions = conn.execute(
        select(Source.id, Source.version)
        .join(Evidence, Evidence.source_id == Source.id)
        .where(Evidence.fact_id == fact_id)
        .distinct()
        .order_by(Source.id)
    ).all()
    links = conn.execute(text(LINKS_SQL), {"f": fact_id}).scalars().all()
    return row.status, fact_tag(fact_id, row.version, [(v[0], v[1]) for v in versions], links)


def fact_tag(
    fact_id: int, version: int, source_versions: list[tuple[int, int]], links: Sequence[str]
) -> str:
    """A fact's strong tag from its version, its sources' (id, version) by id, and the links
    its item shows (``fast_facts.LINKS_SQL``: each with the other fact's version)."""
    seed = f"fact:{fact_id}:{version}:{source_versions}"
    if links:  # a fact without links keeps the tag it had before links existed
        seed += f":{list(links)}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def fact_etag(session: Session, fact: Fact) -> str:
    """Strong tag of a fact's current representation."""
    session.flush()
    state = fact_state(session, fact.id)
    assert state is not None
    return state[1]


def source_etag(source: Source) -> str:
    """Strong tag of a source's representation: its version and its duplicates."""
    seed = f"source:{source.id}:{source.version}:{[d.id for d in source.duplicates]}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def fact_as_input(fact: Fact) -> dict[str, Any]:
    """A stored fact written as write-API input (what a PATCH is merged into)."""
    return fact_document.as_input(fact_document.from_object(fact))


def merge_changes(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A fact's input with some fields changed, as a PATCH changes a stored fact (and an
    accepted suggestion's overrides change the suggested fact): a new date brings its own
    precision, a new type its own attributes, and no value leaves no unit or qualifier."""
    merged = dict(base)
    if "date" in changes and "date_precision" not in changes:
        merged.pop("date_precision", None)
    if "type" in changes and "attributes" not in changes:
        merged["attributes"] = {}
    if changes.get("value", merged.get("value")) is None and "value" in changes:
        merged["unit"] = merged["value_qualifier"] = None
    merged.update(changes)
    return merged


def patch_fact(session: Session, fact: Fact, changes: dict[str, Any], author: str) -> bool:
    """Apply a partial change (validated as a whole after merging); False if nothing changed."""
    if fact.status == "retracted":
        raise Conflict("A retracted fact cannot be edited; create a new fact instead.")
    data = FactInSchema().load(merge_changes(fact_as_input(fact), changes))
    if data.get("key") != fact.key:
        check_key_free(session, data.get("key"), fact.id)
    return replace_fact(session, fact, build_fact(session, data), author)


def retract_fact(session: Session, fact: Fact, author: str) -> None:
    """Retract a fact: it keeps its row and history; public reads answer 410."""
    if fact.status == "retracted":
        raise Conflict("The fact is already retracted.")
    before = fact_document.from_object(fact)
    fact.status = "retracted"
    fact.version += 1
    fact.updated_by = author
    fact.updated_at = utcnow()
    record_change(session, fact, "retract", author, before=before)


SOURCE_FIELDS = ("title", "outlet", "url", "language", "authors")


def patch_source(session: Session, source: Source, changes: dict[str, Any], author: str) -> bool:
    """Edit a source's metadata (never its text); False if nothing changed."""
    before = source_snapshot(source)
    for name in SOURCE_FIELDS:
        if name in changes:
            setattr(source, name, changes[name])
    if "published" in changes:
        try:
            span = parse_date_with_precision(
                changes["published"], changes.get("published_precision")
            )
        except ValueError as err:
            raise ValidationError({"published": [str(err)]}) from None
        source.published_start, source.published_end = span.start, span.end
        source.published_precision = span.precision
        source.published_basis = (
            None if span.start is None else changes.get("published_basis") or "stated"
        )
    elif "published_basis" in changes:
        if source.published_start is None:
            raise ValidationError({"published_basis": ["Only with a published date."]})
        source.published_basis = changes["published_basis"]
    if source_snapshot(source) == before:
        return False
    source.version += 1
    source.updated_at = utcnow()
    record_change(session, source, "update", author, before=before)
    return True
