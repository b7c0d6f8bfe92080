"""A complete, versioned, dialect-independent NDJSON dump of the data, and its restore."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TextIO

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from .. import migrate
from ..fact_document import format_decimal
from ..models import Base
from ..models.base import UTCDateTime

FORMAT = "bilateral-facts-dump"
VERSION = 1
BATCH = 500
# Dependency order: every table comes after the tables its foreign keys point at.
TABLE_NAMES = (
    "party", "party_membership", "actor", "actor_role", "source", "source_band", "fact",
    "fact_party", "fact_actor", "evidence", "fact_link", "suggestion", "revision", "fact_version",
    "change",
    "api_token", "data_state",
)  # fmt: skip
# Not dumped: replayable POST responses are transient (the full-text index is not mapped).
SKIPPED = ("idempotency_key",)
# Self-references that may point forward (a row to a later row): set after the table loads.
FORWARD_REFS = {"source": "canonical_id"}
TABLES: tuple[sa.Table, ...] = tuple(Base.metadata.tables[name] for name in TABLE_NAMES)


def _timestamp_out(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _text(pattern: str, parse: Callable[[str], Any], what: str) -> Callable[[Any], Any]:
    """A reader of values written as text that must match ``pattern`` and parse."""
    regex = re.compile(pattern)

    def read(value: Any) -> Any:
        if isinstance(value, str) and regex.fullmatch(value):
            try:
                return parse(value)
            except (ValueError, ArithmeticError):
                pass
        raise ValueError(f"expected {what}")

    return read


def _typed(kinds: tuple[type, ...], what: str) -> Callable[[Any], Any]:
    """A reader of JSON values of exactly these types (JSON true is not the integer 1)."""

    def read(value: Any) -> Any:
        if type(value) not in kinds:
            raise ValueError(f"expected {what}")
        return float(value) if float in kinds else value

    return read


def _bytes_out(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _timestamp_in(value: str) -> datetime:
    return datetime.fromisoformat(value[:-1]).replace(tzinfo=UTC)


_TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"
Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]
# Column type: how a value is written, how it is read back. Most specific type first.
_CODECS: tuple[tuple[type, Codec], ...] = (
    (UTCDateTime, (_timestamp_out, _text(_TIMESTAMP, _timestamp_in, "a UTC timestamp"))),
    (sa.Boolean, (bool, _typed((bool,), "true or false"))),
    (sa.Date, (date.isoformat, _text(r"\d{4}-\d\d-\d\d", date.fromisoformat, "a date"))),
    (sa.Float, (float, _typed((int, float), "a number"))),
    (sa.Numeric, (format_decimal, _text(r"-?\d+(\.\d+)?", Decimal, "a decimal string"))),
    (sa.Integer, (int, _typed((int,), "an integer"))),
    (sa.JSON, (lambda v: v, lambda v: v)),
    (sa.LargeBinary, (_bytes_out, _text(r"[A-Za-z0-9+/]*={0,2}", base64.b64decode, "base64"))),
    (sa.String, (str, _typed((str,), "a string"))),
)


def _codec(column: sa.Column[Any]) -> Codec:
    """How a column's values are written and read (the first type that matches)."""
    for cls, codec in _CODECS:
        if isinstance(column.type, cls):
            return codec
    raise TypeError(f"{column.table.name}.{column.name}: no dump format for {column.type!r}")


# The columns a dump holds (not those the database computes), each with its codec. Built
# at import time: a column of a new type must get a codec before it can ship.
_COLUMNS = {
    t.name: {
        c.name: _codec(c) for c in t.columns if c.computed is None and not c.info.get("derived")
    }
    for t in TABLES
}


