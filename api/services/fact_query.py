"""The fact query: one owner for what a fact list means, on both databases and both paths.

A ``FactQuery`` holds the resolved filters (party codes resolved, the statuses the caller
may read, a source widened to its near-duplicates), the sort and its direction. From it
come the cursor's fingerprint (a cursor is only good for the same query) and every SQL
statement a list needs: a page after a keyset position, a count, a whole export. The Flask
views (through ``fact_reads``) and the thin read path (``api/fastpath.py``) both build a
``FactQuery`` and run these statements; neither writes SQL of its own.

Statements are plain SQL text with ``?`` marks (``%s`` on PostgreSQL), cached per *shape*:
which filters are present and how many values each has. The same shape always gives the
same text, so the database can keep one prepared statement per shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from .. import fact_document as doc
from ..dates import DateSpan
from .paging import (
    CursorError,
    fingerprint,
    parse_date_key,
    parse_datetime_key,
    parse_decimal_key,
    parse_int_key,
)

# Unknown dates sort as this day (``fact.sort_date``, migration 0004), missing values as
# this number: below every real one.
NO_DATE = date(1, 1, 1)
NO_VALUE = Decimal("-1e18")


@dataclass(frozen=True)
class Sort:
    """A sortable key: its SQL, how a cursor's key is read back, how it is bound."""

    sql: str
    parse: Callable[[Any], Any]  # a cursor's key back to a value
    key_out: Callable[[Any], Any]  # a row's key (either database) as a cursor keeps it


def _day_key(value: Any) -> Any:
    return value if isinstance(value, str) else value.isoformat()


