"""The fact document: the one definition of a fact as the API serves it.

Every served form of a fact comes from ``FIELDS`` below: the JSON of lists and items (on
both read paths), the CSV columns, NDJSON lines, the snapshots kept in history and shown
in the change feed, the documented schema (``schemas.output.FactSchema``), the input a
PATCH is merged into (``as_input``), and the columns an edit copies (``CONTENT_COLUMNS``).
Where the database writes the JSON itself for speed (SQLite's ``json_object``), that SQL is
generated from the same definitions (``sqlite_json_sql``).

A field has a *kind*, which says how its value is read from the stored columns (a Core row,
raw DB-API values from either database, or the ORM object) and written as JSON. To add a
field to a fact: the model and its migration, one ``Field`` here, and the input schema
(``schemas.fact_input``) if curators write it; every output follows.

The lists inside a fact (``actors``, ``evidence``) are defined here too (``ACTOR_FIELDS``,
``EVIDENCE_FIELDS``); the database keeps them on the fact row as JSON text (migration
0005's triggers write exactly these keys, in this order; tests/test_fact_document.py
checks that the stored lists and these definitions agree).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson
from marshmallow import fields as mf

from . import event_codes

Loads = Callable[[Any], Any]


# -- how values are written -------------------------------------------------------------


def format_decimal(value: Decimal | None) -> str | None:
    """Write a decimal exactly, without exponent or trailing zeros (``2000000000``)."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def format_timestamp(value: datetime | None) -> str | None:
    """RFC 3339 in UTC, always with microseconds: 2026-11-22T06:12:22.875697Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if value else None


def day_text(value: Any) -> str | None:
    """A date as ``YYYY-MM-DD`` (SQLite and PostgreSQL's text give it already)."""
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def at_precision(day: str | None, precision: str) -> str | None:
    """A day (``YYYY-MM-DD``) written at its precision: ``2015``, ``2015-10``, the day."""
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


def _object(value: Any) -> Any:
    if isinstance(value, (str, bytes)):
        return orjson.loads(value) if value else {}
    return value or {}


def fragment(text: Any) -> Any:
    """JSON text the database wrote exactly as orjson would, embedded as it is."""
    return orjson.Fragment(text)


# -- the kinds of field -------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """How a field's value is read from its columns and, on SQLite, written by SQL."""

    read: Callable[..., Any]  # (column values..., loads) -> served value
    sqlite_json: str  # the json_object() argument, {0}, {1}... the columns
    # A SQLite condition under which ``sqlite_json`` writes exactly what ``read`` gives
    # to orjson (else the row is built in Python): "" when it always does.
    sqlite_exact: str = ""
    lists: bool = False  # JSON text the database aggregated: read with ``loads``
    # PostgreSQL: the value row_to_json() writes exactly as orjson writes ``read``'s; None
    # when it cannot (the column's text is then written again in Python, ``pg_assemble``).
    postgresql_json: str | None = "{0}"


PLAIN = Kind(lambda v, _loads: v, "{0}")
DAY = Kind(lambda v, _loads: day_text(v), "{0}")
_AT_PRECISION_SQL = (
    "CASE {1} WHEN 'unknown' THEN NULL WHEN 'year' THEN substr({0}, 1, 4) "
    "WHEN 'month' THEN substr({0}, 1, 7) ELSE {0} END"
)
AT_PRECISION = Kind(
    lambda start, precision, _loads: at_precision(day_text(start), precision),
    _AT_PRECISION_SQL,
    postgresql_json=_AT_PRECISION_SQL,
)
# SQLite: stored as an integer (or none), its text is the exact decimal. PostgreSQL: the
# numeric's text without trailing zeros (``format_decimal``).
DECIMAL = Kind(
    lambda v, _loads: _decimal(v),
    "CAST({0} AS TEXT)",
    "typeof({0}) IN ('null', 'integer')",
    postgresql_json="trim_scale({0})::text",
)
# Python's json module stored them and escapes non-ASCII; SQLite's json() would keep those
# escapes where orjson writes the characters, so such rows are built in Python.
# PostgreSQL keeps the text as written (json, with spaces): written again in Python.
OBJECT = Kind(
    lambda v, _loads: _object(v),
    "json(CASE WHEN {0} IS NULL OR {0} = '' THEN '{{}}' ELSE {0} END)",
    "instr(coalesce({0}, ''), '\\') = 0",
    postgresql_json=None,
)
TIMESTAMP = Kind(
    lambda v, _loads: _timestamp(v),
    "substr({0}, 1, 10) || 'T' || substr({0}, 12) || 'Z'",
    "length({0}) = 26 AND substr({0}, 11, 1) = ' '",
)
# Kept compact by the database (migrations 0005, 0006), embedded as they are.
LIST = Kind(
    lambda v, loads: loads(v) if isinstance(v, (str, bytes)) else v,
    "json({0})",
    "",
    True,
    "{0}::json",
)


# -- event codes (PLOVER, CAMEO), derived from the type and attributes --------------------

_SAFE = re.compile(r"^[A-Za-z0-9_+-]+\Z")


def _literal(value: str | None) -> str:
    if value is None:
        return "NULL"
    assert _SAFE.match(value), value  # the tables hold plain words only
    return f"'{value}'"


def _attribute_is(dialect: str, key: str, value: str | bool) -> str:
    """SQL: the attributes (``{1}``) hold ``key`` with exactly this JSON value."""
    assert _SAFE.match(key), key
    word = ("true" if value else "false") if isinstance(value, bool) else None
    if dialect == "sqlite":
        if word:
            return f"json_type({{1}}, '$.{key}') = '{word}'"
        found = f"json_extract({{1}}, '$.{key}')"
        return f"(json_type({{1}}, '$.{key}') = 'text' AND {found} = {_literal(str(value))})"
    kind, text = f"json_typeof({{1}} -> '{key}')", f"{{1}} ->> '{key}'"
    if word:
        return f"({kind} = 'boolean' AND {text} = '{word}')"
    return f"({kind} = 'string' AND {text} = {_literal(str(value))})"


def event_code_sql(dialect: str, part: str) -> str:
    """SQL for one part of ``event_codes.codes_for`` (``{0}`` the type, ``{1}`` the
    attributes as JSON): a CASE generated from the same tables, so the database's answer is
    the Python one by construction (tests compare them for every type and value)."""
    whens = []
    for name, default in event_codes.TYPE_CODES.items():
        fallback = _literal(getattr(default, part))
        refine = event_codes.REFINEMENTS.get(name)
        if refine is None:
            whens.append(f"WHEN '{name}' THEN {fallback}")
            continue
        key, table = refine
        inner = " ".join(
            f"WHEN {_attribute_is(dialect, key, value)} THEN {_literal(getattr(codes, part))}"
            for value, codes in table.items()
        )
        whens.append(f"WHEN '{name}' THEN CASE {inner} ELSE {fallback} END")
    return f"CASE {{0}} {' '.join(whens)} END"


def _event_kind(part: str) -> Kind:
    def read(fact_type: Any, attributes: Any, _loads: Loads) -> Any:
        if fact_type not in event_codes.TYPE_CODES:
            return None
        return getattr(event_codes.codes_for(fact_type, _object(attributes)), part)

    return Kind(
        read,
        event_code_sql("sqlite", part).replace("{1}", "nullif({1}, '')"),
        postgresql_json=event_code_sql("postgresql", part).replace("{1}", "{1}::json"),
    )


EVENT_PARTS = ("plover", "plover_mode", "plover_context", "cameo")
_EVENT_DESCRIPTIONS = {
    "plover": "PLOVER event category (docs/event-codes.md); null where none fits.",
    "plover_mode": "PLOVER mode of the category, where the specification defines one.",
    "plover_context": "PLOVER context (what the event was about).",
    "cameo": "CAMEO event code (its first two digits are the root); null where none fits.",
}


@dataclass(frozen=True)
class Column:
    """What a field reads: SQL per dialect (``f`` is the fact row) and the ORM attribute."""

    name: str
    sqlite: str
    postgresql: str
    orm: Callable[[Any], Any]


def _col(name: str, postgresql: str | None = None) -> Column:
    quoted = f'f."{name}"' if name in ("key", "end") else f"f.{name}"
    return Column(name, quoted, postgresql or quoted, lambda obj: getattr(obj, name))


_UTC_TEXT = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"


def _parties_of(fact: Any) -> list[str]:
    return sorted(p.party_code for p in fact.other_parties)


def _actors_of(fact: Any) -> list[dict[str, Any]]:
    links = sorted(fact.actors, key=lambda a: (a.actor_id, a.role))
    return [{name: read(link) for name, read in _ACTOR_READS} for link in links]


def _evidence_of(fact: Any) -> list[dict[str, Any]]:
    return [{name: read(ev) for name, read in _EVIDENCE_READS} for ev in fact.evidence]


# Dates and times are written as text by PostgreSQL, in the API's forms (saves building
# date and datetime objects only to format them again).
COLUMNS: dict[str, Column] = {
    c.name: c
    for c in (
        _col("id"),
        _col("key"),
        _col("type"),
        _col("subject"),
        _col("counterpart"),
        Column(
            "other_parties",
            "(SELECT json_group_array(party_code) FROM (SELECT party_code FROM fact_party "
            "WHERE fact_id = f.id ORDER BY party_code))",
            "array_to_json(ARRAY(SELECT party_code FROM fact_party WHERE fact_id = f.id "
            "ORDER BY party_code))::text",
            _parties_of,
        ),
        _col("date_start", "f.date_start::text"),
        _col("date_precision"),
        _col("date_end", "f.date_end::text"),
        _col("date_basis"),
        _col("value"),
        _col("unit"),
        _col("value_qualifier"),
        _col("summary"),
        _col("attributes", "f.attributes::text"),
        Column("actors_doc", "f.actors_doc", "f.actors_doc", _actors_of),
        Column("evidence_doc", "f.evidence_doc", "f.evidence_doc", _evidence_of),
        _col("status"),
        _col("rank"),
        _col("rank_reason"),
        _col("version"),
        _col("created_at", _UTC_TEXT.format("f.created_at")),
        _col("updated_at", _UTC_TEXT.format("f.updated_at")),
    )
}


@dataclass(frozen=True)
class Field:
    """One field of the served fact."""

    name: str
    kind: Kind
    reads: tuple[str, ...]  # names in COLUMNS
    schema: mf.Field | None  # the documented type (OpenAPI); lists: see ``parts``
    # How a stored fact gives this field as write-API input (``as_input``): None when
    # curators do not write it, else a function of the served value.
    input: Callable[[Any], Any] | None = None
    # Kept by the store, not by what a fact says: identity, version and timestamps.
    system: bool = False
    # A list of objects: their fields (name, read from the ORM row, documented type).
    parts: tuple[tuple[str, Callable[[Any], Any], mf.Field], ...] = ()


def _same(value: Any) -> Any:
    return value


def _actor_inputs(actors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"actor": a["key"], "role": a["role"]} for a in actors]


