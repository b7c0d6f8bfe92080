"""Typed, directed links between facts: the rules for making and removing them, the links
of a fact both ways, and the chain an offer makes with its outcomes.

"A fulfils B" is stored as (from A, relation fulfils, to B). The rules: both facts exist and
are not retracted, a fact never links to itself, one active link per (A, relation, B),
``supersedes`` never closes a cycle, and ``fulfils`` only from a fact not dated before the
one it fulfils. Every link and every removal is a revision (entity ``link``) and a
change-feed row; a removed link keeps its row.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from ..dates import format_date
from ..models import Fact, FactLink
from ..models.base import utcnow
from ..vocabulary import LINK_RELATIONS
from .fact_writes import Conflict
from .history import record_change
from .snapshots import link_snapshot

# The relations a chain follows, from an outcome back to what it answers.
CHAIN_RELATIONS = ("fulfils", "follows_up")


class LinkExists(Conflict):
    """The same link is already there (409)."""

    def __init__(self, link: FactLink) -> None:
        super().__init__(
            f"Fact {link.from_fact_id} already {link.relation} fact {link.to_fact_id} "
            f"(link {link.id})."
        )
        self.link = link


def _active(session: Session, *conditions: Any, at: datetime | None = None) -> list[FactLink]:
    """The links active now (or at the time ``at``) that meet ``conditions``, by id."""
    when: list[ColumnElement[bool]]
    if at is None:
        when = [FactLink.removed_at.is_(None)]
    else:
        when = [
            FactLink.created_at <= at,
            or_(FactLink.removed_at.is_(None), FactLink.removed_at > at),
        ]
    return list(session.scalars(select(FactLink).where(*when, *conditions).order_by(FactLink.id)))


def _supersedes_path(session: Session, start: int, goal: int) -> bool:
    """Whether ``start`` already supersedes ``goal``, directly or through others."""
    seen, queue = {start}, deque([start])
    while queue:
        current = queue.popleft()
        for link in _active(
            session, FactLink.from_fact_id == current, FactLink.relation == "supersedes"
        ):
            if link.to_fact_id == goal:
                return True
            if link.to_fact_id not in seen:
                seen.add(link.to_fact_id)
                queue.append(link.to_fact_id)
    return False


def create_link(session: Session, source: Fact, data: dict[str, Any], author: str) -> FactLink:
    """Link ``source`` to ``data["to"]`` by ``data["relation"]``; ValidationError (422) for
    a broken rule, LinkExists (409) for a link already there."""
    relation, target_id = data["relation"], data["to"]
    errors: dict[str, list[str]] = {}
    target = session.get(Fact, target_id)
    if source.status == "retracted":
        errors["from"] = [f"Fact {source.id} is retracted: it takes no new links."]
    if target_id == source.id:
        errors["to"] = ["A fact cannot be linked to itself."]
    elif target is None:
        errors["to"] = [f"No fact with id {target_id}."]
    elif target.status == "retracted":
        errors["to"] = [f"Fact {target_id} is retracted: it takes no new links."]
    if errors:
        raise ValidationError(errors)
    assert target is not None
    if relation == "supersedes" and _supersedes_path(session, target.id, source.id):
        raise ValidationError(
            {
                "to": [
                    f"Fact {target.id} already supersedes fact {source.id}: this would be a cycle."
                ]
            }
        )
    if (
        relation == "fulfils"
        and source.date_end is not None
        and target.date_start is not None
        and source.date_end < target.date_start
    ):
        raise ValidationError(
            {
                "relation": [
                    f"Fact {source.id} ({format_date(source.date_start, source.date_precision)}) "
                    f"is dated before fact {target.id} "
                    f"({format_date(target.date_start, target.date_precision)}): "
                    "an outcome cannot fulfil what came after it."
                ]
            }
        )
    same = _active(
        session,
        FactLink.from_fact_id == source.id,
        FactLink.to_fact_id == target.id,
        FactLink.relation == relation,
    )
    if same:
        raise LinkExists(same[0])
    link = FactLink(
        from_fact_id=source.id,
        to_fact_id=target.id,
        relation=relation,
        note=data.get("note"),
        version=1,
        created_by=author,
        created_at=utcnow(),
    )
    session.add(link)
    session.flush()
    record_change(session, link, "create", author)
    return link


def remove_link(session: Session, link: FactLink, author: str) -> FactLink:
    """Remove an active link (its row stays, marked removed, in a new version)."""
    before = link_snapshot(link)
    link.removed_at = utcnow()
    link.removed_by = author
    link.version += 1
    session.flush()
    record_change(session, link, "remove", author, before)
    return link


def link_tag(link: FactLink) -> str:
    """A link's strong ETag (If-Match on DELETE)."""
    return f"link-{link.id}-v{link.version}"


def _fact_brief(fact: Fact) -> dict[str, Any]:
    return {
        "id": fact.id,
        "type": fact.type,
        "date": format_date(fact.date_start, fact.date_precision),
        "summary": fact.summary,
        "status": fact.status,
    }


def links_of(
    session: Session, fact_id: int, statuses: tuple[str, ...], at: datetime | None = None
) -> list[dict[str, Any]]:
    """A fact's active links both ways (those active at ``at``, for a past fact), each with
    the other fact in brief, where that fact is in one of ``statuses``."""
    out = []
    for link in _active(
        session, or_(FactLink.from_fact_id == fact_id, FactLink.to_fact_id == fact_id), at=at
    ):
        outgoing = link.from_fact_id == fact_id
        other = session.get(Fact, link.to_fact_id if outgoing else link.from_fact_id)
        if other is None or other.status not in statuses:
            continue
        out.append(
            {
                **link_snapshot(link),
                "direction": "outgoing" if outgoing else "incoming",
                "fact": _fact_brief(other),
            }
        )
    return out


def chain(session: Session, fact_id: int, statuses: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every fact joined to ``fact_id`` by ``fulfils`` and ``follows_up`` links (either way,
    through facts in ``statuses``), oldest first: offered → agreed → delivered. Each step
    names the links that join it to the steps before it."""
    seen = {fact_id}
    queue = deque([fact_id])
    joins: dict[int, list[dict[str, Any]]] = {fact_id: []}
    while queue:
        current = queue.popleft()
        for link in _active(
            session,
            FactLink.relation.in_(CHAIN_RELATIONS),
            or_(FactLink.from_fact_id == current, FactLink.to_fact_id == current),
        ):
            other_id = link.to_fact_id if link.from_fact_id == current else link.from_fact_id
            other = session.get(Fact, other_id)
            if other is None or other.status not in statuses:
                continue
            joins.setdefault(link.from_fact_id, [])
            entry = {"link_id": link.id, "relation": link.relation, "to": link.to_fact_id}
            if entry not in joins[link.from_fact_id]:
                joins[link.from_fact_id].append(entry)
            if other_id not in seen:
                seen.add(other_id)
                queue.append(other_id)
    facts = [f for f in (session.get(Fact, i) for i in seen) if f is not None]
    facts.sort(key=lambda f: (f.date_start is None, f.date_start or f.created_at.date(), f.id))
    return [{**_fact_brief(f), "links": joins.get(f.id, [])} for f in facts]


def relations() -> list[dict[str, str]]:
    """The relations and what each means."""
    return [{"name": name, "meaning": meaning} for name, meaning in LINK_RELATIONS.items()]
