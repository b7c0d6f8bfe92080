"""Test databases: SQLite always, PostgreSQL when TEST_DATABASE_URL is set.

On PostgreSQL each test database is a schema whose name carries this run's own tag, so two
runs of the suite against one database never touch each other's schemas; every schema a run
made is dropped when the run ends (``drop_run_schemas``, called from conftest).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_SKIP = "PostgreSQL tests skipped: set TEST_DATABASE_URL=postgresql+psycopg://… to run them"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

# One tag per run of the suite (per process: pytest runs in one).
RUN_TAG = f"{os.getpid()}_{secrets.token_hex(3)}"
_made: list[str] = []


def schema_name(name: str) -> str:
    """The PostgreSQL schema of test database ``name`` in this run."""
    return f"bf_{RUN_TAG}_{name}"[:63]


def database_url(backend: str, name: str, tmp_dir: Path) -> str:
    """A fresh, empty database of ``backend`` for ``name`` (a SQLite file or a PG schema)."""
    if backend == "sqlite":
        path = tmp_dir / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip(PG_SKIP)
    schema = schema_name(name)
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    if schema not in _made:
        _made.append(schema)
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def drop_schema(name: str) -> None:
    """Drop the schema of test database ``name`` (PostgreSQL only; no-op without it)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return
    engine = create_engine(base)
    with engine.begin() as conn:
        # Never wait behind a lock: what a run leaves is its own, and is dropped at its end.
        conn.execute(text("SET LOCAL lock_timeout = '10s'"))
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema_name(name)}" CASCADE'))
    engine.dispose()


def drop_run_schemas() -> list[str]:
    """Drop every schema this run made; return those that could not be dropped."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base or not _made:
        return []
    left: list[str] = []
    engine = create_engine(base)
    for schema in _made:
        try:
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '10s'"))
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        except Exception:  # reported by the caller; never fail the run over cleanup
            left.append(schema)
    engine.dispose()
    _made.clear()
    return left
