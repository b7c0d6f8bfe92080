"""People named in a sentence, with the party and role they held on a given date.

The actor table is what ``fixtures/actors.yaml`` (and the ``actor`` / ``actor_role``
tables) hold: a key, a name, aliases, and roles with their periods. A name or alias is
matched as whole words; the role is the one held on the fact's date (Abadi as Prime
Minister in 2015; no role, no actor, on a date outside every period).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

TABLE = Path(__file__).resolve().parents[3] / "fixtures" / "actors.yaml"


@dataclass(frozen=True)
class Role:
    title: str
    party: str
    start: date | None
    end: date | None

    def holds(self, on: date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)


@dataclass(frozen=True)
class Actor:
    key: str
    name: str
    forms: tuple[str, ...]
    roles: tuple[Role, ...]

    def role_on(self, on: date | None) -> Role | None:
        """The role held on ``on`` (the latest-starting one); None when none or no date."""
        if on is None:
            return None
        held = [r for r in self.roles if r.holds(on)]
        return max(held, key=lambda r: r.start or date.min) if held else None

    def parties(self) -> set[str]:
        return {r.party for r in self.roles}


@dataclass(frozen=True)
class ActorMention:
    actor: Actor
    start: int
    end: int
    cue: str


def _day(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def actors_from(records: Iterable[Mapping[str, Any]]) -> tuple[Actor, ...]:
    """Actors from records shaped like ``fixtures/actors.yaml``'s entries."""
    out = []
    for r in records:
        roles = tuple(
            Role(x["title"], x["party"], _day(x.get("start")), _day(x.get("end")))
            for x in r.get("roles") or []
        )
        forms = tuple(dict.fromkeys([r["name"], *(r.get("aliases") or [])]))
        out.append(Actor(r["key"], r["name"], forms, roles))
    return tuple(out)


@lru_cache(maxsize=1)
def fixture_actors() -> tuple[Actor, ...]:
    """The repository's curated actors (``fixtures/actors.yaml``)."""
    return actors_from(yaml.safe_load(TABLE.read_text()) or [])


def find_actors(text: str, actors: Iterable[Actor]) -> list[ActorMention]:
    """Every actor named in ``text`` (longest form first, no overlaps), in order."""
    folded = text.replace("\u2019", "'")
    found: list[ActorMention] = []
    forms = sorted(((f, a) for a in actors for f in a.forms), key=lambda fa: -len(fa[0]))
    taken: list[tuple[int, int]] = []
    for form, actor in forms:
        for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", folded):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append(ActorMention(actor, m.start(), m.end(), text[m.start() : m.end()]))
    return sorted(found, key=lambda m: m.start)
