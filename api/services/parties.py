"""Parties: every ISO 3166-1 country from pycountry, plus organizations from fixtures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pycountry
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Party, PartyMembership


@dataclass
class UpsertCount:
    """How many rows an idempotent load created, updated or left as they were."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Keys of rows a person changed since they were loaded, left as the person made them.
    skipped: list[str] = field(default_factory=list)

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def _upsert_party(session: Session, values: dict[str, Any], count: UpsertCount) -> None:
    party = session.get(Party, values["code"])
    if party is None:
        session.add(Party(**values))
        count.add("created")
        return
    changed = False
    for key, value in values.items():
        if getattr(party, key) != value:
            setattr(party, key, value)
            changed = True
    count.add("updated" if changed else "unchanged")


def load_countries(session: Session) -> UpsertCount:
    """Insert or refresh every ISO 3166-1 country (alpha-3 code as the key)."""
    count = UpsertCount()
    for c in pycountry.countries:
        _upsert_party(
            session,
            {
                "code": c.alpha_3,
                "name": getattr(c, "common_name", None) or c.name,
                "official_name": getattr(c, "official_name", None),
                "common_name": getattr(c, "common_name", None),
                "kind": "country",
                "alpha2": c.alpha_2,
                "numeric": c.numeric,
            },
            count,
        )
    session.flush()
    return count


def load_organizations(session: Session, entries: list[dict[str, Any]]) -> UpsertCount:
    """Insert or refresh organizations and their memberships (fixtures/organizations.yaml)."""
    count = UpsertCount()
    for entry in entries:
        _upsert_party(
            session,
            {
                "code": entry["code"],
                "name": entry["name"],
                "official_name": entry.get("official_name"),
                "common_name": None,
                "kind": "organization",
                "alpha2": None,
                "numeric": None,
            },
            count,
        )
    session.flush()
    for entry in entries:
        for m in entry.get("members", []):
            start = date.fromisoformat(m["start"]) if m.get("start") else None
            end = date.fromisoformat(m["end"]) if m.get("end") else None
            if session.get(Party, m["party"]) is None:
                raise ValueError(f"{entry['code']}: unknown member party {m['party']!r}")
            row = session.scalar(
                select(PartyMembership).where(
                    PartyMembership.organization_code == entry["code"],
                    PartyMembership.member_code == m["party"],
                    PartyMembership.start_date.is_(None)
                    if start is None
                    else PartyMembership.start_date == start,
                )
            )
            if row is None:
                session.add(
                    PartyMembership(
                        organization_code=entry["code"],
                        member_code=m["party"],
                        start_date=start,
                        end_date=end,
                    )
                )
            elif row.end_date != end:
                row.end_date = end
    session.flush()
    return count
