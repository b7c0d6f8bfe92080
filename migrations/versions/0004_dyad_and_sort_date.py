"""Generated columns for the hot read paths: the unordered dyad and a non-null sort date.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

``dyad`` ("IRQ-RUS") lets ``dyad=A,B`` be one equality on an index instead of an OR of two
directions; ``sort_date`` (the date's start, or 0001-01-01 when unknown) lets the default
newest-first order and its keyset cursors run straight off an index. Both are computed by
the database (VIRTUAL on SQLite, STORED on PostgreSQL), so they can never disagree with
the columns they come from.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DYAD = (
    "CASE WHEN subject < counterpart THEN subject || '-' || counterpart "
    "ELSE counterpart || '-' || subject END"
)
SORT_DATE = "coalesce(date_start, '0001-01-01')"
INDEXES = {
    "ix_fact_dyad_sort": ["dyad", "sort_date", "id"],
    "ix_fact_sort": ["sort_date", "id"],
    "ix_fact_type_sort": ["type", "sort_date", "id"],
}


def upgrade() -> None:
    kind = "VIRTUAL" if op.get_bind().dialect.name == "sqlite" else "STORED"
    date_expr = SORT_DATE if kind == "VIRTUAL" else "coalesce(date_start, DATE '0001-01-01')"
    op.execute(f"ALTER TABLE fact ADD COLUMN dyad VARCHAR(33) GENERATED ALWAYS AS ({DYAD}) {kind}")
    op.execute(
        f"ALTER TABLE fact ADD COLUMN sort_date DATE GENERATED ALWAYS AS ({date_expr}) {kind}"
    )
    for name, columns in INDEXES.items():
        op.create_index(name, "fact", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="fact")
    op.execute("ALTER TABLE fact DROP COLUMN sort_date")
    op.execute("ALTER TABLE fact DROP COLUMN dyad")