def _evidence_inputs(evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"source_id": e["source_id"], "quote": e["quote"], "start": e["start"]} for e in evidence
    ]


# The lists inside a fact: (name, how it is read from its ORM row, documented type).
ACTOR_FIELDS: tuple[tuple[str, Callable[[Any], Any], mf.Field], ...] = (
    ("id", lambda link: link.actor_id, mf.Integer()),
    ("key", lambda link: link.actor.key, mf.String()),
    ("name", lambda link: link.actor.name, mf.String()),
    (
        "role",
        lambda link: link.role,
        mf.String(metadata={"description": "The role the actor acted in."}),
    ),
)
EVIDENCE_FIELDS: tuple[tuple[str, Callable[[Any], Any], mf.Field], ...] = (
    ("id", lambda ev: ev.id, mf.Integer()),
    ("source_id", lambda ev: ev.source_id, mf.Integer()),
    (
        "quote",
        lambda ev: ev.quote,
        mf.String(metadata={"description": "The quoted passage, as curated."}),
    ),
    (
        "start",
        lambda ev: ev.start,
        mf.Integer(metadata={"description": "Offset (Unicode code points) in the source body."}),
    ),
    (
        "end",
        lambda ev: ev.end,
        mf.Integer(metadata={"description": "End offset (exclusive) in the source body."}),
    ),
    ("verified", lambda ev: ev.verified, mf.Boolean()),
)
_ACTOR_READS = [(name, read) for name, read, _ in ACTOR_FIELDS]
_EVIDENCE_READS = [(name, read) for name, read, _ in EVIDENCE_FIELDS]


