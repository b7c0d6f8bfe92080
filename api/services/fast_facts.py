"""The hot read path: facts by id in one query, lists already JSON.

Reading a page of facts through the ORM costs more than everything else in a request; here
one statement per dialect returns each fact's columns with its actors and evidence as the
JSON text the database keeps on the fact row (``evidence_doc`` / ``actors_doc``, migration
0005) and its other parties aggregated to JSON, and the rows are turned into the same
representation as ``snapshots.build_fact`` (tests compare the two).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy.orm import Session

from .snapshots import format_decimal

_COLUMNS = (
    'f.id, f."key", f.type, f.subject, f.counterpart, f.date_start, f.date_end, '
    "f.date_precision, f.date_basis, f.value, f.unit, f.value_qualifier, f.summary, "
)
_SQLITE_SQL = (
    "SELECT " + _COLUMNS + "f.attributes, f.status, f.version, f.created_at, f.updated_at, "
    "(SELECT json_group_array(party_code) FROM (SELECT party_code FROM fact_party "
    " WHERE fact_id = f.id ORDER BY party_code)), "
    "f.actors_doc, f.evidence_doc "
    "FROM fact f WHERE f.id IN ({marks})"
)
_UTC_TEXT = "to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
# Dates and times are written as text by PostgreSQL, in the API's forms (saves building
# date and datetime objects only to format them again).
_POSTGRES_SQL = (
    _COLUMNS.replace("f.date_start, f.date_end", "f.date_start::text, f.date_end::text")
    + "f.attributes::text, f.status, f.version, "
    + _UTC_TEXT.format(col="f.created_at")
    + ", "
    + _UTC_TEXT.format(col="f.updated_at")
    + ", "
    "coalesce((SELECT json_agg(party_code ORDER BY party_code) FROM fact_party "
    " WHERE fact_id = f.id)::text, '[]'), "
    "f.actors_doc, f.evidence_doc "
    "FROM fact f WHERE f.id IN ({marks})"
)
_POSTGRES_SQL = "SELECT " + _POSTGRES_SQL


@lru_cache(maxsize=64)
def by_ids_statement(dialect: str, count: int) -> str:
    """The driver-level statement for ``count`` ids (SQLAlchemy's own processing is skipped)."""
    if dialect == "sqlite":
        return _SQLITE_SQL.format(marks=", ".join("?" * count))
    return _POSTGRES_SQL.format(marks=", ".join(["%s"] * count))


def _day(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def _at_precision(day: str | None, precision: str) -> str | None:
    if day is None or precision == "unknown":
        return None
    return day[:4] if precision == "year" else day[:7] if precision == "month" else day


def _timestamp(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 27 and value[10] == "T" and value[26] == "Z":
        return value  # already written by the database (PostgreSQL's to_char)
    if isinstance(value, str) and value[10:11] == " ":
        if len(value) == 26:  # SQLAlchemy's SQLite form, in UTC
            return f"{value[:10]}T{value[11:]}Z"
        if len(value) == 19:
            return f"{value[:10]}T{value[11:]}.000000Z"
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _decimal(value: Any) -> str | None:
    if value is None:
        return None
    return format_decimal(value if isinstance(value, Decimal) else Decimal(repr(value)))


def _fragment(text: str) -> orjson.Fragment:
    return orjson.Fragment(text)


def fact_from_row(row: Any, loads: Any = orjson.loads) -> dict[str, Any]:
    """One row of ``_SQLITE_SQL`` / ``_POSTGRES_SQL`` (first 21 columns) as served.

    ``loads`` reads the lists SQLite or PostgreSQL aggregated as JSON text. To serialize a
    row straight away from SQLite, pass ``_fragment`` (``serial_loads``): SQLite writes that
    JSON exactly as orjson would (compact, the same escapes; tests/test_fastpath.py checks
    every character), so it is embedded as is instead of being parsed and written again.
    """
    (
        fact_id,
        key,
        kind,
        subject,
        counterpart,
        start,
        end,
        precision,
        basis,
        value,
        unit,
        qualifier,
        summary,
        attributes,
        status,
        version,
        created,
        updated,
        parties,
        actors,
        evidence,
    ) = row[:21]
    day = _day(start)
    return {
        "id": fact_id,
        "key": key,
        "type": kind,
        "subject": subject,
        "counterpart": counterpart,
        "other_parties": loads(parties),
        "date": _at_precision(day, precision),
        "date_start": day,
        "date_end": _day(end),
        "date_precision": precision,
        "date_basis": basis,
        "value": _decimal(value),
        "unit": unit,
        "value_qualifier": qualifier,
        "summary": summary,
        "attributes": orjson.loads(attributes) if attributes else {},
        "actors": loads(actors),
        "evidence": loads(evidence),
        "status": status,
        "version": version,
        "created_at": _timestamp(created),
        "updated_at": _timestamp(updated),
    }


def serial_loads(dialect: str) -> Any:
    """How ``fact_from_row`` should read aggregated JSON that is only going to be written."""
    return _fragment if dialect == "sqlite" else orjson.loads


def facts_by_ids(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """Fact representations in the order of ``ids`` (unknown ids are left out)."""
    if not ids:
        return []
    conn = session.connection()
    statement = by_ids_statement(conn.dialect.name, len(ids))
    found = {}
    for row in conn.exec_driver_sql(statement, tuple(ids)).fetchall():
        found[row[0]] = fact_from_row(row)
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


# SQLite: the whole fact as the JSON the API serves, written by SQLite itself, for the rows
# where SQLite writes it exactly as orjson writes the Python representation: a value stored
# as an integer (or none), attributes without escapes (Python's json module, which stored
# them, escapes non-ASCII; SQLite's json() would keep those escapes), and timestamps in
# SQLAlchemy's form. Other rows give NULL and are built in Python (``serial_items``).
_SQLITE_TIMESTAMP = "substr({col}, 1, 10) || 'T' || substr({col}, 12) || 'Z'"
_SQLITE_DOC = (
    "CASE WHEN typeof(f.value) IN ('null', 'integer') "
    "AND instr(coalesce(f.attributes, ''), '\\') = 0 "
    "AND length(f.created_at) = 26 AND substr(f.created_at, 11, 1) = ' ' "
    "AND length(f.updated_at) = 26 AND substr(f.updated_at, 11, 1) = ' ' "
    "THEN json_object('id', f.id, 'key', f.\"key\", 'type', f.type, 'subject', f.subject, "
    "'counterpart', f.counterpart, 'other_parties', json((SELECT json_group_array(party_code) "
    "FROM (SELECT party_code FROM fact_party WHERE fact_id = f.id ORDER BY party_code))), "
    "'date', CASE f.date_precision WHEN 'unknown' THEN NULL "
    "WHEN 'year' THEN substr(f.date_start, 1, 4) WHEN 'month' THEN substr(f.date_start, 1, 7) "
    "ELSE f.date_start END, 'date_start', f.date_start, 'date_end', f.date_end, "
    "'date_precision', f.date_precision, 'date_basis', f.date_basis, "
    "'value', CAST(f.value AS TEXT), 'unit', f.unit, 'value_qualifier', f.value_qualifier, "
    "'summary', f.summary, 'attributes', json(CASE WHEN f.attributes IS NULL "
    "OR f.attributes = '' THEN '{}' ELSE f.attributes END), "
    "'actors', json(f.actors_doc), 'evidence', json(f.evidence_doc), 'status', f.status, "
    "'version', f.version, 'created_at', "
    + _SQLITE_TIMESTAMP.format(col="f.created_at")
    + ", 'updated_at', "
    + _SQLITE_TIMESTAMP.format(col="f.updated_at")
    + ") END, f.id"
)


def serial_items(cursor: Any, dialect: str, rows: list[Any]) -> list[Any]:
    """The items of serial rows (``page_statement(..., serial=True)``), ready for orjson.

    On SQLite each row is (JSON text or NULL, id, ...): the text is embedded as is, and the
    few NULL rows are read again by id and built in Python. Elsewhere rows are the full
    columns and are built in Python.
    """
    if dialect != "sqlite":
        loads = serial_loads(dialect)
        return [fact_from_row(row, loads) for row in rows]
    missing = [row[1] for row in rows if row[0] is None]
    built: dict[int, dict[str, Any]] = {}
    if missing:
        cursor.execute(by_ids_statement(dialect, len(missing)), missing)
        for row in cursor.fetchall():
            built[row[0]] = fact_from_row(row, _fragment)
    return [_fragment(row[0]) if row[0] is not None else built[row[1]] for row in rows]


def serial_id_and_key(dialect: str, row: Any) -> tuple[Any, Any]:
    """The id and sort key of a serial row."""
    return (row[1], row[2]) if dialect == "sqlite" else (row[0], row[21])


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

    The rows are those of ``_SQLITE_SQL`` / ``_POSTGRES_SQL`` plus the sort key last, in
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
    base = _SQLITE_SQL if dialect == "sqlite" else _POSTGRES_SQL
    select_list = base[: base.index(" FROM fact f WHERE")]
    if serial and dialect == "sqlite":
        select_list = "SELECT " + _SQLITE_DOC
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
        "published": _at_precision(_day(start), precision),
        "canonical_id": canonical,
    }