def _number_key(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _moment_key(value: Any) -> str:
    if isinstance(value, str):  # SQLite's stored form, in UTC
        value = datetime.fromisoformat(value)
    moment: datetime = value
    return (
        moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    ).isoformat()


SORTS: dict[str, Sort] = {
    "date": Sort("f.sort_date", parse_date_key, _day_key),
    "value": Sort(f"coalesce(f.value, {NO_VALUE})", parse_decimal_key, _number_key),
    "id": Sort("{id}", parse_int_key, int),
    "created": Sort("f.created_at", parse_datetime_key, _moment_key),
}
DEFAULT_SORT = "-date"


@dataclass(frozen=True)
class Filter:
    """One filter: its SQL condition per dialect, and how its value is bound."""

    sqlite: str
    postgresql: str | None = None  # None: the same as SQLite's
    per_value: int = 1  # binds per value (``party`` names the code three times)
    bind: Callable[[str, Any], Any] | None = None  # (dialect, value) -> what is bound
    many: bool = False  # the value is a tuple; how many it holds is part of the shape
    each: str = ""  # with ``many``: one condition per value, joined by ``join``
    join: str = " OR "

    def sql(self, dialect: str, count: int) -> str:
        if self.each:
            return "(" + self.join.join([self.each] * count) + ")"
        text = self.sqlite if dialect == "sqlite" or self.postgresql is None else self.postgresql
        return text.format(marks=", ".join("?" * count)) if self.many else text


# Facts with an active link (services/links.py): to a given fact, of a given relation, or
# both in one link. ``{id}`` is the fact's id in a row (current facts or their history).
_LINKED = "EXISTS (SELECT 1 FROM fact_link l WHERE l.removed_at IS NULL AND {cond})"
_LINKED_TO = (
    "((l.from_fact_id = {id} AND l.to_fact_id = ?) OR (l.to_fact_id = {id} AND l.from_fact_id = ?))"
)
_LINKED_ANY = "(l.from_fact_id = {id} OR l.to_fact_id = {id}) AND l.relation = ?"


def _link_filters(fact_id: str) -> dict[str, Filter]:
    to = _LINKED_TO.format(id=fact_id)
    return {
        "linked_to": Filter(_LINKED.format(cond=to), per_value=2),
        "relation": Filter(_LINKED.format(cond=_LINKED_ANY.format(id=fact_id))),
        # (id, id, relation): the same link both joins the facts and has the relation.
        "linked_by": Filter(_LINKED.format(cond=to + " AND l.relation = ?"), many=True),
    }


_PARTY = (
    "(f.subject = ? OR f.counterpart = ? OR EXISTS (SELECT 1 FROM fact_party fp "
    "WHERE fp.fact_id = f.id AND fp.party_code = ?))"
)
# In the order they appear in a statement (and in a shape).
FILTERS: dict[str, Filter] = {
    "as_of": Filter("f.valid_from <= ? AND (f.valid_to IS NULL OR f.valid_to > ?)", per_value=2),
    "status": Filter("f.status IN ({marks})", many=True),
    "type": Filter("f.type IN ({marks})", many=True),
    "plover": Filter(
        "("
        + doc.event_code_sql("sqlite", "plover").format("f.type", "nullif(f.attributes, '')")
        + ") = ?",
        "(" + doc.event_code_sql("postgresql", "plover").format("f.type", "f.attributes") + ") = ?",
    ),
    "subject": Filter("f.subject = ?"),
    "counterpart": Filter("f.counterpart = ?"),
    "dyad": Filter("f.dyad = ?"),
    "party": Filter(_PARTY, per_value=3),
    "actor": Filter(
        "EXISTS (SELECT 1 FROM fact_actor fa WHERE fa.fact_id = f.id AND fa.actor_id = ?)"
    ),
    "source": Filter(
        "EXISTS (SELECT 1 FROM evidence e WHERE e.fact_id = f.id AND e.source_id IN ({marks}))",
        many=True,
    ),
    **_link_filters("f.id"),
    "from": Filter("f.date_end >= ?"),
    "to": Filter("f.date_start <= ?"),
    "unit": Filter("f.unit = ?"),
    "value_min": Filter("f.value >= ?"),
    "value_max": Filter("f.value <= ?"),
    "q": Filter(
        "f.id IN (SELECT rowid FROM fact_fts WHERE fact_fts MATCH ?)",
        "EXISTS (SELECT 1 FROM fact_search s WHERE s.fact_id = f.id "
        "AND s.document @@ plainto_tsquery('english', ?))",
        bind=lambda dialect, words: _match_text(words) if dialect == "sqlite" else " ".join(words),
    ),
    "nothing": Filter("1 = 0"),  # a search with no words in it
}
# The same filters over the history of facts (``models.FactVersion``), where the lists are
# codes or ids between spaces and a search matches each word in the summary and quotes.
_LISTED = "{col} LIKE '% ' || ? || ' %'"
HISTORY_FILTERS: dict[str, Filter] = {
    **FILTERS,
    "party": Filter(
        "(f.subject = ? OR f.counterpart = ? OR " + _LISTED.format(col="f.other_parties") + ")",
        per_value=3,
    ),
    # The attributes of a past version are those of its served document.
    "plover": Filter(
        "("
        + doc.event_code_sql("sqlite", "plover").format(
            "f.type", "json_extract(f.doc, '$.attributes')"
        )
        + ") = ?",
        "("
        + doc.event_code_sql("postgresql", "plover").format(
            "f.type", "(f.doc::json -> 'attributes')"
        )
        + ") = ?",
    ),
    "actor": Filter(_LISTED.format(col="f.actor_ids")),
    # The links a fact has now (links have no past of their own in this history).
    **_link_filters("f.fact_id"),
    "source": Filter("", many=True, each=_LISTED.format(col="f.source_ids")),
    "q": Filter(
        "",
        many=True,
        each="f.search_text LIKE ? ESCAPE '\\'",
        join=" AND ",
        bind=lambda _dialect, word: "%" + _like_escaped(word.lower()) + "%",
    ),
}


def _like_escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Rows:
    """Where a query reads: the current facts, or their history."""

    table: str
    id: str  # the fact's id in a row


CURRENT = Rows("fact", "f.id")
HISTORY = Rows("fact_version", "f.fact_id")


# The list arguments that say which facts (the cursor's fingerprint is taken from them).
FILTER_ARGS = frozenset(
    (
        "status",
        "type",
        "plover",
        "subject",
        "counterpart",
        "dyad",
        "party",
        "actor",
        "source",
        "linked_to",
        "relation",
        "from_",
        "to",
        "unit",
        "value_min",
        "value_max",
        "q",
        "as_of",
    )
)


def dyad_key(a: str, b: str) -> str:
    """The unordered pair as stored in ``fact.dyad``: ``IRQ-RUS``."""
    return "-".join(sorted((a, b)))


def _bindable(dialect: str, value: Any) -> Any:
    """A value as the DB-API driver takes it (SQLite keeps dates and times as text)."""
    if dialect != "sqlite":
        return value
    if isinstance(value, datetime):  # SQLAlchemy's stored form, in UTC
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)  # compared with REAL or INTEGER storage, as SQLAlchemy binds it
    return value


