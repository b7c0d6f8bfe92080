"""Reading facts as they stood at a past time, from their revisions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Revision
from .fact_query import FILTER_ARGS, NO_DATE, NO_VALUE, SORTS
from .fact_reads import search_words, source_group
from .paging import CursorError, Items, Keys, fingerprint


def snapshots_at(
    session: Session, when: datetime, fact_id: int | None = None
) -> list[dict[str, Any]]:
    """The latest snapshot of every fact (or one) recorded at or before ``when``."""
    latest = (
        select(func.max(Revision.id))
        .where(Revision.entity == "fact", Revision.created_at <= when)
        .group_by(Revision.entity_id)
    )
    if fact_id is not None:
        latest = latest.where(Revision.entity_id == fact_id)
    rows = session.scalars(select(Revision.snapshot).where(Revision.id.in_(latest)))
    return list(rows)


def _overlaps(snap: dict[str, Any], args: dict[str, Any]) -> bool:
    start = date.fromisoformat(snap["date_start"]) if snap["date_start"] else None
    end = date.fromisoformat(snap["date_end"]) if snap["date_end"] else None
    if args.get("from_") is not None and (end is None or end < args["from_"].start):
        return False
    return not (args.get("to") is not None and (start is None or start > args["to"].end))


def matches(session: Session, snap: dict[str, Any], args: dict[str, Any]) -> bool:
    """Whether a snapshot passes the fact-list filters (party codes already resolved)."""
    sides = {snap["subject"], snap["counterpart"]}
    checks = [
        snap["status"] in (args.get("status") or ["published"]),
        not args.get("type") or snap["type"] in args["type"],
        not args.get("subject") or snap["subject"] == args["subject"],
        not args.get("counterpart") or snap["counterpart"] == args["counterpart"],
        not args.get("dyad") or sides == set(args["dyad"]),
        not args.get("party") or args["party"] in sides | set(snap["other_parties"]),
        args.get("actor") is None or args["actor"] in {a["id"] for a in snap["actors"]},
        not args.get("unit") or snap["unit"] == args["unit"],
        _overlaps(snap, args),
    ]
    value = Decimal(snap["value"]) if snap["value"] is not None else None
    if args.get("value_min") is not None:
        checks.append(value is not None and value >= args["value_min"])
    if args.get("value_max") is not None:
        checks.append(value is not None and value <= args["value_max"])
    if args.get("source") is not None:
        group = set(source_group(session, args["source"]) or [args["source"]])
        checks.append(bool(group & {e["source_id"] for e in snap["evidence"]}))
    if args.get("q"):
        text = " ".join([snap["summary"], *(e["quote"] for e in snap["evidence"])]).lower()
        checks.append(all(w.lower() in text for w in search_words(args["q"])))
    return all(checks)


def sort_key(snap: dict[str, Any], sort: str) -> Any:
    """The value a snapshot sorts by (the same order as the live list)."""
    if sort == "date":
        return date.fromisoformat(snap["date_start"]) if snap["date_start"] else NO_DATE
    if sort == "value":
        return Decimal(snap["value"]) if snap["value"] is not None else NO_VALUE
    if sort == "created":
        return datetime.fromisoformat(snap["created_at"].replace("Z", "+00:00"))
    return snap["id"]


@dataclass
class PastFactListing:
    """A fact list (``paging.Listing``) as the data stood at ``args["as_of"]``."""

    session: Session
    args: dict[str, Any]
    snaps: list[dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        found = snapshots_at(self.session, self.args["as_of"])
        self.snaps = [x for x in found if matches(self.session, x, self.args)]

    def digest(self) -> str:
        return fingerprint({k: v for k, v in self.args.items() if k in FILTER_ARGS})

    def _keyed(self, sort: str, descending: bool) -> list[tuple[Any, int, dict[str, Any]]]:
        keyed = [(sort_key(x, sort), x["id"], x) for x in self.snaps]
        return sorted(keyed, key=lambda k: (k[0], k[1]), reverse=descending)

    def page(self, sort: str, descending: bool, after: Any, limit: int) -> tuple[Keys, Items]:
        keyed = self._keyed(sort, descending)
        if after is not None:
            try:
                mark = (SORTS[sort].parse(after[0]), after[1])
            except (ValueError, TypeError):
                raise CursorError("Malformed cursor.") from None
            keyed = [
                k for k in keyed if ((k[0], k[1]) < mark if descending else (k[0], k[1]) > mark)
            ]
        keyed = keyed[:limit]
        return [(k, i) for k, i, _ in keyed], [x for _, _, x in keyed]

    def count(self) -> int:
        return len(self.snaps)

    def export(self, sort: str, descending: bool) -> Iterator[dict[str, Any]]:
        return (x for _, _, x in self._keyed(sort, descending))


def _beyond(position: tuple[Any, int], mark: tuple[Any, Any], descending: bool) -> bool:
    return position < mark if descending else position > mark
