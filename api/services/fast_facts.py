"""The hot read path: facts by id in one query, lists already JSON.

Reading a page of facts through the ORM costs more than everything else in a request; here
one statement per dialect returns each fact's columns with its actors and evidence as the
JSON text the database keeps on the fact row (``evidence_doc`` / ``actors_doc``, migration
0005) and its other parties aggregated to JSON; the columns and how a row becomes the
served fact are ``api.fact_document``'s.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from .. import fact_document as doc

_BY_IDS = "SELECT {columns} FROM fact f WHERE f.id IN ({marks})"


@lru_cache(maxsize=64)
def by_ids_statement(dialect: str, count: int) -> str:
    """The driver-level statement for ``count`` ids (SQLAlchemy's own processing is skipped)."""
    mark = "?" if dialect == "sqlite" else "%s"
    return _BY_IDS.format(columns=doc.select_list(dialect), marks=", ".join([mark] * count))


def serial_loads(dialect: str) -> Any:
    """How ``fact_document.from_row`` reads aggregated JSON that is only going to be written:
    both databases write it exactly as orjson would, so it is embedded as it is."""
    return doc.fragment


def facts_by_ids(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """Fact representations in the order of ``ids`` (unknown ids are left out)."""
    if not ids:
        return []
    conn = session.connection()
    statement = by_ids_statement(conn.dialect.name, len(ids))
    found = {}
    for row in conn.exec_driver_sql(statement, tuple(ids)).fetchall():
        found[row[0]] = doc.from_row(row)
    return [found[i] for i in ids if i in found]


def serial_items(cursor: Any, dialect: str, rows: list[Any]) -> list[Any]:
    """The items of serial rows (``fact_query.page_statement(..., serial=True)``), for orjson.

    On SQLite each row is (JSON text or NULL, id, ...): the text is embedded as is, and the
    few NULL rows are read again by id and built in Python. On PostgreSQL the row's parts
    are put together (``fact_document.pg_assemble``).
    """
    if dialect != "sqlite":
        return [doc.pg_assemble(row) for row in rows]
    missing = [row[1] for row in rows if row[0] is None]
    built: dict[int, dict[str, Any]] = {}
    if missing:
        cursor.execute(by_ids_statement(dialect, len(missing)), missing)
        for row in cursor.fetchall():
            built[row[0]] = doc.from_row(row, doc.fragment)
    return [doc.fragment(row[0]) if row[0] is not None else built[row[1]] for row in rows]


def serial_id_and_key(dialect: str, row: Any) -> tuple[Any, Any]:
    """The id and sort key of a serial row."""
    at = 1 if dialect == "sqlite" else doc.PG_SERIAL_WIDTH
    return row[at], row[at + 1]


_SOURCES_SQL = (
    "SELECT s.id, s.version, s.title, s.outlet, s.url, s.published_start, "
    "s.published_precision, s.canonical_id FROM source s WHERE s.id IN "
    "(SELECT e.source_id FROM evidence e WHERE e.fact_id = ?) ORDER BY s.id"
)


def sources_statement(dialect: str) -> str:
    """A fact's sources: id and version (for its ETag) and the short form served."""
    return _SOURCES_SQL if dialect == "sqlite" else _SOURCES_SQL.replace("?", "%s")


def source_summary_from_row(row: Any) -> dict[str, Any]:
    """A row of ``sources_statement`` as ``snapshots.source_summary`` writes it."""
    source_id, _version, title, outlet, url, start, precision, canonical = row
    return {
        "id": source_id,
        "title": title,
        "outlet": outlet,
        "url": url,
        "published": doc.at_precision(doc.day_text(start), precision),
        "canonical_id": canonical,
    }