@dataclass(frozen=True)
class FactQuery:
    """What a fact list asks for, resolved: filters in ``FILTERS`` order, and the sort.

    ``filters`` holds (name, value) with values ready to bind (a tuple for ``status``,
    ``type`` and ``source``); ``keyed`` is what the cursor's fingerprint is taken from.
    """

    filters: tuple[tuple[str, Any], ...]
    sort: str = "date"
    descending: bool = True
    keyed: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def build(
        cls,
        args: dict[str, Any],
        sort_arg: str | None = None,
        *,
        source_group: list[int] | None = None,
        words: list[str] | None = None,
        keyed: dict[str, Any] | None = None,
    ) -> FactQuery:
        """The query of list arguments as loaded (codes resolved, ``from_`` for ``from``).

        ``source_group`` is ``args["source"]`` with its near-duplicates; ``words`` the words
        of ``args["q"]``; ``keyed`` the arguments the fingerprint is taken from (default:
        ``args``).
        """
        given: dict[str, Any] = {
            "status": tuple(args.get("status") or ["published"]),
            "type": tuple(args["type"]) if args.get("type") else None,
            "plover": args.get("plover") or None,
            "subject": args.get("subject") or None,
            "counterpart": args.get("counterpart") or None,
            "dyad": dyad_key(*args["dyad"]) if args.get("dyad") else None,
            "party": args.get("party") or None,
            "actor": args.get("actor"),
            "source": tuple(source_group or [args["source"]])
            if args.get("source") is not None
            else None,
            **_links_given(args.get("linked_to"), args.get("relation")),
            "from": _span(args.get("from_"), "start"),
            "to": _span(args.get("to"), "end"),
            "unit": args.get("unit") or None,
            "value_min": args.get("value_min"),
            "value_max": args.get("value_max"),
        }
        if args.get("q"):
            given["q"] = tuple(words or ()) or None
            given["nothing"] = True if not words else None
        # A time in the past: the same filters over the history of facts.
        given["as_of"] = args.get("as_of")
        filters = tuple((name, given[name]) for name in FILTERS if given.get(name) is not None)
        sort_arg = sort_arg or DEFAULT_SORT
        return cls(
            filters,
            sort_arg.lstrip("-"),
            sort_arg.startswith("-"),
            {k: v for k, v in args.items() if k in FILTER_ARGS} if keyed is None else keyed,
        )

    @property
    def sort_arg(self) -> str:
        return ("-" if self.descending else "") + self.sort

    def fingerprint(self) -> str:
        """The digest a cursor of this query carries (the same filters, whatever the sort)."""
        return fingerprint(self.keyed)

    def position(self, key: Any, row_id: Any) -> tuple[Any, int]:
        """A keyset position read back from a cursor, or CursorError."""
        try:
            parsed = SORTS[self.sort].parse(key)
        except (ValueError, TypeError):
            raise CursorError("Malformed cursor.") from None
        if isinstance(row_id, bool) or not isinstance(row_id, int):
            raise CursorError("Malformed cursor.")
        return parsed, row_id

    @property
    def history(self) -> bool:
        """Whether this asks for the facts as they stood at a past time (``as_of``)."""
        return _in_history(self.filters)

    @property
    def shape(self) -> tuple[tuple[str, int], ...]:
        table = HISTORY_FILTERS if self.history else FILTERS
        return tuple((n, len(v) if table[n].many else 1) for n, v in self.filters)

    def binds(
        self,
        dialect: str,
        after: tuple[Any, Any] | None = None,
        limit: int | None = None,
        keyset: str = "row",
    ) -> list[Any]:
        """The parameters of ``page_statement`` / ``count_statement``, in order."""
        binds: list[Any] = []
        table = HISTORY_FILTERS if self.history else FILTERS
        for name, value in self.filters:
            found = table[name]
            if name == "nothing":
                continue
            for one in value if found.many else (value,):
                one = found.bind(dialect, one) if found.bind else _bindable(dialect, one)
                binds.extend([one] * found.per_value)
        if after is not None:
            key, row_id = after
            key = _bindable(dialect, key)
            binds.extend((key,) if keyset == "beyond" else (key, row_id))
        if limit is not None:
            binds.append(limit)
        return binds

    def page_statement(
        self, dialect: str, keyset: str, limited: bool, serial: bool, stored: bool = False
    ) -> str:
        if self.history:
            shape, sort, desc = self.shape, self.sort, self.descending
            return history_statement(dialect, shape, sort, desc, keyset, limited)
        return page_statement(
            dialect, self.shape, self.sort, self.descending, keyset, limited, serial, stored
        )

    def count_statement(self, dialect: str) -> str:
        return count_statement(dialect, self.shape)


