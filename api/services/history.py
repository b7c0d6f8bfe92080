"""Revisions and the change feed: every change to a fact or a source, and every decision on
a suggestion, is recorded."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import fact_document
from ..fact_document import format_timestamp
from ..models import Change, Fact, FactLink, FactVersion, Revision, Source, Suggestion
from .fact_query import NO_DATE, dyad_key
from .snapshots import link_snapshot, source_snapshot, suggestion_snapshot


def record_change(
    session: Session,
    obj: Fact | Source | Suggestion | FactLink,
    action: str,
    author: str,
    before: dict[str, Any] | None = None,
) -> Revision:
    """Store a revision with the full snapshot of ``obj`` and a change-feed row."""
    session.flush()
    snapshot: dict[str, Any]
    if isinstance(obj, Fact):
        entity, snapshot = "fact", fact_document.from_object(obj)
    elif isinstance(obj, Suggestion):
        entity, snapshot = "suggestion", suggestion_snapshot(obj)
    elif isinstance(obj, FactLink):
        entity, snapshot = "link", link_snapshot(obj)
    else:
        entity, snapshot = "source", source_snapshot(obj)
    changes = diff(before, snapshot)
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
    if entity == "fact":
        _new_version(session, revision)
    return revision


def _new_version(session: Session, revision: Revision) -> None:
    """Close the fact's current period and open the one this revision starts."""
    session.execute(
        update(FactVersion)
        .where(FactVersion.fact_id == revision.entity_id, FactVersion.valid_to.is_(None))
        .values(valid_to=revision.created_at)
    )
    values = version_values(revision.snapshot)
    session.add(FactVersion(revision_id=revision.id, valid_from=revision.created_at, **values))
    session.flush()


def _spaced(values: list[Any]) -> str:
    return " " + " ".join(str(v) for v in values) + " " if values else " "


def version_values(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The columns of a ``FactVersion`` for a fact's snapshot (its served document)."""
    start = date.fromisoformat(snapshot["date_start"]) if snapshot["date_start"] else None
    end = date.fromisoformat(snapshot["date_end"]) if snapshot["date_end"] else None
    value = snapshot["value"]
    texts = [snapshot["summary"], *(e["quote"] for e in snapshot["evidence"])]
    return {
        "fact_id": snapshot["id"],
        "type": snapshot["type"],
        "subject": snapshot["subject"],
        "counterpart": snapshot["counterpart"],
        "dyad": dyad_key(snapshot["subject"], snapshot["counterpart"]),
        "date_start": start,
        "date_end": end,
        "sort_date": start or NO_DATE,
        "value": Decimal(value) if value is not None else None,
        "unit": snapshot["unit"],
        "status": snapshot["status"],
        "created_at": datetime.fromisoformat(snapshot["created_at"].replace("Z", "+00:00")),
        "other_parties": _spaced(snapshot["other_parties"]),
        "actor_ids": _spaced(sorted({a["id"] for a in snapshot["actors"]})),
        "source_ids": _spaced(sorted({e["source_id"] for e in snapshot["evidence"]})),
        "search_text": " ".join(texts).lower(),
        "doc": orjson.dumps(snapshot).decode(),
    }


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any] | None:
    """``{field: {from, to}}`` for every field that differs (None without a before)."""
    if before is None:
        return None
    return {k: {"from": before.get(k), "to": v} for k, v in after.items() if before.get(k) != v}


def revision_dict(r: Revision) -> dict[str, Any]:
    """A revision as served to a token holder: everything."""
    return {
        "id": r.id,
        "version": r.version,
        "action": r.action,
        "author": r.author,
        "created_at": format_timestamp(r.created_at),
        "changes": r.changes,
        "snapshot": r.snapshot,
    }


def fact_revisions(session: Session, fact_id: int) -> list[Revision]:
    """A fact's revisions, oldest first."""
    return list(
        session.scalars(
            select(Revision)
            .where(Revision.entity == "fact", Revision.entity_id == fact_id)
            .order_by(Revision.id)
        )
    )


def public_history(revisions: list[Revision]) -> list[dict[str, Any]] | None:
    """A fact's history as the public may see it; None if it was never published.

    What was never public stays private: revisions before the first publication are left
    out, later unpublished states (a retraction, a return to draft) show only the fact's id
    and status, as in the change feed, and no author is named. ``changes`` compare each
    published revision with the previous published one, so no draft text leaks through a
    ``from``.
    """
    shown: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for r in revisions:
        published = r.snapshot.get("status") == "published"
        if not published and not shown:
            continue
        entry = revision_dict(r)
        entry["author"] = None
        if published:
            entry["changes"] = diff(previous, r.snapshot)
            previous = r.snapshot
        else:
            entry["changes"] = None
            entry["snapshot"] = {"id": r.snapshot["id"], "status": r.snapshot["status"]}
        shown.append(entry)
    return shown or None
