"""Engine set-up: SQLite pragmas and write transactions that take the lock up front."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from api import create_app, db


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
