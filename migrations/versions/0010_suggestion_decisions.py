"""Curators' decisions on suggestions: a version and the overridden fields of each
suggestion, and ``suggestion`` with ``accept``/``reject`` in revisions and the change feed.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

The CHECK constraints of ``revision`` and ``change`` are widened in place. PostgreSQL drops
and adds them. SQLite cannot alter a CHECK, and rebuilding ``revision`` (which
``fact_version`` and ``change`` reference) would fail its foreign keys, so the table's
stored definition is edited as SQLite documents for changes that leave the stored rows
valid (https://sqlite.org/lang_altertable.html, "writable_schema"): the new constraint
only admits more values. The edit is checked: each statement must change exactly the
constraint it names, and the schema must pass ``PRAGMA integrity_check`` afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = {"entity": ("fact", "source"), "action": ("create", "update", "publish", "retract")}
NEW = {
    "entity": ("fact", "source", "suggestion"),
    "action": ("create", "update", "publish", "retract", "accept", "reject"),
}
TABLES = ("revision", "change")


def _check(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _sqlite_replace(old: dict[str, tuple[str, ...]], new: dict[str, tuple[str, ...]]) -> None:
    bind = op.get_bind()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        for table in TABLES:
            sql = bind.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).scalar_one()
            for column in old:
                before = f"CONSTRAINT ck_{table}_{column} CHECK ({_check(column, old[column])})"
                after = f"CONSTRAINT ck_{table}_{column} CHECK ({_check(column, new[column])})"
                if sql.count(before) != 1:
                    raise RuntimeError(
                        f"{table}: expected the constraint {before!r} once in its definition"
                    )
                sql = sql.replace(before, after)
            bind.exec_driver_sql(
                "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                (sql, table),
            )
        schema_version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
        bind.exec_driver_sql(f"PRAGMA schema_version = {int(schema_version) + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = [row[0] for row in bind.exec_driver_sql("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise RuntimeError(f"integrity_check after widening constraints: {problems}")


def _postgresql_replace(values: dict[str, tuple[str, ...]]) -> None:
    for table in TABLES:
        for column, allowed in values.items():
            name = f"ck_{table}_{column}"
            op.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT {name}')
            op.execute(
                f'ALTER TABLE "{table}" ADD CONSTRAINT {name} CHECK ({_check(column, allowed)})'
            )


def upgrade() -> None:
    op.add_column(
        "suggestion",
        sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")),
    )
    op.add_column("suggestion", sa.Column("overrides", sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_replace(OLD, NEW)
    else:
        _postgresql_replace(NEW)


def downgrade() -> None:
    bind = op.get_bind()
    used = bind.exec_driver_sql(
        "SELECT count(*) FROM revision WHERE entity = 'suggestion'"
    ).scalar_one()
    if used:
        raise RuntimeError(
            f"{used} revisions record curators' decisions on suggestions; "
            "downgrading below 0010 would have to delete them. Export them first "
            "(facts export) and delete them by hand if that is really meant."
        )
    if bind.dialect.name == "sqlite":
        _sqlite_replace(NEW, OLD)
    else:
        _postgresql_replace(OLD)
    op.execute("ALTER TABLE suggestion DROP COLUMN overrides")
    op.execute("ALTER TABLE suggestion DROP COLUMN version")
