"""The thin read path: the hottest public GETs answered without Flask's per-request work.

A page of facts costs well under a millisecond in the database, while routing, argument
parsing by webargs/marshmallow, the scoped session and the request hooks cost several times
that. This WSGI layer sits in front of the Flask app and answers, from one pooled DB-API
connection and prepared SQL, exactly the requests it fully understands:

* ``GET /api/v1/facts`` with ``dyad``, ``subject``, ``counterpart``, ``party``, ``type``,
  ``from``, ``to``, ``sort`` (``date``, ``id``, either direction), ``limit``, ``cursor`` and
  ``format`` (json, csv, ndjson), each given once in its plain form;
* ``GET /api/v1/facts/{id}`` of a published fact;
* revalidations of both (``If-None-Match``), answered with 304 from the data version or
  the fact's tag before any page query runs.

Everything else (tokens, other parameters, a value it would have to interpret, HEAD, an
unknown id, a cursor it cannot read) goes to Flask unchanged, which answers it or gives the
problem+json error. What it keeps of its own is only what makes it thin: route matching, a
strict argument parser (which builds the same ``FactQuery`` as Flask's views), rate
counting (in Flask-Limiter's own storage under Flask-Limiter's own keys) and its
connection. The envelope, ``Link``, exports, ETag / 304, Cache-Control, Vary, CORS and
nosniff come from the response layer (api/responses/), as Flask's do, so what it serves is
byte for byte what Flask would (tests/test_fastpath.py and tests/test_fastpath_random.py
compare them).

Turn it off with ``FACTS_FAST_PATH=false``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import count
from typing import Any

import orjson
import psycopg
from flask import Flask
from psycopg import pq
from sqlalchemy import Connection
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import SecurityError
from werkzeug.sansio.utils import get_current_url
from werkzeug.utils import cached_property
from werkzeug.wrappers import Request

from . import dbdeadline, fact_document
from .dates import DateSpan
from .db import DATA_STATE_SQL
from .responses.headers import HeaderPolicy, current, revalidated
from .responses.lists import (
    cursor_codec,
    export_body,
    export_headers,
    json_headers,
    list_document,
    page_headers,
    url_with,
)
from .responses.media import (
    LIST_FORMATS,
    PLAIN_ITEM_ACCEPT,
    PLAIN_LIST_ACCEPT,
    negotiate_format,
    read_accept,
)
from .responses.page_cache import Page, page_cache
from .schemas.args import CODE_PATTERN, parse_date_param
from .services import fact_docs, fast_facts
from .services.catalog import cached_party_codes
from .services.fact_query import SORTS, FactQuery, keyset_modes, with_data_state
from .services.fact_writes import fact_tag
from .services.paging import CursorError
from .vocabulary import FACT_TYPES

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
Headers = list[tuple[str, str]]
Answer = tuple[str, Headers, Iterable[bytes]]

_CODE = re.compile(CODE_PATTERN)
_LIMIT = re.compile(r"^[1-9][0-9]{0,2}\Z")
_ITEM = re.compile(r"^/api/v1/facts/([1-9][0-9]{0,9})\Z")
_FILTERS = ("type", "subject", "counterpart", "party", "dyad", "from", "to")
_LIST_ARGS = frozenset((*_FILTERS, "sort", "limit", "cursor", "format"))
_SORTS = ("date", "id")  # the sorts answered here (the others are Flask's)
_EXPORT_BATCH = 1000
# The fact id's column in a row of ``with_data_state`` (version and doc_shape come first).
_STATE_ID = 3


@lru_cache(maxsize=4096)
def _current_url(scheme: str, host: str, root: str, path: str, query: bytes | None = None) -> str:
    # werkzeug's own, which decodes the host with IDNA each time; remembered here.
    return get_current_url(scheme, host, root, path, query)


class _Request(Request):
    """werkzeug's request with ``url`` and ``base_url`` remembered per distinct URL."""

    @cached_property
    def url(self) -> str:
        return _current_url(self.scheme, self.host, self.root_path, self.path, self.query_string)

    @cached_property
    def base_url(self) -> str:
        return _current_url(self.scheme, self.host, self.root_path, self.path)