def _links_given(linked_to: int | None, relation: str | None) -> dict[str, Any]:
    both = linked_to is not None and relation is not None
    return {
        "linked_by": (linked_to, linked_to, relation) if both else None,
        "linked_to": linked_to if not both else None,
        "relation": relation if not both else None,
    }


def _span(span: DateSpan | None, end: str) -> date | None:
    return None if span is None else getattr(span, end)


def _match_text(words: tuple[str, ...]) -> str:
    """A search's words as SQLite FTS5 wants them: each quoted, so none is syntax."""
    return " ".join('"' + w.replace('"', "") + '"' for w in words)


def _in_history(filters: tuple[tuple[str, Any], ...]) -> bool:
    """Whether filters (or a shape) ask for a past time: ``as_of`` always comes first."""
    return bool(filters) and filters[0][0] == "as_of"


def _where(dialect: str, shape: tuple[tuple[str, int], ...]) -> str:
    table = HISTORY_FILTERS if _in_history(shape) else FILTERS
    return " AND ".join(table[name].sql(dialect, count) for name, count in shape) or "1 = 1"


def _keyset(key: str, fact_id: str, ahead: str, keyset: str) -> list[str]:
    if keyset == "row":
        return [f"({key}, {fact_id}) {ahead} (?, ?)"]
    if keyset == "same":
        return [f"{key} = ? AND {fact_id} {ahead} ?"]
    if keyset == "beyond":
        return [f"{key} {ahead} ?"]
    assert not keyset, keyset
    return []


def _driver(dialect: str, sql: str) -> str:
    # psycopg's marks are %s, so a literal % is written %%.
    return sql if dialect == "sqlite" else sql.replace("%", "%%").replace("?", "%s")


