"""Engine and session: one engine per app, a scoped session removed on teardown."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context, request
from sqlalchemy import Engine, create_engine, event, select, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from . import dbdeadline


# The scoped session looks up the current app's factory, so tests and several
# apps in one process each get their own engine.
def _app_session() -> Session:
    factory: sessionmaker[Session] = current_app.extensions["db_sessionmaker"]
    return factory()


session: scoped_session[Session] = scoped_session(_app_session)  # type: ignore[arg-type]


def make_engine(
    url: str,
    *,
    busy_timeout: float = 5,
    echo: bool = False,
    cache_mb: int = 32,
    timeout: float = 0,
    statement_timeout: float | None = None,
    connect_timeout: float = 0,
    tcp_timeout: float = 0,
    pool_timeout: float = 30,
) -> Engine:
    """Create an engine with the pragmas and transaction handling each backend needs.

    ``timeout`` (seconds, 0: none) is the client-side deadline of every PostgreSQL call;
    the other limits are PostgreSQL's too (see docs/configuration.md).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return _postgresql_engine(
            parsed, echo, timeout, statement_timeout, connect_timeout, tcp_timeout, pool_timeout
        )
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_timeout=pool_timeout)

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"timeout": busy_timeout})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, emit BEGIN: savepoints and BEGIN IMMEDIATE need it.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        # A page cache per connection that holds a request's working set across requests.
        cur.execute(f"PRAGMA cache_size=-{int(cache_mb) * 1024}")
        if parsed.database and parsed.database != ":memory:":
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the lock up front so concurrent workers queue on busy_timeout
        # instead of failing with "database is locked" when a read upgrades to a write.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _postgresql_engine(
    url: URL,
    echo: bool,
    timeout: float,
    statement_timeout: float | None,
    connect_timeout: float,
    tcp_timeout: float,
    pool_timeout: float,
) -> Engine:
    """A PostgreSQL engine that gives up within seconds when the server stops answering."""
    given = set(url.query)  # parameters written in the URL win over the settings
    args: dict[str, Any] = {}
    if connect_timeout:
        args["connect_timeout"] = max(2, round(connect_timeout))  # libpq's minimum is 2
    if tcp_timeout:
        # A peer that vanishes is noticed by the kernel: unacknowledged data and
        # unanswered keepalive probes give up after about tcp_timeout seconds.
        idle = max(1, round(tcp_timeout / 2))
        args.update(
            keepalives=1,
            keepalives_idle=idle,
            keepalives_interval=max(1, round(idle / 3)),
            keepalives_count=3,
            tcp_user_timeout=int(tcp_timeout * 1000),
        )
    if statement_timeout is None:
        # Below the client deadline, so the server's own clean cancel comes first.
        statement_timeout = max(timeout - 1, timeout * 0.8)
    if statement_timeout and "statement_timeout" not in str(url.query.get("options", "")):
        options = url.query.get("options", "")
        extra = f"-c statement_timeout={int(statement_timeout * 1000)}"
        args["options"] = f"{options} {extra}".strip() if isinstance(options, str) else extra
    engine = create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_timeout=pool_timeout,
        connect_args={k: v for k, v in args.items() if k not in given or k == "options"},
    )
    if timeout:
        dbdeadline.guard_engine(engine, timeout)
    return engine


def init_app(app: Flask) -> None:
    """Create the app's engine and session factory."""
    engine = make_engine(
        app.config["DATABASE_URL"],
        busy_timeout=app.config["SQLITE_BUSY_TIMEOUT"],
        echo=app.config["DATABASE_ECHO"],
        cache_mb=app.config["SQLITE_CACHE_MB"],
        timeout=app.config["DATABASE_TIMEOUT"],
        statement_timeout=app.config["DATABASE_STATEMENT_TIMEOUT"],
        connect_timeout=app.config["DATABASE_CONNECT_TIMEOUT"],
        tcp_timeout=app.config["DATABASE_TCP_TIMEOUT"],
        pool_timeout=app.config["DATABASE_POOL_TIMEOUT"],
    )
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(lambda _exc: session.remove())


# Bookkeeping that is not data: writing it does not change any response.
_NOT_DATA = ("ApiToken", "IdempotencyKey")


@event.listens_for(Session, "after_flush")
def _note_change(s: Session, _ctx: Any) -> None:
    if any(type(o).__name__ not in _NOT_DATA for o in chain(s.new, s.dirty, s.deleted)):
        s.info["data_changed"] = True


@contextmanager
def write_transaction() -> Iterator[Session]:
    """Run a write in one transaction: commit on success, roll back everything on error.

    A transaction that changed anything bumps the data version (ETags, the index page).
    """
    from .models import DataState
    from .models.base import utcnow

    s = session()
    if s.in_transaction():
        # End the request's read transaction: on SQLite, upgrading a read to a write fails
        # at once with "database is locked" instead of waiting for the lock.
        s.commit()
    conn = s.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    if conn.dialect.name == "postgresql":
        # One writer at a time, as on SQLite: change-feed numbers then follow commit order.
        # One lock per schema (a dataset): other datasets in the database never wait on it.
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(2015052100, hashtext(current_schema()))")
    s.info.pop("data_changed", None)
    try:
        yield s
        s.flush()
        if s.info.pop("data_changed", False):
            from .services import fact_docs

            fact_docs.fill_before_commit(s.connection())  # the documents this made stale
            s.execute(
                update(DataState)
                .where(DataState.id == 1)
                .values(version=DataState.version + 1, changed_at=utcnow())
            )
        s.commit()
        if has_app_context():  # a version read before this write is no longer current
            g.pop("bf_read_version", None)
    except BaseException:
        s.info.pop("data_changed", None)
        s.rollback()
        raise


def data_version() -> tuple[int, Any]:
    """The data version and when the data last changed."""
    from .models import DataState

    row = session().execute(select(DataState.version, DataState.changed_at)).one_or_none()
    return (row[0], row[1]) if row else (0, None)


# The data version alone: one primary-key read, for the ETag of every read.
DATA_VERSION_SQL = "SELECT version FROM data_state WHERE id = 1"
# The data version and the definition the stored fact documents were built with.
DATA_STATE_SQL = "SELECT version, doc_shape FROM data_state WHERE id = 1"


def data_version_number() -> int:
    """Just the data version: one primary-key read, for ETags on every request."""
    cursor = session().connection().exec_driver_sql(DATA_VERSION_SQL)
    found = cursor.scalar()
    return int(found or 0)


def read_version() -> int:
    """The data version this request reads: read once per request, then kept (flask.g)."""
    found: int | None = g.get("bf_read_version")
    if found is None:
        found = g.bf_read_version = data_version_number()
    return found


def cache_version() -> str | None:
    """What per-process caches (``services.memo``) key on for this request: the database
    and the data version this read sees. None outside a GET: a write changes the data
    while it runs, so nothing it reads is cached."""
    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return None
    return f"{id(current_app.extensions['db_engine'])}:{read_version()}"
