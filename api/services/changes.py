"""The change feed: every create, update, publish and retraction, and every decision on a
suggestion, in commit order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..fact_document import format_timestamp
from ..models import Change, Fact, Revision


def last_seq(session: Session) -> int:
    """The newest sequence number (0 when nothing has happened)."""
    return int(session.scalar(select(func.max(Change.seq))) or 0)


@dataclass(frozen=True)
class ChangePage:
    """One page of the feed and where to resume after it."""

    items: list[dict[str, Any]]
    last_seq: int  # the resume point: this page's last seq (``since`` when empty)
    head_seq: int  # the newest seq in the feed (progress, not a resume point)
    has_more: bool


def changes_page(session: Session, since: int, limit: int, full: bool) -> ChangePage:
    """The page of up to ``limit`` changes after ``since``, with its resume point."""
    items = changes_after(session, since, limit + 1, full)
    has_more = len(items) > limit
    items = items[:limit]
    resume = items[-1]["seq"] if items else since
    return ChangePage(items, resume, max(last_seq(session), resume), has_more)


def changes_after(session: Session, since: int, limit: int, full: bool) -> list[dict[str, Any]]:
    """Up to ``limit`` changes after ``since``; without ``full``, unpublished facts and
    curators' decisions on suggestions are masked.

    A masked row keeps the entity's id and status and drops its content, so a client that
    replays the feed removes the fact from its public copy without learning the draft (and
    learns of a suggestion only that it was decided).
    """
    rows = session.execute(
        select(Change, Revision)
        .join(Revision, Revision.id == Change.revision_id)
        .where(Change.seq > since)
        .order_by(Change.seq)
        .limit(limit)
    )
    out = []
    for change, revision in rows:
        data = revision.snapshot
        if not full and (
            change.entity == "suggestion"
            or (change.entity == "fact" and data.get("status") != "published")
            or (change.entity == "link" and not _between_published(session, data))
        ):
            data = {"id": data["id"], "status": data["status"]}
        out.append(
            {
                "seq": change.seq,
                "entity": change.entity,
                "id": change.entity_id,
                "action": change.action,
                "version": revision.version,
                "author": revision.author if full else None,
                "created_at": format_timestamp(change.created_at),
                "data": data,
            }
        )
    return out


def _between_published(session: Session, link: dict[str, Any]) -> bool:
    """Whether both facts of a link are published now (else the public sees only its id)."""
    ends = [session.get(Fact, link.get(k)) for k in ("from_fact_id", "to_fact_id")]
    return all(f is not None and f.status == "published" for f in ends)