def _optional(field: type[mf.Field], **kw: Any) -> mf.Field:
    return field(allow_none=True, **kw)


FIELDS: tuple[Field, ...] = (
    Field("id", PLAIN, ("id",), mf.Integer(), system=True),
    Field("key", PLAIN, ("key",), _optional(mf.String), _same),
    Field("type", PLAIN, ("type",), mf.String(), _same),
    Field("subject", PLAIN, ("subject",), mf.String(), _same),
    Field("counterpart", PLAIN, ("counterpart",), mf.String(), _same),
    Field("other_parties", LIST, ("other_parties",), mf.List(mf.String()), _same),
    Field(
        "date",
        AT_PRECISION,
        ("date_start", "date_precision"),
        _optional(mf.String, metadata={"description": "At its precision."}),
        _same,
    ),
    Field("date_start", DAY, ("date_start",), _optional(mf.Date)),
    Field("date_end", DAY, ("date_end",), _optional(mf.Date)),
    Field("date_precision", PLAIN, ("date_precision",), mf.String(), _same),
    Field("date_basis", PLAIN, ("date_basis",), _optional(mf.String), _same),
    Field(
        "value",
        DECIMAL,
        ("value",),
        _optional(
            mf.String, metadata={"description": "Exact decimal as a string, e.g. 2000000000."}
        ),
        _same,
    ),
    Field("unit", PLAIN, ("unit",), _optional(mf.String), _same),
    Field("value_qualifier", PLAIN, ("value_qualifier",), _optional(mf.String), _same),
    Field("summary", PLAIN, ("summary",), mf.String(), _same),
    Field("attributes", OBJECT, ("attributes",), mf.Dict(), _same),
    *(
        Field(
            part,
            _event_kind(part),
            ("type", "attributes"),
            _optional(mf.String, metadata={"description": _EVENT_DESCRIPTIONS[part]}),
        )
        for part in EVENT_PARTS
    ),
    Field("actors", LIST, ("actors_doc",), None, _actor_inputs, parts=ACTOR_FIELDS),
    Field("evidence", LIST, ("evidence_doc",), None, _evidence_inputs, parts=EVIDENCE_FIELDS),
    Field("status", PLAIN, ("status",), mf.String(), _same),
    Field(
        "rank",
        PLAIN,
        ("rank",),
        mf.String(
            metadata={
                "description": "preferred, normal or deprecated: the curator's rank among facts "
                "that report the same thing (aggregates use the preferred, leave out deprecated)."
            }
        ),
        _same,
    ),
    Field(
        "rank_reason",
        PLAIN,
        ("rank_reason",),
        _optional(mf.String, metadata={"description": "Why the rank is not normal."}),
        _same,
    ),
    Field("version", PLAIN, ("version",), mf.Integer(), system=True),
    Field("created_at", TIMESTAMP, ("created_at",), mf.DateTime(), system=True),
    Field("updated_at", TIMESTAMP, ("updated_at",), mf.DateTime(), system=True),
)
NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)

