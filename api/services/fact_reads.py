"""Reading facts: a ``FactQuery`` for list arguments, its pages, counts and exports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import orjson
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import fact_document as doc
from ..models import Source
from . import fast_facts, links
from .fact_query import SORTS, FactQuery, history_item_statement, keyset_modes
from .paging import Items, Keys
from .snapshots import source_summary

_WORD = re.compile(r"\w+", re.UNICODE)


def search_words(q: str) -> list[str]:
    """The words of a free-text query (punctuation and operators are not syntax)."""
    return _WORD.findall(q)


def source_group(session: Session, source_id: int) -> list[int]:
    """A source and every near-duplicate of the same story."""
    row = session.execute(
        select(Source.id, Source.canonical_id).where(Source.id == source_id)
    ).one_or_none()
    if row is None:
        return []
    root = row.canonical_id or row.id
    return list(
        session.scalars(
            select(Source.id).where(or_(Source.id == root, Source.canonical_id == root))
        )
    )


def fact_query(session: Session, args: dict[str, Any]) -> FactQuery:
    """The query of loaded list arguments (party codes already resolved)."""
    group = source_group(session, args["source"]) if args.get("source") is not None else None
    words = search_words(args["q"]) if args.get("q") else None
    return FactQuery.build(args, args.get("sort"), source_group=group, words=words)


Keyed = tuple[Any, int, dict[str, Any]]  # (sort key as a cursor keeps it, id, the fact)


def fact_page(
    session: Session, query: FactQuery, after: tuple[Any, int] | None, limit: int
) -> list[Keyed]:
    """Up to ``limit`` matching facts after a keyset position, with their keys."""
    conn = session.connection()
    dialect = conn.dialect.name
    sort = query.sort
    rows: list[Any] = []
    for mode in keyset_modes(dialect, sort) if after else ("",):
        statement = query.page_statement(dialect, mode, True, False)
        binds = query.binds(dialect, after, limit - len(rows), mode)
        rows += conn.exec_driver_sql(statement, tuple(binds)).fetchall()
        if len(rows) >= limit:
            break
    key_out = SORTS[sort].key_out
    if query.history:  # (document, fact id, sort key)
        return [(key_out(row[2]), row[1], orjson.loads(row[0])) for row in rows[:limit]]
    return [(key_out(row[doc.WIDTH]), row[0], doc.from_row(row)) for row in rows[:limit]]


def count_facts(session: Session, query: FactQuery) -> int:
    """How many facts match."""
    conn = session.connection()
    dialect = conn.dialect.name
    found = conn.exec_driver_sql(query.count_statement(dialect), tuple(query.binds(dialect)))
    return int(found.scalar() or 0)


def facts_by_ids(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """Fact representations in the order of ``ids`` (see fast_facts)."""
    return fast_facts.facts_by_ids(session, ids)


def iter_facts(session: Session, query: FactQuery, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every matching fact, fetched in keyset batches so memory stays constant."""
    after: tuple[Any, int] | None = None
    while True:
        page = fact_page(session, query, after, batch)
        yield from (item for _, _, item in page)
        if len(page) < batch:
            return
        key, row_id, _ = page[-1]
        after = query.position(key, row_id)


@dataclass
class FactListing:
    """A fact list (``paging.Listing``): the current facts that ``query`` selects."""

    session: Session
    query: FactQuery

    def digest(self) -> str:
        return self.query.fingerprint()

    def page(self, sort: str, descending: bool, after: Any, limit: int) -> tuple[Keys, Items]:
        query = replace(self.query, sort=sort, descending=descending)
        position = query.position(*after) if after is not None else None
        found = fact_page(self.session, query, position, limit)
        return [(key, i) for key, i, _ in found], [item for _, _, item in found]

    def count(self) -> int:
        return count_facts(self.session, self.query)

    def export(self, sort: str, descending: bool) -> Iterator[dict[str, Any]]:
        return iter_facts(self.session, replace(self.query, sort=sort, descending=descending))


def past_fact(session: Session, fact_id: int, when: Any) -> dict[str, Any] | None:
    """A fact as it stood at ``when`` (whatever its status then), or None."""
    conn = session.connection()
    dialect = conn.dialect.name
    query = FactQuery((("as_of", when),))
    binds = (*query.binds(dialect), fact_id)
    found = conn.exec_driver_sql(history_item_statement(dialect), binds).scalar()
    return orjson.loads(found) if found is not None else None


def get_fact(session: Session, fact_id: int, statuses: list[str]) -> dict[str, Any] | None:
    """One fact with the sources its evidence comes from, or None."""
    found = facts_by_ids(session, [fact_id])
    if not found or found[0]["status"] not in statuses:
        return None
    data = found[0]
    data["sources"] = source_summaries(session, sorted({e["source_id"] for e in data["evidence"]}))
    # Links to and from published facts (all of them: GET /facts/{id}/links, with a token).
    data["links"] = links.links_of(session, fact_id, ("published",))
    return data


def source_summaries(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """The short form of the given sources, by id."""
    sources = session.scalars(select(Source).where(Source.id.in_(ids)).order_by(Source.id))
    return [source_summary(s) for s in sources]
