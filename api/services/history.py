"""Revisions and the change feed: every change to a fact or source is recorded."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..models import Change, Fact, Revision, Source
from .snapshots import fact_snapshot, source_snapshot


def record_change(
    session: Session,
    obj: Fact | Source,
    action: str,
    author: str,
    before: dict[str, Any] | None = None,
) -> Revision:
    """Store a revision with the full snapshot of ``obj`` and a change-feed row."""
    session.flush()
    if isinstance(obj, Fact):
        entity, snapshot = "fact", fact_snapshot(obj)
    else:
        entity, snapshot = "source", source_snapshot(obj)
    changes = None
    if before is not None:
        changes = {
            k: {"from": before.get(k), "to": v} for k, v in snapshot.items() if before.get(k) != v
        }
    revision = Revision(
        entity=entity,
        entity_id=obj.id,
        version=obj.version,
        action=action,
        author=author,
        snapshot=snapshot,
        changes=changes,
    )
    session.add(revision)
    session.flush()
    session.add(Change(entity=entity, entity_id=obj.id, action=action, revision_id=revision.id))
    return revision
