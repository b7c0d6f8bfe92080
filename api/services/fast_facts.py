"""The hot read path: facts by id in one query, lists aggregated to JSON by the database.

Reading a page of facts through the ORM costs more than everything else in a request; here
one statement per dialect returns each fact's columns with its other parties, actors and
evidence already aggregated as JSON text, and the rows are turned into the same
representation as ``snapshots.build_fact`` (tests compare the two).
"""

from __future__ import annotations

from datetime import UTC, datetime
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
    "(SELECT json_group_array(json_object('id', id, 'key', \"key\", 'name', name, 'role', role)) "
    ' FROM (SELECT a.id, a."key", a.name, fa.role FROM fact_actor fa JOIN actor a '
    " ON a.id = fa.actor_id WHERE fa.fact_id = f.id ORDER BY fa.actor_id, fa.role)), "
    "(SELECT json_group_array(json_object('id', id, 'source_id', source_id, 'quote', quote, "
    " 'start', start, 'end', \"end\", 'verified', json(CASE WHEN verified THEN 'true' "
    " ELSE 'false' END))) FROM (SELECT id, source_id, quote, start, \"end\", verified "
    " FROM evidence WHERE fact_id = f.id ORDER BY id)) "
    "FROM fact f WHERE f.id IN ({marks})"
)
_POSTGRES_SQL = (
    "SELECT " + _COLUMNS + "f.attributes::text, f.status, f.version, f.created_at, "
    "f.updated_at, "
    "coalesce((SELECT json_agg(party_code ORDER BY party_code) FROM fact_party "
    " WHERE fact_id = f.id)::text, '[]'), "
    "coalesce((SELECT json_agg(json_build_object('id', a.id, 'key', a.key, 'name', a.name, "
    " 'role', fa.role) ORDER BY fa.actor_id, fa.role) FROM fact_actor fa JOIN actor a "
    " ON a.id = fa.actor_id WHERE fa.fact_id = f.id)::text, '[]'), "
    "coalesce((SELECT json_agg(json_build_object('id', e.id, 'source_id', e.source_id, "
    " 'quote', e.quote, 'start', e.start, 'end', e.\"end\", 'verified', e.verified) "
    " ORDER BY e.id) FROM evidence e WHERE e.fact_id = f.id)::text, '[]') "
    "FROM fact f WHERE f.id IN ({marks})"
)


@lru_cache(maxsize=64)
def _statement(dialect: str, count: int) -> str:
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


def facts_by_ids(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """Fact representations in the order of ``ids`` (unknown ids are left out)."""
    if not ids:
        return []
    conn = session.connection()
    statement = _statement(conn.dialect.name, len(ids))
    found: dict[int, dict[str, Any]] = {}
    loads = orjson.loads
    for (
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
    ) in conn.exec_driver_sql(statement, tuple(ids)).fetchall():
        day = _day(start)
        found[fact_id] = {
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
            "attributes": loads(attributes) if attributes else {},
            "actors": loads(actors),
            "evidence": loads(evidence),
            "status": status,
            "version": version,
            "created_at": _timestamp(created),
            "updated_at": _timestamp(updated),
        }
    return [found[i] for i in ids if i in found]
