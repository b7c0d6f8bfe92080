"""Alembic environment: uses a connection handed in, else the app's configured database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from api.models import Base

config = context.config
target_metadata = Base.metadata

# Search tables made by raw DDL in migration 0002 (FTS5 and its shadow tables on SQLite,
# tsvector on PostgreSQL): not in the models, so autogenerate must leave them alone.
_UNMODELLED_PREFIXES = ("fact_fts", "fact_search")


def _include_name(name: str | None, type_: str, _parent: object) -> bool:
    return not (type_ == "table" and name is not None and name.startswith(_UNMODELLED_PREFIXES))


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=False,
        include_name=_include_name,
    )


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from api import create_app

    return str(create_app().config["DATABASE_URL"])


def run_offline() -> None:
    """Emit SQL to stdout instead of running it."""
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run against a connection given in config.attributes, or one made from the URL."""
    given = config.attributes.get("connection")
    if given is not None:
        if isinstance(given, Connection):
            _configure(given)
            with context.begin_transaction():
                context.run_migrations()
            return
        with given.begin() as connection:  # an Engine
            _configure(connection)
            context.run_migrations()
        return
    from api.db import make_engine

    engine = make_engine(_url())
    with engine.begin() as connection:
        _configure(connection)
        context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