_NEXT_PREFIXES: dict[tuple[str, bytes], str] = {}


def _next_prefix(request: Request) -> str:
    """The next-page link up to its cursor: ``url_with(..., cursor=c)`` is this + ``c``.

    The other parameters keep their order and the cursor goes last; a cursor is URL-safe
    base64 and a dot, which urlencode leaves as they are (tests compare the two).
    Remembered per distinct URL (a few thousand at most).
    """
    key = (request.base_url, request.query_string)
    found = _NEXT_PREFIXES.get(key)
    if found is None:
        marker = "CURSOR"
        full = url_with(request.base_url, request.args, cursor=marker)
        found = full[: -len(marker)]
        if len(_NEXT_PREFIXES) >= 4096:
            _NEXT_PREFIXES.clear()
        _NEXT_PREFIXES[key] = found
    return found


def _page_key(environ: dict[str, Any]) -> tuple[str, ...]:
    """A list request's key in the page cache: what its URL is made of (scheme, host, root
    and query; the path is the route's), since the body's links are absolute, and its
    Accept, as for the ETag. Read off the environment: no request object is made for a
    page sent again."""
    get = environ.get
    return (
        get("wsgi.url_scheme", ""),
        get("HTTP_HOST", ""),
        get("SERVER_NAME", ""),
        get("SERVER_PORT", ""),
        get("SCRIPT_NAME", ""),
        get("QUERY_STRING", ""),
        get("HTTP_ACCEPT", ""),
    )


@lru_cache(maxsize=64)
def _accept(header: str | None) -> Any:
    # Only the plain values reach here (PLAIN_LIST_ACCEPT): read as Flask's negotiation does.
    return read_accept(header)


_STATE_NAMES = count(1)  # prepared statement names, unique in the process


def _end(conn: Any) -> None:
    """End a PostgreSQL connection's transaction, if one is open (a read here runs in
    autocommit; an export's own transaction ends with it)."""
    if conn.pgconn.transaction_status != pq.TransactionStatus.IDLE:
        conn.rollback()


class _Fallback(Exception):
    """This request is Flask's to answer."""


def _code(value: str) -> str:
    if not _CODE.fullmatch(value):  # fullmatch: "$" alone would let a final newline in
        raise _Fallback
    return value


def _date(value: str) -> DateSpan:
    try:
        return parse_date_param(value)
    except ValueError:
        raise _Fallback from None


