"""Each fact's served document stored on its row, kept fresh by triggers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

``fact.doc`` holds the JSON text the API serves for the fact (api/services/fact_docs.py), so
a page of facts is read instead of built. Triggers set it to null, in the statement that
makes it stale, whenever the fact row changes (which includes its evidence and actors, kept
on the row by migration 0005's triggers) or one of its other parties does; the application
rebuilds the null ones before each write transaction commits. A partial index finds them.
``data_state.doc_shape`` records the definition they were built with; ``facts db upgrade``
builds them all after this migration (``fact_docs.refresh``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STALE = "UPDATE fact SET doc = NULL WHERE id = {0};"
SQLITE_TRIGGERS = {
    # Any change of the row but the filling of its document (recursive triggers are off: the
    # update below does not fire this trigger again).
    "fact_doc_stale": "AFTER UPDATE ON fact WHEN new.doc IS old.doc AND new.doc IS NOT NULL "
    "BEGIN " + _STALE.format("new.id") + " END",
    "fact_doc_party_insert": "AFTER INSERT ON fact_party BEGIN "
    + _STALE.format("new.fact_id")
    + " END",
    "fact_doc_party_update": "AFTER UPDATE ON fact_party BEGIN "
    + _STALE.format("old.fact_id")
    + " "
    + _STALE.format("new.fact_id")
    + " END",
    "fact_doc_party_delete": "AFTER DELETE ON fact_party BEGIN "
    + _STALE.format("old.fact_id")
    + " END",
}
POSTGRES_FUNCTIONS = [
    """CREATE FUNCTION fact_doc_stale() RETURNS trigger AS $$
       BEGIN
         IF NEW.doc IS NOT DISTINCT FROM OLD.doc THEN NEW.doc := NULL; END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE FUNCTION fact_doc_party() RETURNS trigger AS $$
       BEGIN
         IF TG_OP IN ('DELETE', 'UPDATE') THEN
           UPDATE fact SET doc = NULL WHERE id = OLD.fact_id AND doc IS NOT NULL;
         END IF;
         IF TG_OP IN ('INSERT', 'UPDATE') THEN
           UPDATE fact SET doc = NULL WHERE id = NEW.fact_id AND doc IS NOT NULL;
         END IF;
         RETURN NULL;
       END $$ LANGUAGE plpgsql""",
]
POSTGRES_TRIGGERS = {
    "fact_doc_stale": "BEFORE UPDATE ON fact FOR EACH ROW EXECUTE FUNCTION fact_doc_stale()",
    "fact_doc_party": "AFTER INSERT OR UPDATE OR DELETE ON fact_party "
    "FOR EACH ROW EXECUTE FUNCTION fact_doc_party()",
}
POSTGRES_TRIGGER_TABLES = {"fact_doc_stale": "fact", "fact_doc_party": "fact_party"}


def upgrade() -> None:
    # Plain ADD COLUMN on both databases (no table rebuild: the triggers of earlier
    # migrations stay).
    op.add_column("fact", sa.Column("doc", sa.Text(), nullable=True))
    op.add_column("data_state", sa.Column("doc_shape", sa.Text(), nullable=True))
    op.create_index(
        "ix_fact_doc_missing",
        "fact",
        ["id"],
        sqlite_where=sa.text("doc IS NULL"),
        postgresql_where=sa.text("doc IS NULL"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    else:
        for function in POSTGRES_FUNCTIONS:
            op.execute(function)
        for name, body in POSTGRES_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for name, table in POSTGRES_TRIGGER_TABLES.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS fact_doc_stale()")
        op.execute("DROP FUNCTION IF EXISTS fact_doc_party()")
    op.drop_index("ix_fact_doc_missing", table_name="fact")
    # Plain DROP COLUMN (SQLite 3.35+): a table rebuild would lose earlier triggers.
    op.execute("ALTER TABLE data_state DROP COLUMN doc_shape")
    op.execute("ALTER TABLE fact DROP COLUMN doc")