# The columns of a row, in the order the fields first read them (``select_list``).
ROW: tuple[str, ...] = tuple(dict.fromkeys(c for f in FIELDS for c in f.reads))
AT: dict[str, int] = {name: i for i, name in enumerate(ROW)}  # a column's place in a row
WIDTH = len(ROW)
# What an edit copies from the new content onto the stored fact: the plain columns of
# what a fact says (the lists are merged row by row, ``services.facts``).
CONTENT_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(c for f in FIELDS if not f.system and not f.kind.lists for c in f.reads)
)
# The fields that are not what a fact says (left out when two facts' content is compared).
SYSTEM_FIELDS: frozenset[str] = frozenset(f.name for f in FIELDS if f.system)

_READERS = [(f.name, f.kind.read, tuple(AT[c] for c in f.reads)) for f in FIELDS]


def from_row(row: Sequence[Any], loads: Loads = orjson.loads) -> dict[str, Any]:
    """A row of ``select_list`` columns (the first ``WIDTH``) as served.

    ``loads`` reads the lists the database aggregated as JSON text. To serialize a row
    from SQLite straight away, pass ``fragment``: SQLite writes that JSON exactly as orjson
    would (compact, the same escapes; tests check every character), so it is embedded as it
    is instead of being parsed and written again.
    """
    out: dict[str, Any] = {}
    for name, read, places in _READERS:
        if len(places) == 1:
            out[name] = read(row[places[0]], loads)
        else:
            out[name] = read(*[row[i] for i in places], loads)
    return out


