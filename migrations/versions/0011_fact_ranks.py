"""Curator ranks of facts: ``rank`` (preferred, normal, deprecated) and ``rank_reason``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

Plain ADD COLUMN on both databases, the CHECK written in the column (SQLite cannot add a
table constraint without rebuilding the table, which would lose the triggers of earlier
migrations). Every existing fact is ranked ``normal``; the stored documents gain the two
fields when ``facts db upgrade`` rebuilds them (their definition changed).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RANKS = ("preferred", "normal", "deprecated")


def upgrade() -> None:
    allowed = ", ".join(f"'{r}'" for r in RANKS)
    op.execute(
        "ALTER TABLE fact ADD COLUMN rank VARCHAR(12) DEFAULT 'normal' NOT NULL "
        f"CONSTRAINT ck_fact_rank CHECK (rank IN ({allowed}))"
    )
    op.execute("ALTER TABLE fact ADD COLUMN rank_reason TEXT")


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+; a CHECK written in the column goes with it): a table
    # rebuild would lose earlier triggers.
    op.execute("ALTER TABLE fact DROP COLUMN rank_reason")
    op.execute("ALTER TABLE fact DROP COLUMN rank")
