"""Full-text search over facts (FTS5 / tsvector) and the data version.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

The search index holds each fact's summary and its evidence quotes, kept current by
triggers on ``fact`` and ``evidence``. SQLite: an FTS5 table ``fact_fts`` (rowid = fact
id, porter stemming). PostgreSQL: ``fact_search`` (tsvector, English) with a GIN index.
Both are invisible to the models (migrations/env.py leaves them out of autogenerate).
NOTE: a later SQLite batch migration that recreates ``fact`` or ``evidence`` drops their
triggers and must create them again (see SQLITE_TRIGGERS below).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_DOC = (
    "SELECT f.id, f.summary || ' ' || coalesce((SELECT group_concat(e.quote, ' ') "
    "FROM evidence e WHERE e.fact_id = f.id), '') FROM fact f WHERE f.id = {fid}"
)
SQLITE_TRIGGERS = [
    "CREATE TRIGGER fact_fts_insert AFTER INSERT ON fact BEGIN "
    "INSERT INTO fact_fts(rowid, content) " + _SQLITE_DOC.format(fid="new.id") + "; END",
    "CREATE TRIGGER fact_fts_update AFTER UPDATE OF summary ON fact BEGIN "
    "DELETE FROM fact_fts WHERE rowid = old.id; "
    "INSERT INTO fact_fts(rowid, content) " + _SQLITE_DOC.format(fid="new.id") + "; END",
    "CREATE TRIGGER fact_fts_delete AFTER DELETE ON fact BEGIN "
    "DELETE FROM fact_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER evidence_fts_insert AFTER INSERT ON evidence BEGIN "
    "DELETE FROM fact_fts WHERE rowid = new.fact_id; "
    "INSERT INTO fact_fts(rowid, content) " + _SQLITE_DOC.format(fid="new.fact_id") + "; END",
    "CREATE TRIGGER evidence_fts_update AFTER UPDATE ON evidence BEGIN "
    "DELETE FROM fact_fts WHERE rowid IN (old.fact_id, new.fact_id); "
    "INSERT INTO fact_fts(rowid, content) " + _SQLITE_DOC.format(fid="old.fact_id") + "; "
    "INSERT OR REPLACE INTO fact_fts(rowid, content) "
    + _SQLITE_DOC.format(fid="new.fact_id")
    + "; END",
    "CREATE TRIGGER evidence_fts_delete AFTER DELETE ON evidence BEGIN "
    "DELETE FROM fact_fts WHERE rowid = old.fact_id; "
    "INSERT INTO fact_fts(rowid, content) " + _SQLITE_DOC.format(fid="old.fact_id") + "; END",
]

POSTGRES_DDL = [
    "CREATE TABLE fact_search (fact_id integer PRIMARY KEY "
    "REFERENCES fact(id) ON DELETE CASCADE, document tsvector NOT NULL)",
    "CREATE INDEX ix_fact_search_document ON fact_search USING gin (document)",
    """CREATE FUNCTION fact_search_refresh(fid integer) RETURNS void AS $$
         DELETE FROM fact_search WHERE fact_id = fid;
         INSERT INTO fact_search (fact_id, document)
         SELECT f.id, to_tsvector('english', f.summary || ' ' || coalesce(
                  (SELECT string_agg(e.quote, ' ' ORDER BY e.id) FROM evidence e
                   WHERE e.fact_id = f.id), ''))
         FROM fact f WHERE f.id = fid;
       $$ LANGUAGE sql""",
    """CREATE FUNCTION fact_search_on_fact() RETURNS trigger AS $$
       BEGIN PERFORM fact_search_refresh(NEW.id); RETURN NULL; END $$ LANGUAGE plpgsql""",
    """CREATE FUNCTION fact_search_on_evidence() RETURNS trigger AS $$
       BEGIN
         IF TG_OP IN ('DELETE', 'UPDATE') THEN PERFORM fact_search_refresh(OLD.fact_id); END IF;
         IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM fact_search_refresh(NEW.fact_id); END IF;
         RETURN NULL;
       END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER fact_search_fact AFTER INSERT OR UPDATE OF summary ON fact "
    "FOR EACH ROW EXECUTE FUNCTION fact_search_on_fact()",
    "CREATE TRIGGER fact_search_evidence AFTER INSERT OR UPDATE OR DELETE ON evidence "
    "FOR EACH ROW EXECUTE FUNCTION fact_search_on_evidence()",
    "SELECT fact_search_refresh(id) FROM fact",
]


def upgrade() -> None:
    op.create_table(
        "data_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_data_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_state")),
    )
    op.execute("INSERT INTO data_state (id, version, changed_at) VALUES (1, 0, CURRENT_TIMESTAMP)")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE fact_fts USING fts5(content, tokenize='porter unicode61')")
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
        op.execute("INSERT INTO fact_fts(rowid, content) " + _SQLITE_DOC.format(fid="f.id"))
    else:
        for statement in POSTGRES_DDL:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("fact_fts_insert", "fact_fts_update", "fact_fts_delete",
                     "evidence_fts_insert", "evidence_fts_update", "evidence_fts_delete"):  # fmt: skip
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS fact_fts")
    else:
        op.execute("DROP TRIGGER IF EXISTS fact_search_evidence ON evidence")
        op.execute("DROP TRIGGER IF EXISTS fact_search_fact ON fact")
        op.execute("DROP FUNCTION IF EXISTS fact_search_on_evidence()")
        op.execute("DROP FUNCTION IF EXISTS fact_search_on_fact()")
        op.execute("DROP FUNCTION IF EXISTS fact_search_refresh(integer)")
        op.execute("DROP TABLE IF EXISTS fact_search")
    op.drop_table("data_state")
