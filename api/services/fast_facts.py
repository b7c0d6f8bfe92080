"""The hot read path: facts by id in one query, lists already JSON.

Reading a page of facts through the ORM costs more than everything else in a request; here
one statement per dialect returns each fact's columns with its actors and evidence as the
JSON text the database keeps on the fact row (``evidence_doc`` / ``actors_doc``, migration
0005) and its other parties aggregated to JSON; the columns and how a row becomes the
served fact are ``api.fact_document``'s.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy.orm import Session

from .. import fact_document as doc

_BY_IDS = "SELECT {columns} FROM fact f WHERE f.id IN ({marks})"


@lru_cache(maxsize=64)
def by_ids_statement(dialect: str, count: int) -> str:
    """The driver-level statement for ``count`` ids (SQLAlchemy's own processing is skipped)."""
    mark = "?" if dialect == "sqlite" else "%s"
    return _BY_IDS.format(columns=doc.select_list(dialect), marks=", ".join([mark] * count))


def serial_loads(dialect: str) -> Any:
    """How ``fact_document.from_row`` should read aggregated JSON only going to be written."""
    return doc.fragment if dialect == "sqlite" else orjson.loads


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


# Filters the thin read path (api/fastpath.py) can express, as SQL with ``?`` marks; a
# filter's shape is its name and, for lists, how many values it has.
_FILTER_SQL = {
    "subject": "f.subject = ?",
    "counterpart": "f.counterpart = ?",
    "dyad": "f.dyad = ?",
    "party": "(f.subject = ? OR f.counterpart = ? OR EXISTS (SELECT 1 FROM fact_party fp "
    "WHERE fp.fact_id = f.id AND fp.party_code = ?))",
    "from": "f.date_end >= ?",
    "to": "f.date_start <= ?",
}
_SORT_SQL = {"date": "f.sort_date", "id": "f.id"}


def serial_items(cursor: Any, dialect: str, rows: list[Any]) -> list[Any]:
    """The items of serial rows (``page_statement(..., serial=True)``), ready for orjson.

    On SQLite each row is (JSON text or NULL, id, ...): the text is embedded as is, and the
    few NULL rows are read again by id and built in Python. Elsewhere rows are the full
    columns and are built in Python.
    """
    if dialect != "sqlite":
        loads = serial_loads(dialect)
        return [doc.from_row(row, loads) for row in rows]
    missing = [row[1] for row in rows if row[0] is None]
    built: dict[int, dict[str, Any]] = {}
    if missing:
        cursor.execute(by_ids_statement(dialect, len(missing)), missing)
        for row in cursor.fetchall():
            built[row[0]] = doc.from_row(row, doc.fragment)
    return [doc.fragment(row[0]) if row[0] is not None else built[row[1]] for row in rows]


def serial_id_and_key(dialect: str, row: Any) -> tuple[Any, Any]:
    """The id and sort key of a serial row."""
    return (row[1], row[2]) if dialect == "sqlite" else (row[0], row[doc.WIDTH])


@lru_cache(maxsize=256)
def page_statement(
    dialect: str,
    shape: tuple[tuple[str, int], ...],
    sort: str,
    descending: bool,
    keyset: str,
    limited: bool,
    serial: bool = False,
) -> str:
    """One statement for a page (or, unlimited, a whole export) of published facts.

    The rows are ``fact_document.select_list`` plus the sort key last, in
    the order of (sort key, id), the same order and keyset as ``paging.apply_keyset``.
    ``serial`` rows are for writing straight out (``serial_items``, ``serial_id_and_key``):
    on SQLite (JSON text or NULL, id, sort key).

    ``keyset`` is how a page continues after (key, id): ``""`` from the start; ``"row"``
    with ``(key, id) < (?, ?)``; or in two statements, ``"same"`` (the rest of the rows
    with that key, ``key = ? AND id < ?``) then ``"beyond"`` (``key < ?``). SQLite seeks
    an index only on the first column of a row-value comparison and then walks every
    row with the same key; where many facts share a date (month- and year-precision
    dates all start on the 1st) the two seeks are much cheaper (``keyset_statements``).
    """
    conds = ["f.status = 'published'"]
    for name, count in shape:
        if name == "type":
            conds.append(f"f.type IN ({', '.join('?' * count)})")
        else:
            conds.append(_FILTER_SQL[name])
    key = _SORT_SQL[sort]
    ahead = "<" if descending else ">"
    if keyset == "row":
        conds.append(f"({key}, f.id) {ahead} (?, ?)")
    elif keyset == "same":
        conds.append(f"{key} = ? AND f.id {ahead} ?")
    elif keyset == "beyond":
        conds.append(f"{key} {ahead} ?")
    else:
        assert not keyset, keyset
    way = "DESC" if descending else "ASC"
    where = " AND ".join(conds)
    select_list = "SELECT " + doc.select_list(dialect)
    if serial and dialect == "sqlite":
        select_list = f"SELECT {doc.sqlite_json_sql()}, f.id"
    if limited:
        # Find the page's ids on the index first, then build only those rows.
        sql = (
            f"{select_list}, p.k FROM (SELECT f.id AS id, {key} AS k FROM fact f WHERE {where} "
            f"ORDER BY {key} {way}, f.id {way} LIMIT ?) p JOIN fact f ON f.id = p.id "
            f"ORDER BY p.k {way}, p.id {way}"
        )
    else:
        sql = f"{select_list}, {key} FROM fact f WHERE {where} ORDER BY {key} {way}, f.id {way}"
    return sql if dialect == "sqlite" else sql.replace("?", "%s")


def keyset_statements(dialect: str, sort: str) -> tuple[str, ...]:
    """The keyset modes that continue a page, in order (see ``page_statement``)."""
    if dialect == "sqlite" and sort == "date":
        return ("same", "beyond")
    return ("row",)


def page_binds(
    dialect: str,
    filters: list[tuple[str, Any]],
    after: tuple[Any, Any] | None,
    limit: int | None,
    keyset: str = "row",
) -> list[Any]:
    """The parameters of ``page_statement`` for the filter values, position and limit."""
    binds: list[Any] = []
    for name, value in filters:
        if name == "type":
            binds.extend(value)
        elif name == "party":
            binds.extend((value, value, value))
        elif name in ("from", "to"):
            binds.append(value.isoformat() if dialect == "sqlite" else value)
        else:
            binds.append(value)
    if after is not None:
        key, row_id = after
        if dialect == "sqlite" and isinstance(key, date):
            key = key.isoformat()
        binds.extend((key,) if keyset == "beyond" else (key, row_id))
    if limit is not None:
        binds.append(limit)
    return binds


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
