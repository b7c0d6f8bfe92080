"""Engine and session: one engine per app, a scoped session removed on teardown."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine, create_engine, event, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, scoped_session, sessionmaker


# The scoped session looks up the current app's factory, so tests and several
# apps in one process each get their own engine.
def _app_session() -> Session:
    factory: sessionmaker[Session] = current_app.extensions["db_sessionmaker"]
    return factory()


session: scoped_session[Session] = scoped_session(_app_session)  # type: ignore[arg-type]


def make_engine(
    url: str, *, busy_timeout: int = 15, echo: bool = False, cache_mb: int = 32
) -> Engine:
    """Create an engine with the pragmas and transaction handling each backend needs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True)

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


def init_app(app: Flask) -> None:
    """Create the app's engine and session factory."""
    engine = make_engine(
        app.config["DATABASE_URL"],
        busy_timeout=app.config["SQLITE_BUSY_TIMEOUT"],
        echo=app.config["DATABASE_ECHO"],
        cache_mb=app.config["SQLITE_CACHE_MB"],
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
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(2015052100)")
    s.info.pop("data_changed", None)
    try:
        yield s
        s.flush()
        if s.info.pop("data_changed", False):
            s.execute(
                update(DataState)
                .where(DataState.id == 1)
                .values(version=DataState.version + 1, changed_at=utcnow())
            )
        s.commit()
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


def data_version_number() -> int:
    """Just the data version: one primary-key read, for ETags on every request."""
    cursor = session().connection().exec_driver_sql(DATA_VERSION_SQL)
    found = cursor.scalar()
    return int(found or 0)