def from_object(fact: Any) -> dict[str, Any]:
    """The served form of an ORM ``Fact`` (saved or not): its history snapshot."""
    return from_row([COLUMNS[name].orm(fact) for name in ROW])


def as_input(document: dict[str, Any]) -> dict[str, Any]:
    """A served fact written as write-API input (what a PATCH is merged into)."""
    return {f.name: f.input(document[f.name]) for f in FIELDS if f.input is not None}


def select_list(dialect: str) -> str:
    """The ``ROW`` columns of a fact row aliased ``f``, for ``from_row``."""
    if dialect == "sqlite":
        return ", ".join(COLUMNS[name].sqlite for name in ROW)
    return ", ".join(COLUMNS[name].postgresql for name in ROW)


def sqlite_json_sql(stored: bool = False) -> str:
    """SQLite: the whole fact as the JSON the API serves, or NULL where SQLite would not
    write it exactly as orjson writes ``from_row`` (those rows are built in Python).
    ``stored``: the document kept on the row (``fact.doc``), built only where it is null."""
    args, exact = [], []
    for f in FIELDS:
        cols = [COLUMNS[c].sqlite for c in f.reads]
        args.append(f"'{f.name}', " + f.kind.sqlite_json.format(*cols))
        if f.kind.sqlite_exact:
            exact.append(f.kind.sqlite_exact.format(*cols))
    built = f"CASE WHEN {' AND '.join(exact)} THEN json_object({', '.join(args)}) END"
    return f"coalesce(f.doc, {built})" if stored else built


def _postgresql_parts() -> list[tuple[str, Field | None]]:
    """PostgreSQL's serial columns: runs of fields written by row_to_json (compact JSON
    objects), and between them each field written in Python (None: its column's text)."""
    parts: list[tuple[str, Field | None]] = []
    run: list[str] = []
    for f in FIELDS:
        cols = [COLUMNS[c].postgresql for c in f.reads]
        if f.kind.postgresql_json is None:
            if run:
                parts.append(
                    (f"(SELECT row_to_json(d)::text FROM (SELECT {', '.join(run)}) d)", None)
                )
                run = []
            parts.append((", ".join(cols), f))
        else:
            run.append(f'{f.kind.postgresql_json.format(*cols)} AS "{f.name}"')
    if run:
        parts.append((f"(SELECT row_to_json(d)::text FROM (SELECT {', '.join(run)}) d)", None))
    return parts


_PG_PARTS = _postgresql_parts()


def postgresql_parts_sql() -> str:
    """PostgreSQL: the columns ``pg_assemble`` makes a fact's JSON from, where the stored
    document (``services/fact_docs.py``) is not this code's."""
    return ", ".join(sql for sql, _ in _PG_PARTS)


def pg_assemble(parts: Sequence[Any]) -> Any:
    """The served JSON from the columns of ``postgresql_parts_sql``, for orjson to embed."""
    pieces = []
    for (_, field), value in zip(_PG_PARTS, parts, strict=True):
        if field is None:
            pieces.append(value[1:-1])
        else:
            text = orjson.dumps(field.kind.read(value, orjson.loads)).decode()
            pieces.append(f'"{field.name}":{text}')
    return orjson.Fragment("{" + ",".join(pieces) + "}")
