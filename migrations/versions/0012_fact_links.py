"""Typed links between facts (``fact_link``), and ``link`` with ``remove`` in revisions and
the change feed.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

The CHECK constraints of ``revision`` and ``change`` are widened in place as migration 0010
widens them (PostgreSQL drops and adds them; SQLite's stored table definitions are edited,
each edit checked, then ``PRAGMA integrity_check``): the new constraints only admit more
values, so every stored row stays valid.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = {
    "entity": ("fact", "source", "suggestion"),
    "action": ("create", "update", "publish", "retract", "accept", "reject"),
}
NEW = {
    "entity": ("fact", "source", "suggestion", "link"),
    "action": ("create", "update", "publish", "retract", "accept", "reject", "remove"),
}
TABLES = ("revision", "change")
RELATIONS = ("fulfils", "follows_up", "supersedes", "contradicts", "same_event", "part_of")


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
    op.create_table(
        "fact_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_fact_id", sa.Integer(), nullable=False),
        sa.Column("to_fact_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.String(length=100), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(_check("relation", RELATIONS), name=op.f("ck_fact_link_relation")),
        sa.CheckConstraint("from_fact_id <> to_fact_id", name=op.f("ck_fact_link_two_facts")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_fact_link_version")),
        sa.ForeignKeyConstraint(
            ["from_fact_id"], ["fact.id"], name=op.f("fk_fact_link_from_fact_id_fact")
        ),
        sa.ForeignKeyConstraint(
            ["to_fact_id"], ["fact.id"], name=op.f("fk_fact_link_to_fact_id_fact")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_link")),
    )
    op.create_index("ix_fact_link_from", "fact_link", ["from_fact_id"])
    op.create_index("ix_fact_link_to", "fact_link", ["to_fact_id"])
    op.create_index(
        "uq_fact_link_active",
        "fact_link",
        ["from_fact_id", "to_fact_id", "relation"],
        unique=True,
        sqlite_where=sa.text("removed_at IS NULL"),
        postgresql_where=sa.text("removed_at IS NULL"),
    )
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_replace(OLD, NEW)
    else:
        _postgresql_replace(NEW)


def downgrade() -> None:
    bind = op.get_bind()
    used = bind.exec_driver_sql("SELECT count(*) FROM fact_link").scalar_one()
    if used:
        raise RuntimeError(
            f"{used} links between facts were made by curators; downgrading below 0012 "
            "would delete them and their revisions. Export them first (facts export) and "
            "delete them by hand if that is really meant."
        )
    if bind.dialect.name == "sqlite":
        _sqlite_replace(NEW, OLD)
    else:
        _postgresql_replace(OLD)
    op.drop_table("fact_link")
