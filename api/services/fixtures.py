"""Load the curated fixtures: parties, actors, sources and facts, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Actor, ActorRole, Fact, FactLink
from ..schemas.fact_input import FactInSchema, LinkInSchema
from .facts import build_fact, create_fact, replace_fact
from .importer import ArticleError, decode_article, import_text
from .links import create_link
from .parties import UpsertCount, load_countries, load_organizations

AUTHOR = "fixtures"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "fixtures"


class FixtureError(ValueError):
    """A fixture that cannot be loaded; names the file and the entry."""

    def __init__(self, file: str, entry: str | None, problem: Any) -> None:
        self.file, self.entry, self.problem = file, entry, problem
        where = f"{file}: {entry}" if entry else file
        super().__init__(f"{where}: {problem}")


@dataclass
class LoadReport:
    """What a fixture load did, kind by kind."""

    counts: dict[str, UpsertCount] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """One human-readable line per kind, and one per kind with skipped rows."""
        out = []
        for kind, c in self.counts.items():
            out.append(f"{kind}: {c.created} created, {c.updated} updated, {c.unchanged} unchanged")
            if c.skipped:
                out.append(
                    f"{kind}: {len(c.skipped)} skipped: changed since they were loaded: "
                    + ", ".join(c.skipped)
                )
        return out


def _read_yaml(path: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as err:
        raise FixtureError(path.name, None, f"cannot be read: {err}") from None
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise FixtureError(path.name, None, "must be a YAML list of mappings")
    return data


def _date(value: Any) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(str(value))


def load_actors(session: Session, entries: list[dict[str, Any]]) -> UpsertCount:
    """Insert or refresh actors and their roles, keyed by ``key``."""
    count = UpsertCount()
    for entry in entries:
        key = entry.get("key")
        try:
            roles = [
                (r["title"], r.get("party"), _date(r.get("start")), _date(r.get("end")))
                for r in entry.get("roles", [])
            ]
            values = {
                "name": entry["name"],
                "kind": entry.get("kind", "person"),
                "aliases": list(entry.get("aliases", [])),
            }
        except (KeyError, TypeError, ValueError) as err:
            raise FixtureError("actors.yaml", key, f"malformed entry: {err}") from None
        actor = session.scalar(select(Actor).where(Actor.key == key))
        if actor is None:
            actor = Actor(key=key, **values)
            session.add(actor)
            count.add("created")
        else:
            current = [(r.title, r.party_code, r.start_date, r.end_date) for r in actor.roles]
            same = all(getattr(actor, k) == v for k, v in values.items()) and current == roles
            if same:
                count.add("unchanged")
                continue
            for k, v in values.items():
                setattr(actor, k, v)
            count.add("updated")
        actor.roles = [
            ActorRole(title=t, party_code=p, start_date=s, end_date=e) for t, p, s, e in roles
        ]
    session.flush()
    return count


def load_sources(
    session: Session, directory: Path, entries: list[dict[str, Any]], threshold: float
) -> tuple[UpsertCount, dict[str, int]]:
    """Import the fixture articles with their curated metadata; map file name to source id."""
    count = UpsertCount()
    ids: dict[str, int] = {}
    for entry in entries:
        name = entry.get("file")
        if not name:
            raise FixtureError("sources.yaml", None, "an entry has no 'file'")
        metadata = {
            k: entry.get(k)
            for k in (
                "title",
                "outlet",
                "url",
                "published",
                "published_precision",
                "published_basis",
                "language",
                "authors",
            )
            if entry.get(k) is not None
        }
        if metadata.get("published_precision") == "unknown":
            metadata.pop("published_precision")
        try:
            path = directory / "articles" / name
            text = decode_article(path.read_bytes(), f"articles/{name}")
            result = import_text(
                session, text, name=name, metadata=metadata, threshold=threshold, author=AUTHOR
            )
        except (ArticleError, OSError) as err:
            raise FixtureError("sources.yaml", name, err) from None
        count.add("created" if result.created else "unchanged")
        ids[name] = result.source.id
    return count, ids


def touched(fact: Fact) -> bool:
    """Whether a person changed ``fact`` since the fixtures last wrote it."""
    return fact.updated_by != AUTHOR


def load_facts(
    session: Session,
    entries: list[dict[str, Any]],
    source_ids: dict[str, int],
    force: bool = False,
) -> UpsertCount:
    """Create missing facts by ``key``, verifying every quote; refresh only untouched ones.

    A fact a person has changed since it was loaded (edited, published, retracted) is left
    as it is and reported in ``skipped``; ``force`` overwrites it with the fixture (as a
    revision), except that a retracted fact is never brought back.
    """
    count = UpsertCount()
    keys: set[str] = set()
    for entry in entries:
        key = entry.get("key")
        if not key or key in keys:
            raise FixtureError("facts.yaml", key, "every fact needs a unique 'key'")
        keys.add(key)
        raw = dict(entry)
        try:
            raw["evidence"] = [
                {"source_id": source_ids[ev["source"]], "quote": ev["quote"]}
                for ev in entry.get("evidence", [])
            ]
        except (KeyError, TypeError) as err:
            raise FixtureError(
                "facts.yaml", key, f"evidence names no source in sources.yaml: {err}"
            ) from None
        try:
            data = FactInSchema().load(raw)
            existing = session.scalar(select(Fact).where(Fact.key == key))
            if existing is None:
                create_fact(session, data, AUTHOR)
                count.add("created")
            elif touched(existing) and (not force or existing.status == "retracted"):
                count.skipped.append(key)
            else:
                changed = replace_fact(session, existing, build_fact(session, data), AUTHOR)
                count.add("updated" if changed else "unchanged")
        except ValidationError as err:
            raise FixtureError("facts.yaml", key, err.messages) from None
    session.flush()
    return count


def load_fixtures(
    session: Session,
    directory: Path | None = None,
    threshold: float = 0.7,
    force: bool = False,
) -> LoadReport:
    """Load every fixture file in the caller's transaction; any error raises FixtureError.

    Fixtures are a seed: what is missing is created, what nobody changed since it was loaded
    is brought up to date, and what a person changed is left alone (see ``load_facts``).
    """
    directory = directory or DEFAULT_DIR
    report = LoadReport()
    report.counts["countries"] = load_countries(session)
    try:
        report.counts["organizations"] = load_organizations(
            session, _read_yaml(directory / "organizations.yaml")
        )
    except (KeyError, ValueError, TypeError) as err:
        if isinstance(err, FixtureError):
            raise
        raise FixtureError("organizations.yaml", None, err) from None
    report.counts["actors"] = load_actors(session, _read_yaml(directory / "actors.yaml"))
    report.counts["sources"], ids = load_sources(
        session, directory, _read_yaml(directory / "sources.yaml"), threshold
    )
    report.counts["facts"] = load_facts(
        session, _read_yaml(directory / "facts.yaml"), ids, force=force
    )
    path = directory / "links.yaml"
    if path.exists():
        report.counts["links"] = load_links(session, _read_yaml(path))
    return report


def load_links(session: Session, entries: list[dict[str, Any]]) -> UpsertCount:
    """Create the links between fixture facts (by key) that were never made.

    A link that exists, or existed and was removed by a curator, is left as it is: the
    fixtures never bring back what a person removed.
    """
    count = UpsertCount()
    for entry in entries:
        name = f"{entry.get('from')} {entry.get('relation')} {entry.get('to')}"
        ends = [
            session.scalar(select(Fact).where(Fact.key == entry.get(e))) for e in ("from", "to")
        ]
        if ends[0] is None or ends[1] is None:
            raise FixtureError("links.yaml", name, "both facts must be fixture facts (by key)")
        made = session.scalar(
            select(FactLink.id).where(
                FactLink.from_fact_id == ends[0].id,
                FactLink.to_fact_id == ends[1].id,
                FactLink.relation == entry.get("relation"),
            )
        )
        if made is not None:
            count.add("unchanged")
            continue
        data = {"relation": entry.get("relation"), "to": ends[1].id, "note": entry.get("note")}
        try:
            create_link(session, ends[0], LinkInSchema().load(data), "fixtures")
        except ValidationError as err:
            raise FixtureError("links.yaml", name, err.messages) from None
        count.add("created")
    return count