@lru_cache(maxsize=512)
def page_statement(
    dialect: str,
    shape: tuple[tuple[str, int], ...],
    sort: str,
    descending: bool,
    keyset: str,
    limited: bool,
    serial: bool = False,
    stored: bool = False,
) -> str:
    """One statement for a page (or, unlimited, a whole export) of facts.

    The rows are ``fact_document.select_list`` plus the sort key last, in the order of
    (sort key, id). ``serial`` rows are for writing straight out (``fast_facts
    .serial_items``): (JSON text or NULL, id, sort key), and on PostgreSQL without
    ``stored`` the parts of ``fact_document.pg_assemble`` after them. With ``stored``, the
    JSON is the document kept on the row (``services/fact_docs.py``): on PostgreSQL that
    column alone (a NULL one is built in Python), on SQLite built by SQLite where it is null.

    ``keyset`` is how a page continues after (key, id): ``""`` from the start; ``"row"``
    with ``(key, id) < (?, ?)``; or in two statements, ``"same"`` (the rest of the rows
    with that key, ``key = ? AND id < ?``) then ``"beyond"`` (``key < ?``). SQLite seeks
    an index only on the first column of a row-value comparison and then walks every
    row with the same key; where many facts share a date (month- and year-precision
    dates all start on the 1st) the two seeks are much cheaper (``keyset_modes``).
    """
    key = SORTS[sort].sql.format(id=CURRENT.id)
    conds = [_where(dialect, shape), *_keyset(key, "f.id", "<" if descending else ">", keyset)]
    way = "DESC" if descending else "ASC"
    where = " AND ".join(conds)
    head, tail = doc.select_list(dialect), ""
    if serial and dialect == "sqlite":
        head = f"{doc.sqlite_json_sql(stored)}, f.id"
    elif serial:
        # The stored document, or (not this code's yet) the parts PostgreSQL writes.
        head, tail = (
            ("f.doc, f.id", "") if stored else ("NULL, f.id", ", " + doc.postgresql_parts_sql())
        )
    if limited:
        # Find the page's ids on the index first, then build only those rows.
        sql = (
            f"SELECT {head}, p.k{tail} FROM (SELECT f.id AS id, {key} AS k FROM fact f WHERE "
            f"{where} ORDER BY {key} {way}, f.id {way} LIMIT ?) p JOIN fact f ON f.id = p.id "
            f"ORDER BY p.k {way}, p.id {way}"
        )
    else:
        sql = (
            f"SELECT {head}, {key}{tail} FROM fact f WHERE {where} ORDER BY {key} {way}, f.id {way}"
        )
    return _driver(dialect, sql)


@lru_cache(maxsize=256)
def history_statement(
    dialect: str,
    shape: tuple[tuple[str, int], ...],
    sort: str,
    descending: bool,
    keyset: str,
    limited: bool,
) -> str:
    """A page (or an export) of facts as they stood at a time: rows of (document, fact id,
    sort key) from their history, in the same order and keyset as ``page_statement``."""
    key = SORTS[sort].sql.format(id=HISTORY.id)
    ahead = "<" if descending else ">"
    where = " AND ".join([_where(dialect, shape), *_keyset(key, HISTORY.id, ahead, keyset)])
    way = "DESC" if descending else "ASC"
    sql = (
        f"SELECT f.doc, {HISTORY.id}, {key} FROM {HISTORY.table} f WHERE {where} "
        f"ORDER BY {key} {way}, {HISTORY.id} {way}" + (" LIMIT ?" if limited else "")
    )
    return _driver(dialect, sql)


def history_item_statement(dialect: str) -> str:
    """One fact's document as it stood at a time (binds: the time twice, the fact's id)."""
    where = _where(dialect, (("as_of", 1),))
    return _driver(dialect, f"SELECT f.doc FROM {HISTORY.table} f WHERE {where} AND f.fact_id = ?")


@lru_cache(maxsize=256)
def count_statement(dialect: str, shape: tuple[tuple[str, int], ...]) -> str:
    """How many facts match."""
    rows = HISTORY if _in_history(shape) else CURRENT
    return _driver(dialect, f"SELECT count(*) FROM {rows.table} f WHERE {_where(dialect, shape)}")


@lru_cache(maxsize=512)
def with_data_state(statement: str, descending: bool) -> str:
    """PostgreSQL: a limited ``page_statement`` with the data version and the stored
    documents' shape (``data_state``) before its columns, in the same snapshot, so a page
    and the version its ETag names are one round trip. An empty page gives the state's row
    with NULL columns."""
    way = "DESC" if descending else "ASC"
    return (
        f"SELECT s.version, s.doc_shape, p.* FROM data_state s LEFT JOIN LATERAL ({statement}) "
        f"p ON TRUE WHERE s.id = 1 ORDER BY p.k {way}, p.id {way}"
    )


def keyset_modes(dialect: str, sort: str) -> tuple[str, ...]:
    """The keyset modes that continue a page, in order (see ``page_statement``)."""
    if dialect == "sqlite" and sort == "date":
        return ("same", "beyond")
    return ("row",)
