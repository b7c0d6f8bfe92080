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

    Each row is (JSON text or NULL, id, sort key, and on PostgreSQL perhaps the parts of
    ``fact_document.pg_assemble``): the text is embedded as is, the parts put together, and
    the few rows with neither are read again by id and built in Python.
    """
    missing = [row[1] for row in rows if row[0] is None and len(row) == 3]
    built: dict[int, dict[str, Any]] = {}
    if missing:
        cursor.execute(by_ids_statement(dialect, len(missing)), missing)
        for row in cursor.fetchall():
            built[row[0]] = doc.from_row(row, doc.fragment)
    return [
        doc.fragment(row[0])
        if row[0] is not None
        else (doc.pg_assemble(row[3:]) if len(row) > 3 else built[row[1]])
        for row in rows
    ]


def serial_id_and_key(row: Any) -> tuple[Any, Any]:
    """The id and sort key of a serial row."""
    return row[1], row[2]


_SOURCES_SQL = (
    "SELECT s.id, s.version, s.title, s.outlet, s.url, s.published_start, "
    "s.published_precision, s.canonical_id FROM source s WHERE s.id IN "
    "(SELECT e.source_id FROM evidence e WHERE e.fact_id = ?) ORDER BY s.id"
)
# The links a fact's item shows (active, to or from a published fact), each as the text
# "link id:link version:other fact id:other fact version", for the fact's ETag.
LINKS_SQL = (
    "SELECT CAST(l.id AS TEXT) || ':' || CAST(l.version AS TEXT) || ':' || CAST(o.id AS TEXT) "
    "|| ':' || CAST(o.version AS TEXT) FROM fact_link l JOIN fact o ON o.id = CASE WHEN "
    "l.from_fact_id = :f THEN l.to_fact_id ELSE l.from_fact_id END WHERE (l.from_fact_id = :f "
    "OR l.to_fact_id = :f) AND l.removed_at IS NULL AND o.status = 'published' ORDER BY l.id"
)


def sources_statement(dialect: str) -> str:
    """A fact's sources: id and version (for its ETag) and the short form served; then its
    shown links (``LINKS_SQL``: the text in the title's place, the rest null), in one
    statement."""
    # Typed nulls: PostgreSQL types a bare NULL of a subquery as text.
    none, text = "CAST(NULL AS INTEGER)", "CAST(NULL AS TEXT)"
    links = (
        LINKS_SQL.replace(":f", "?")
        .replace("SELECT ", f"SELECT {none}, {none}, ", 1)
        .replace(
            " FROM fact_link",
            f", {text}, {text}, CAST(NULL AS DATE), {text}, {none} FROM fact_link",
            1,
        )
    )
    sql = f"SELECT * FROM ({_SOURCES_SQL}) s UNION ALL SELECT * FROM ({links}) k"
    return sql if dialect == "sqlite" else sql.replace("?", "%s")


def sources_and_links(rows: list[Any]) -> tuple[list[Any], list[str]]:
    """The rows of ``sources_statement`` split into source rows and link texts."""
    sources = [r for r in rows if r[0] is not None]
    return sources, [r[2] for r in rows if r[0] is None]


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