def _line(obj: Any) -> str:
    """One canonical line: sorted keys, no spaces, ASCII only (safe in any encoding)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False) + "\n"


def _check_schema(conn: sa.Connection) -> str:
    head = migrate.head_revision()
    current = migrate.current_revision(conn)
    if head is None or current != head:
        raise ValueError(
            f"the database schema is at {current or 'no revision'}, this code's at {head}: "
            "run `facts db upgrade`, or use the code version that matches the database"
        )
    return head


def export_dump(session: Session, out: TextIO) -> dict[str, int]:
    """Write every table as canonical NDJSON to ``out``; return the rows written per table."""
    bind = session.get_bind()
    began = session.in_transaction() or (isinstance(bind, sa.Connection) and bind.in_transaction())
    if bind.dialect.name == "postgresql" and not began:
        # One snapshot for every table, so the dump is consistent under concurrent writes
        # (a transaction the caller already began keeps its own isolation level).
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    conn = session.connection()
    head = _check_schema(conn)
    counts = {t.name: conn.scalar(sa.select(sa.func.count()).select_from(t)) or 0 for t in TABLES}
    out.write(_line({"format": FORMAT, "version": VERSION, "schema": head, "counts": counts}))
    collate = conn.dialect.name == "postgresql"
    for table in TABLES:
        encoders = [(name, encode) for name, (encode, _) in _COLUMNS[table.name].items()]
        # Byte order for text keys, as SQLite's BINARY does, whatever the PG collation.
        order = [
            c.collate("C") if collate and isinstance(c.type, sa.String) else c
            for c in table.primary_key.columns
        ]
        stmt = sa.select(*(table.c[name] for name, _ in encoders)).order_by(*order)
        written = 0
        for row in conn.execute(stmt, execution_options={"yield_per": 1000}):
            values = {
                name: None if value is None else encode(value)
                for (name, encode), value in zip(encoders, row, strict=True)
            }
            out.write(_line({"table": table.name, "row": values}))
            written += 1
        if written != counts[table.name]:
            raise RuntimeError(f"{table.name}: counted {counts[table.name]}, read {written}")
    return counts


def _parse(line: str, number: int) -> Any:
    def reject(constant: str) -> Any:
        raise ValueError(f"{constant} is not allowed")

    if not line.strip():
        raise ValueError(f"line {number}: empty line")
    try:
        return json.loads(line, parse_constant=reject)
    except ValueError as err:
        raise ValueError(f"line {number}: not valid JSON ({err})") from None


def _check_header(header: Any, conn: sa.Connection) -> dict[str, int]:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"line 1: not a {FORMAT} header")
    version = header.get("version")
    if version != VERSION or isinstance(version, bool):
        raise ValueError(f"line 1: dump format version {version!r}; this code reads {VERSION}")
    head = _check_schema(conn)
    if header.get("schema") != head:
        raise ValueError(
            f"line 1: the dump is of schema {header.get('schema')!r}, the database of {head!r}: "
            "restore with the code version that made the dump"
        )
    counts = header.get("counts")
    if (
        not isinstance(counts, dict)
        or set(counts) != set(TABLE_NAMES)
        or not all(type(n) is int and n >= 0 for n in counts.values())
    ):
        raise ValueError("line 1: the header's counts do not list every table")
    return counts


def _check_empty(conn: sa.Connection) -> None:
    for name in (*TABLE_NAMES, *SKIPPED):
        if name == "data_state":
            continue  # every migrated database has its one row; the dump's replaces it
        table = Base.metadata.tables[name]
        if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            raise ValueError(
                f"the database is not empty (table {name} has rows): "
                "restore only into a freshly migrated, empty database"
            )


class _Loader:
    """Inserts rows in batches, table by table, keeping each row's line number for errors."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.position = 0
        self.batch: list[tuple[int, dict[str, Any]]] = []
        self.deferred: list[tuple[int, dict[str, Any]]] = []
        self.counts = dict.fromkeys(TABLE_NAMES, 0)

    def add(self, number: int, item: Any) -> None:
        """Check and convert one row line, and queue it."""
        if not isinstance(item, dict) or set(item) != {"table", "row"}:
            raise ValueError(f'line {number}: expected {{"table": …, "row": {{…}}}}')
        name, row = item["table"], item["row"]
        if name not in _COLUMNS:
            raise ValueError(f"line {number}: unknown table {name!r}")
        position = TABLE_NAMES.index(name)
        if position < self.position:
            raise ValueError(
                f"line {number}: table {name} after {TABLE_NAMES[self.position]}; "
                "tables must come in dependency order"
            )
        codecs = _COLUMNS[name]
        if not isinstance(row, dict) or set(row) != set(codecs):
            got = set(row) if isinstance(row, dict) else set()
            raise ValueError(
                f"line {number}: {name} row: missing {sorted(set(codecs) - got)}, "
                f"unknown {sorted(got - set(codecs))}"
            )
        values: dict[str, Any] = {}
        for column, value in row.items():
            try:
                values[column] = None if value is None else codecs[column][1](value)
            except ValueError as err:
                raise ValueError(f"line {number}: {name}.{column}: {err}") from None
        if position != self.position:
            self.flush()
            self.position = position
            if name == "data_state":
                self.session.execute(sa.delete(TABLES[position]))
        ref = FORWARD_REFS.get(name)
        if ref and values[ref] is not None and values[ref] > values["id"]:
            deferred = {"b_id": values["id"], "b_ref": values[ref], "b_at": values["updated_at"]}
            self.deferred.append((number, deferred))
            values = {**values, ref: None}
        self.batch.append((number, values))
        self.counts[name] += 1
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Insert the queued rows, then set the queued forward references."""
        table = TABLES[self.position]
        if self.batch:
            self._run(sa.insert(table), self.batch)
            self.batch = []
        ref = FORWARD_REFS.get(table.name)
        if ref and self.deferred:
            # updated_at is set explicitly, or its onupdate would stamp the time of the restore.
            stmt = (
                sa.update(table)
                .where(table.c.id == sa.bindparam("b_id"))
                .values({ref: sa.bindparam("b_ref"), "updated_at": sa.bindparam("b_at")})
            )
            self._run(stmt, self.deferred)
            self.deferred = []

    def _run(self, stmt: Any, rows: list[tuple[int, dict[str, Any]]]) -> None:
        try:
            with self.session.begin_nested():
                self.session.execute(stmt, [values for _, values in rows])
        except DBAPIError:
            for number, values in rows:  # find the line the database refuses
                try:
                    with self.session.begin_nested():
                        self.session.execute(stmt, [values])
                except DBAPIError as err:
                    reason = str(err.orig).strip().splitlines()[0]
                    raise ValueError(f"line {number}: refused by the database: {reason}") from None
            raise ValueError(f"lines {rows[0][0]}-{rows[-1][0]}: refused by the database") from None


def _reset_sequences(conn: sa.Connection) -> None:
    """Make each PostgreSQL serial continue after the restored ids."""
    preparer = conn.dialect.identifier_preparer
    for table in TABLES:
        (pk, *more) = table.primary_key.columns
        if more or not isinstance(pk.type, sa.Integer):
            continue
        conn.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f"coalesce(max({preparer.quote(pk.name)}), 0) + 1, false) "
                f"FROM {preparer.format_table(table)}"
            ),
            {"table": preparer.format_table(table), "column": pk.name},
        )


def import_dump(session: Session, lines: Iterable[str]) -> dict[str, int]:
    """Restore a dump into an empty, migrated database; raise ValueError on any bad line."""
    conn = session.connection()
    numbered = enumerate(lines, start=1)
    first = next(numbered, None)
    if first is None:
        raise ValueError("line 1: the dump is empty")
    expected = _check_header(_parse(first[1], 1), conn)
    _check_empty(conn)
    loader = _Loader(session)
    last = 1
    for last, line in numbered:
        loader.add(last, _parse(line, last))
    loader.flush()
    for name in TABLE_NAMES:
        if loader.counts[name] != expected[name]:
            raise ValueError(
                f"line {last + 1}: the dump ends with {loader.counts[name]} {name} rows where "
                f"its header announces {expected[name]}: is the file complete?"
            )
    if conn.dialect.name == "postgresql":
        _reset_sequences(conn)
    return loader.counts
