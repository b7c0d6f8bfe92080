"""Alembic, driven from the app: configuration, upgrade, and revision checks."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(url: str | None = None, connection: Connection | Engine | None = None) -> Config:
    """Build the Alembic config for ``url``, or for an engine or connection handed in."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def head_revision() -> str | None:
    """The newest migration the code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The migration the database is at."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine``; at the head, also bring the stored fact
    documents up to date with this code (api/services/fact_docs.py)."""
    with engine.begin() as conn:
        command.upgrade(alembic_config(connection=conn), revision)
        if current_revision(conn) == head_revision():
            from .services import fact_docs

            fact_docs.refresh(conn)


def downgrade(engine: Engine, revision: str) -> None:
    """Downgrade the database behind ``engine``."""
    with engine.begin() as conn:
        command.downgrade(alembic_config(connection=conn), revision)


def stamp_info(engine: Engine) -> dict[str, Any]:
    """The current and head revisions, for `facts db current`."""
    with engine.connect() as conn:
        return {"current": current_revision(conn), "head": head_revision()}
