"""A system-versioned history of facts: one row per revision, valid from/to.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

``as_of`` lists used to load every fact's latest revision snapshot and filter and sort them
in Python. ``fact_version`` keeps each revision as a row with the columns the list filters
and sorts on and the period it was current (``valid_from`` <= t < ``valid_to``, null: still
current), so a past list is the same SQL filters and keyset as a current one. The rows are
computed here from the revisions already recorded; from now on the application writes one
with every revision (``api/services/history.py``).

The transformation below is this migration's own copy (a migration keeps what it did).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def _spaced(values: Any) -> str:
    values = list(values)
    return " " + " ".join(str(v) for v in values) + " " if values else " "


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _row(snap: dict[str, Any], revision_id: int, valid_from: Any) -> dict[str, Any]:
    start = _day(snap["date_start"])
    pair = sorted((snap["subject"], snap["counterpart"]))
    return {
        "fact_id": snap["id"],
        "revision_id": revision_id,
        "valid_from": valid_from,
        "valid_to": None,
        "type": snap["type"],
        "subject": snap["subject"],
        "counterpart": snap["counterpart"],
        "dyad": f"{pair[0]}-{pair[1]}",
        "date_start": start,
        "date_end": _day(snap["date_end"]),
        "sort_date": start or date(1, 1, 1),
        "value": None if snap["value"] is None else Decimal(snap["value"]),
        "unit": snap["unit"],
        "status": snap["status"],
        "created_at": datetime.fromisoformat(snap["created_at"].replace("Z", "+00:00")),
        "other_parties": _spaced(snap["other_parties"]),
        "actor_ids": _spaced(sorted({a["id"] for a in snap["actors"]})),
        "source_ids": _spaced(sorted({e["source_id"] for e in snap["evidence"]})),
        "search_text": " ".join([snap["summary"], *(e["quote"] for e in snap["evidence"])]).lower(),
        "doc": json.dumps(snap, ensure_ascii=False, separators=(",", ":")),
    }


def upgrade() -> None:
    table = op.create_table(
        "fact_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fact_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("counterpart", sa.String(length=16), nullable=False),
        sa.Column("dyad", sa.String(length=33), nullable=False),
        sa.Column("date_start", sa.Date(), nullable=True),
        sa.Column("date_end", sa.Date(), nullable=True),
        sa.Column("sort_date", sa.Date(), nullable=False),
        sa.Column("value", sa.Numeric(precision=21, scale=6), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("other_parties", sa.Text(), nullable=False),
        sa.Column("actor_ids", sa.Text(), nullable=False),
        sa.Column("source_ids", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_from <= valid_to", name=op.f("ck_fact_version_period")
        ),
        sa.ForeignKeyConstraint(
            ["fact_id"],
            ["fact.id"],
            name=op.f("fk_fact_version_fact_id_fact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revision.id"], name=op.f("fk_fact_version_revision_id_revision")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_version")),
    )
    with op.batch_alter_table("fact_version") as batch_op:
        batch_op.create_index("ix_fact_version_fact", ["fact_id", "valid_from"], unique=False)
        batch_op.create_index("ix_fact_version_valid_from", ["valid_from"], unique=False)

    # Every fact revision becomes a row; each ends where the fact's next revision begins.
    conn = op.get_bind()
    revisions = sa.table(
        "revision",
        sa.column("id", sa.Integer()),
        sa.column("entity", sa.String()),
        sa.column("entity_id", sa.Integer()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("snapshot", sa.JSON()),
    )
    found = conn.execute(
        sa.select(
            revisions.c.id, revisions.c.entity_id, revisions.c.created_at, revisions.c.snapshot
        )
        .where(revisions.c.entity == "fact")
        .order_by(revisions.c.entity_id, revisions.c.id)
    )
    batch: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for revision_id, fact_id, created_at, snapshot in found:
        snap = json.loads(snapshot) if isinstance(snapshot, str) else snapshot
        row = _row(snap, revision_id, created_at)
        if previous is not None and previous["fact_id"] == fact_id:
            previous["valid_to"] = created_at
        if previous is not None:
            batch.append(previous)
        previous = row
        if len(batch) >= BATCH:
            conn.execute(table.insert(), batch)
            batch = []
    if previous is not None:
        batch.append(previous)
    if batch:
        conn.execute(table.insert(), batch)


def downgrade() -> None:
    with op.batch_alter_table("fact_version") as batch_op:
        batch_op.drop_index("ix_fact_version_valid_from")
        batch_op.drop_index("ix_fact_version_fact")
    op.drop_table("fact_version")