class _Streamed:
    """A streamed body that gives its connection back when done, closed or never read."""

    def __init__(self, chunks: Iterator[bytes], release: Callable[[], None]) -> None:
        self._chunks = chunks
        self._release: Callable[[], None] | None = release

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._chunks
        finally:
            self.close()

    def close(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            self._chunks.close()  # type: ignore[attr-defined]
            release()


class FastPath:
    """WSGI middleware: the hot public reads here, everything else to ``wsgi_app``."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Any]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.enabled = bool(app.config["FAST_PATH"])
        self.engine = app.extensions["db_engine"]
        self.dialect = self.engine.dialect.name
        self.deadline = float(app.config.get("DATABASE_TIMEOUT") or 0)
        self.trouble = dbdeadline.trouble_of(self.engine)  # None: no deadline (SQLite)
        self.codec = cursor_codec(app.config)
        self.headers: HeaderPolicy = app.extensions["bf_headers"]  # Flask's, the same
        self.codes_key = str(self.engine.url)
        self.served = 0  # requests answered here (for tests and curiosity)
        self._limits: list[Any] | None = None
        self._seen: tuple[int, bool] | None = None  # the data state last read here
        self._tags: dict[tuple[int, str, str], str] = {}  # _list_tag's, remembered
        self.pages = page_cache(
            app.config.get("PAGE_CACHE_MB") or 0, app.config.get("PAGE_CACHE_SECONDS") or 0
        )
        # PostgreSQL: the name of the data state's prepared statement, per connection.
        self._prepared: weakref.WeakKeyDictionary[Any, bytes] = weakref.WeakKeyDictionary()
        self._local = threading.local()

    # -- plumbing ---------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        if (
            self.enabled
            and environ.get("REQUEST_METHOD") == "GET"
            and "HTTP_AUTHORIZATION" not in environ
        ):
            path = environ.get("PATH_INFO", "")
            # Any other Accept value is Flask's to negotiate (406 when nothing fits).
            accept = environ.get("HTTP_ACCEPT", "*/*")
            answer: Answer | None = None
            try:
                if path == "/api/v1/facts":
                    if accept in PLAIN_LIST_ACCEPT:
                        answer = self._fact_list(environ)
                else:
                    found = _ITEM.match(path)
                    if found and int(found.group(1)) <= 2147483647 and accept in PLAIN_ITEM_ACCEPT:
                        answer = self._fact_item(self._request(environ), int(found.group(1)))
            except _Fallback:
                answer = None
            except Exception:  # Flask answers it, with its own error handling
                log.warning("thin read path fell back to Flask", exc_info=True)
                self._discard()
                answer = None
            if answer is not None:
                self.served += 1
                status, headers, body = answer
                start_response(status, headers)
                return body
        return self.wsgi_app(environ, start_response)

    def _request(self, environ: dict[str, Any]) -> Request:
        request = _Request(environ)
        request.trusted_hosts = self.app.config.get("TRUSTED_HOSTS")
        return request

    def _connection(self) -> tuple[Any, Callable[[], None]]:
        """A DB-API connection in a read transaction, and how to end that transaction.

        Each thread keeps one connection of its own, made by the engine (so with the same
        pragmas) and then detached from its pool: no pool checkout, reset or pre-ping per
        request. A connection that fails is dropped (``_discard``) and the request goes to
        Flask. When the app's sessions are bound to one connection (the tests' rolled-back
        transaction), that connection is used, as Flask's path would.
        """
        bind = self.app.extensions["db_sessionmaker"].kw.get("bind")
        if isinstance(bind, Connection):
            return bind.connection.dbapi_connection, lambda: None
        held = getattr(self._local, "conn", None)
        if held is None or held[0] != os.getpid():  # new thread, or a forked worker
            if self.trouble is not None and self.trouble.recent(self.deadline):
                # The database just failed to answer: a connection attempt here and then
                # another in Flask would double the wait; Flask alone answers (503 or 200).
                raise _Fallback
            try:
                proxied = self.engine.raw_connection()
            except Exception:
                dbdeadline.gave_up(self.engine)  # Flask's path answers without a 2nd wait
                raise
            dbapi = proxied.dbapi_connection
            proxied.detach()
            if self.dialect != "sqlite":
                # One round trip per statement, no BEGIN/ROLLBACK around each request: under
                # READ COMMITTED each statement had its own snapshot anyway.
                dbapi.autocommit = True
            held = self._local.conn = (os.getpid(), dbapi)
        conn = held[1]
        if self.dialect == "sqlite":
            conn.execute("BEGIN")
            return conn, conn.rollback
        # Autocommit: nothing to end, unless something left a transaction open.
        return conn, functools.partial(_end, conn)

    def _discard(self) -> None:
        held = getattr(self._local, "conn", None)
        self._local.conn = None
        if held is not None and held[0] == os.getpid():
            with contextlib.suppress(Exception):  # already broken
                held[1].close()

    def _rate_limit(self, environ: dict[str, Any]) -> list[tuple[str, str]]:
        """Count the read against Flask-Limiter's limits; its headers, or fall back."""
        limiter = self.app.extensions["limiter"]
        if not limiter.enabled:
            return []
        if self._limits is None:
            from limits import parse_many

            self._limits = sorted(parse_many(self.app.config["RATE_LIMIT_READS"]))
        args = [environ.get("REMOTE_ADDR") or "127.0.0.1", "reads"]  # request.remote_addr
        prefix = self.app.config.get("RATELIMIT_KEY_PREFIX")
        if prefix:
            args = [prefix, *args]
        strategy = limiter.limiter
        for item in self._limits:
            if not strategy.hit(item, *args):
                raise _Fallback  # Flask-Limiter gives the 429
        if not self.app.config.get("RATELIMIT_HEADERS_ENABLED", True):
            return []
        first = self._limits[0]
        window = strategy.get_window_stats(first, *args)
        reset_at = int(window[0] + 1)
        config = self.app.config
        # No Retry-After: it asks the client to wait, which only a 429 (Flask's) does.
        return [
            (config["RATELIMIT_HEADER_LIMIT"], str(first.amount)),
            (config["RATELIMIT_HEADER_REMAINING"], str(window[1])),
            (config["RATELIMIT_HEADER_RESET"], str(reset_at)),
        ]

    def _policy_headers(self, environ: dict[str, Any], tag: str, limits: Headers) -> Headers:
        """The response layer's headers of this read, and the rate limit's."""
        return [*self.headers.public_read(tag, environ.get("HTTP_ORIGIN")), *limits]

    def _not_modified(self, environ: dict[str, Any], tag: str, limits: Headers) -> Answer:
        return "304 NOT MODIFIED", self._policy_headers(environ, tag, limits), []

    def _json(self, environ: dict[str, Any], body: bytes, tag: str, extra: Headers) -> Answer:
        headers = [*json_headers(body), *extra, *self._policy_headers(environ, tag, [])]
        return "200 OK", headers, [body]

    def _state(self, conn: Any) -> tuple[int, bool]:
        """The data version, and whether the stored fact documents are this code's.

        On PostgreSQL outside a transaction, from the prepared statement (``_pg_state``); a
        connection inside one (the tests' rolled-back one) is read through psycopg, which
        knows when a rollback drops its prepared statements."""
        if self.dialect != "sqlite" and conn.pgconn.transaction_status == pq.TransactionStatus.IDLE:
            return self._pg_state(conn)
        cur = conn.cursor()
        cur.execute(DATA_STATE_SQL)
        found = cur.fetchone()
        if not found:
            return 0, False
        return int(found[0]), found[1] == fact_docs.shape()

    def _pg_state(self, conn: Any) -> tuple[int, bool]:
        """``_state`` on PostgreSQL, the statement every request here makes: prepared once
        per connection and run on libpq directly (psycopg's cursor doubled its cost), under
        the same deadline as every other call (on a connection in autocommit, between
        transactions)."""
        pgconn = conn.pgconn
        guard = self.deadline and self.trouble is not None
        for attempt in (1, 2):
            name = self._prepared.get(conn)
            if guard:  # as dbdeadline.guarded, without a context manager per request
                dbdeadline.WATCHDOG.arm(conn, self.deadline, self.trouble)  # type: ignore[arg-type]
            try:
                if name is None:
                    name = f"bf_state_{next(_STATE_NAMES)}".encode()
                    made = pgconn.prepare(name, DATA_STATE_SQL.encode())
                    if made.status != pq.ExecStatus.COMMAND_OK:
                        raise psycopg.OperationalError(made.get_error_message())
                    self._prepared[conn] = name
                found = pgconn.exec_prepared(name, [])
            finally:
                if guard:
                    dbdeadline.WATCHDOG.disarm()
            if found.status == pq.ExecStatus.TUPLES_OK:
                break
            # Dropped (DEALLOCATE ALL) or stale (the table made again): prepare afresh once.
            self._prepared.pop(conn, None)
            if attempt == 2:
                raise psycopg.OperationalError(found.get_error_message())
        if not found.ntuples:
            return 0, False
        version, shape = found.get_value(0, 0), found.get_value(0, 1)
        return int(version), shape is not None and shape.decode() == fact_docs.shape()

    def _resolve(self, conn: Any, version: int, raw: str) -> str:
        def load() -> Any:
            cur = conn.cursor()
            cur.execute("SELECT code, alpha2, numeric FROM party")
            return cur.fetchall()

        codes = cached_party_codes(self.codes_key, f"{id(self.engine)}:{version}", load)
        found = codes.get(raw.upper())
        if found is None:  # Flask answers the 400 that names it and the closest codes
            raise _Fallback
        return found

    # -- GET /api/v1/facts ------------------------------------------------------------

    def _list_args(self, args: MultiDict[str, str]) -> dict[str, Any]:
        """The parameters, checked as the Flask path would, or _Fallback."""
        parsed: dict[str, Any] = {}
        for name, values in args.lists():
            if name not in _LIST_ARGS or len(values) != 1:
                raise _Fallback
            value = values[0]
            if name in ("subject", "counterpart", "party"):
                parsed[name] = _code(value)
            elif name == "dyad":
                pair = value.split(",")
                if len(pair) != 2 or pair[0].upper() == pair[1].upper():
                    raise _Fallback
                parsed[name] = [_code(pair[0]), _code(pair[1])]
            elif name == "type":
                kinds = value.split(",")
                if not all(k in FACT_TYPES for k in kinds):
                    raise _Fallback
                parsed[name] = kinds
            elif name in ("from", "to"):
                parsed[name] = _date(value)
            elif name == "sort":
                if value.lstrip("-") not in _SORTS or value.count("-") > 1:
                    raise _Fallback
                parsed[name] = value
            elif name == "limit":
                if not _LIMIT.match(value) or int(value) > 500:
                    raise _Fallback
                parsed[name] = int(value)
            elif name == "cursor":
                if not 1 <= len(value) <= 1000:
                    raise _Fallback
                parsed[name] = value
            elif value in LIST_FORMATS:
                parsed[name] = value
            else:
                raise _Fallback
        return parsed

    def _query(self, conn: Any, version: int, parsed: dict[str, Any]) -> FactQuery:
        """The filters as the Flask path loads them (names as loaded, codes resolved)."""
        args: dict[str, Any] = {"status": ["published"]}
        for name in _FILTERS:
            if name not in parsed:
                continue
            value = parsed[name]
            if name in ("subject", "counterpart", "party"):
                value = self._resolve(conn, version, value)
            elif name == "dyad":
                value = [self._resolve(conn, version, v) for v in value]
                if value[0] == value[1]:
                    raise _Fallback
            args["from_" if name == "from" else name] = value
        return FactQuery.build(args, parsed.get("sort"))

    def _served_host(self, environ: dict[str, Any]) -> None:
        """With TRUSTED_HOSTS set, _Fallback for a host Flask does not serve (its 400): the
        answers below can be made before anything else reads the host."""
        if self.app.config.get("TRUSTED_HOSTS"):
            try:
                self._request(environ).host  # noqa: B018 (werkzeug checks it when read)
            except SecurityError:
                raise _Fallback from None

    def _fact_list(self, environ: dict[str, Any]) -> Answer | None:
        self._served_host(environ)
        key = _page_key(environ)
        kept = self.pages.get(key) if self.pages is not None else None
        sent = environ.get("HTTP_IF_NONE_MATCH")
        conn, release = self._connection()
        handed_over = False
        try:
            # PostgreSQL reads a plain page (no If-None-Match to answer first) and the data
            # state in one statement, one snapshot: one round trip instead of two. Codes are
            # resolved at the version last seen, and again if the page's version differs.
            # A page answered here before (page_cache.py) is sent again if the data version
            # is still the one it was read at: then the version is read first.
            seen = self._seen
            one_trip = (
                seen is not None and kept is None and self.dialect != "sqlite" and sent is None
            )
            if seen is not None and one_trip:
                version, stored = seen
            else:
                version, stored = self._seen = self._state(conn)
                tag = self._list_tag(environ, version)
                if kept is not None and kept.version == version:
                    # The same request succeeded here at this version: the same answer,
                    # so "*" is current too.
                    limits = self._rate_limit(environ)
                    if sent is not None and current(sent, tag):
                        return self._not_modified(environ, tag, limits)
                    self.pages.hit()  # type: ignore[union-attr]
                    return self._json(environ, kept.body, tag, [*kept.headers, *limits])
                # A tag of ours names a request that succeeded, at this data version: as
                # Flask's revalidation hook, 304 before the arguments are even read, and
                # before a request object is made.
                if sent is not None and revalidated(sent, tag):
                    return self._not_modified(environ, tag, self._rate_limit(environ))
            request = self._request(environ)
            parsed = self._list_args(request.args)
            fmt = negotiate_format(parsed, _accept(request.headers.get("Accept")))
            if fmt != "json" and "cursor" in parsed:
                raise _Fallback  # the Flask path validates (and ignores) it
            query = self._query(conn, version, parsed)
            # Counted only now that this path will answer: a request handed to Flask above
            # is counted there, once.
            limits = self._rate_limit(environ)

            if fmt != "json":  # no cursor (see above): it succeeds, so "*" is current
                if one_trip:
                    version, stored = self._seen = self._state(conn)
                    query = self._query(conn, version, parsed)
                    tag = self._list_tag(environ, version)
                if current(request.if_none_match, tag):
                    return self._not_modified(environ, tag, limits)
                stream = self._export(conn, release, fmt, query, stored)
                handed_over = True
                headers = [
                    *export_headers(fmt, "facts"),
                    *self._policy_headers(environ, tag, limits),
                ]
                return "200 OK", headers, stream

            digest = query.fingerprint()
            after = None
            if "cursor" in parsed:
                try:
                    after = query.position(
                        *self.codec.decode(parsed["cursor"], query.sort_arg, digest)
                    )
                except CursorError:
                    raise _Fallback from None
            limit = parsed.get("limit", 50)
            cur = conn.cursor()
            rows: list[Any] = []
            read = False
            if one_trip:
                state, rows, read = self._page_with_state(cur, query, after, limit, stored)
                if state[0] != version:  # the data changed since the codes were resolved
                    again = self._query(conn, state[0], parsed)
                    if again != query:
                        query, rows, read = again, [], False
                        digest = query.fingerprint()
                version, stored = self._seen = state
                tag = self._list_tag(environ, version)
            if not read:
                rows = []
                for mode in keyset_modes(self.dialect, query.sort) if after else ("",):
                    statement = query.page_statement(self.dialect, mode, True, True, stored)
                    wanted = limit + 1 - len(rows)
                    cur.execute(statement, query.binds(self.dialect, after, wanted, mode))
                    rows += cur.fetchall()
                    if len(rows) > limit:
                        break
            has_next = len(rows) > limit
            rows = rows[:limit]
            items = fast_facts.serial_items(cur, self.dialect, rows)
        finally:
            if not handed_over:
                release()

        if current(request.if_none_match, tag):  # "*", now that the page is found
            return self._not_modified(environ, tag, limits)
        next_url = None
        if has_next:
            last_id, last_key = fast_facts.serial_id_and_key(rows[-1])
            last_key = SORTS[query.sort].key_out(last_key)
            cursor = self.codec.encode(query.sort_arg, last_key, last_id, digest)
            next_url = _next_prefix(request) + cursor
        body = orjson.dumps(list_document(items, request.url, next_url, limit))
        own = page_headers(next_url)
        if self.pages is not None:
            self.pages.put(key, Page(version, body, own))
        return self._json(environ, body, tag, [*own, *limits])

    def _list_tag(self, environ: dict[str, Any], version: int) -> str:
        """The list's ETag at ``version`` (the response layer's), remembered per version,
        query string and Accept: the path is this route's, so they are all it depends on."""
        key = (version, environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT", ""))
        tag = self._tags.get(key)
        if tag is None:
            full_path = self._request(environ).full_path
            tag = self.headers.etag(str(version), full_path, key[2], False)
            if len(self._tags) >= 4096:
                self._tags.clear()
            self._tags[key] = tag
        return tag

    def _page_with_state(
        self, cur: Any, query: FactQuery, after: Any, limit: int, stored: bool
    ) -> tuple[tuple[int, bool], list[Any], bool]:
        """PostgreSQL: the data state (version, stored documents current), the page's rows
        (those of ``page_statement``), and whether they are the page, from one statement.

        An empty page is the state's row with NULL columns. Rows read from stored documents
        that turn out not to be this code's are not the page (it is read again without).
        """
        statement = query.page_statement(self.dialect, "row" if after else "", True, True, stored)
        binds = query.binds(self.dialect, after, limit + 1, "row")
        cur.execute(with_data_state(statement, query.descending), binds)
        found = cur.fetchall()
        if not found:  # no data_state row: an unmigrated database (Flask says so)
            raise _Fallback
        state = (int(found[0][0]), found[0][1] == fact_docs.shape())
        if found[0][_STATE_ID] is None:
            return state, [], True
        if stored and not state[1]:
            return state, [], False
        return state, [row[2:] for row in found], True

    def _export(
        self, conn: Any, release: Callable[[], None], fmt: str, query: FactQuery, stored: bool
    ) -> _Streamed:
        """Every matching fact from one statement, in batches, then the connection back."""
        statement = query.page_statement(self.dialect, "", False, fmt == "ndjson", stored)
        binds = query.binds(self.dialect)

        def rows() -> Iterator[list[Any]]:
            if self.dialect == "postgresql" and getattr(conn, "autocommit", False):
                # A server-side cursor, in a transaction of its own: one snapshot, rows
                # arriving in batches.
                with dbdeadline.transaction(conn):  # BEGIN and COMMIT under the deadline
                    cur = conn.cursor(name="bf_export")
                    cur.execute(statement, binds)
                    while batch := cur.fetchmany(_EXPORT_BATCH):
                        yield batch
                    cur.close()
                return
            cur = conn.cursor()
            cur.execute(statement, binds)
            while batch := cur.fetchmany(_EXPORT_BATCH):
                yield batch
            cur.close()

        def items() -> Iterator[list[Any]]:
            if fmt == "ndjson":
                side = conn.cursor()  # for the few rows built in Python
                for batch in rows():
                    yield fast_facts.serial_items(side, self.dialect, batch)
            else:
                for batch in rows():
                    yield [fact_document.from_row(row) for row in batch]

        return _Streamed(export_body(fmt, items(), fact_document.NAMES), release)

    # -- GET /api/v1/facts/{id} -------------------------------------------------------

    def _fact_item(self, request: Request, fact_id: int) -> Answer | None:
        if request.args:
            raise _Fallback
        environ = request.environ
        self._served_host(environ)
        # A fact answered here at the current data version is the same answer again (its
        # body names no URL of ours, and every plain Accept gets the same JSON): kept in the
        # page cache beside the lists, with its tag. The version is read first, so a fact
        # read after it is never kept under an older version than its own.
        key = ("fact", str(fact_id))
        kept = self.pages.get(key) if self.pages is not None else None
        sent = environ.get("HTTP_IF_NONE_MATCH")
        conn, release = self._connection()
        try:
            version = None
            if self.pages is not None:
                version = self._state(conn)[0]
                if kept is not None and kept.version == version:
                    limits = self._rate_limit(environ)
                    if sent is not None and current(sent, kept.tag):
                        return self._not_modified(environ, kept.tag, limits)
                    self.pages.hit()
                    return self._json(environ, kept.body, kept.tag, limits)
            cur = conn.cursor()
            cur.execute(fast_facts.by_ids_statement(self.dialect, 1), (fact_id,))
            row = cur.fetchone()
            if row is None or row[fact_document.AT["status"]] != "published":
                raise _Fallback  # 404, 410 and drafts are Flask's (and counted there)
            cur.execute(fast_facts.sources_statement(self.dialect), (fact_id,) * 4)
            sources, links = fast_facts.sources_and_links(cur.fetchall())
            if links:
                raise _Fallback  # a fact's links are Flask's to show (services/links.py)
        finally:
            release()
        limits = self._rate_limit(environ)
        versions = [(s[0], s[1]) for s in sources]
        tag = fact_tag(fact_id, row[fact_document.AT["version"]], versions, [])
        if sent is not None and current(sent, tag):  # the fact is there: "*" is current too
            return self._not_modified(environ, tag, limits)
        data = fact_document.from_row(row, fast_facts.serial_loads(self.dialect))
        data["sources"] = [fast_facts.source_summary_from_row(s) for s in sources]
        data["links"] = []
        body = orjson.dumps(data)
        if self.pages is not None and version is not None:
            self.pages.put(key, Page(version, body, [], tag=tag))
        return self._json(environ, body, tag, limits)


def install(app: Flask) -> None:
    """Put the thin read path in front of the app (it passes everything on when off)."""
    app.wsgi_app = FastPath(app, app.wsgi_app)  # type: ignore[method-assign]
