"""Engine set-up: SQLite pragmas and write transactions that take the lock up front."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from api import create_app, db
from tests.databases import database_url


def _statements(engine: Any) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_sqlite_pragmas(tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x' / 'p.db'}"})
    with app.extensions["db_engine"].connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_writes_begin_immediate_and_reads_deferred(tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"})
    engine = app.extensions["db_engine"]
    seen = _statements(engine)
    with app.app_context():
        with db.write_transaction() as s:
            s.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.remove()
        db.session().execute(text("SELECT 1"))
        db.session.remove()
    begins = [s for s in seen if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN DEFERRED"]


def test_write_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"})
    with app.app_context():
        with db.write_transaction() as s:
            s.execute(text("CREATE TABLE t (x INTEGER)"))
        try:
            with db.write_transaction() as s:
                s.execute(text("INSERT INTO t VALUES (1)"))
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        assert db.session().execute(text("SELECT count(*) FROM t")).scalar() == 0
        db.session.remove()


@pytest.mark.postgres
def test_writers_queue_per_schema_not_per_database(tmp_path: Path) -> None:
    """Writers on one schema wait for each other; writers on another schema do not.

    Two datasets in one PostgreSQL database (two runs of the suite, two deployments) must
    not serialize each other's writes: a write held open on one schema used to make every
    write on the other wait for its end (and meet the statement timeout).
    """
    first = database_url("postgresql", "writer_lock_a", tmp_path)
    other = database_url("postgresql", "writer_lock_b", tmp_path)
    holder = create_app({"DATABASE_URL": first, "DATABASE_TIMEOUT": 3})
    same = create_app({"DATABASE_URL": first, "DATABASE_TIMEOUT": 3})
    elsewhere = create_app({"DATABASE_URL": other, "DATABASE_TIMEOUT": 3})
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with holder.app_context():
            with db.write_transaction():
                held.set()
                release.wait(10)
            db.session.remove()

    def write(app: Any) -> float:
        started = time.monotonic()
        with app.app_context():
            with db.write_transaction():
                pass
            db.session.remove()
        return time.monotonic() - started

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(10)
        assert write(elsewhere) < 1.0  # another schema: no wait
        waited: list[float] = []
        queued = threading.Thread(target=lambda: waited.append(write(same)))
        queued.start()
        time.sleep(0.5)
        assert queued.is_alive()  # the same schema: it waits for the holder
        release.set()
        queued.join(10)
        assert waited and waited[0] >= 0.5
    finally:
        release.set()
        thread.join(10)
        for app in (holder, same, elsewhere):
            app.extensions["db_engine"].dispose()
