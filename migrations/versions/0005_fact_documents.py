"""Each fact's evidence and actors kept as JSON on the fact row, by triggers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

Reading a fact used to aggregate its evidence and actors with a correlated subquery per
fact. In list order (newest first) those rows are scattered over the file, and on the
1M-fact benchmark the evidence aggregate alone cost more than everything else in an export.
``fact.evidence_doc`` and ``fact.actors_doc`` hold the two lists exactly as the API serves
them (SQLite's compact JSON; on PostgreSQL ``json_agg`` text), refreshed by triggers on
``evidence``, ``fact_actor`` and ``actor`` whenever a row they depend on changes, in the
same transaction, whatever wrote it. The application never writes them.
NOTE: as with 0002's triggers, a SQLite batch migration that recreates ``evidence``,
``fact_actor`` or ``actor`` drops these triggers and must create them again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite: the lists for the fact whose id is {fid}, as fast_facts served them before.
SQLITE_EVIDENCE = (
    "coalesce((SELECT json_group_array(json_object('id', id, 'source_id', source_id, "
    "'quote', quote, 'start', start, 'end', \"end\", 'verified', "
    "json(CASE WHEN verified THEN 'true' ELSE 'false' END))) FROM (SELECT id, source_id, "
    "quote, start, \"end\", verified FROM evidence WHERE fact_id = {fid} ORDER BY id)), '[]')"
)
SQLITE_ACTORS = (
    "coalesce((SELECT json_group_array(json_object('id', id, 'key', \"key\", 'name', name, "
    "'role', role)) FROM (SELECT a.id, a.\"key\", a.name, fa.role FROM fact_actor fa "
    "JOIN actor a ON a.id = fa.actor_id WHERE fa.fact_id = {fid} "
    "ORDER BY fa.actor_id, fa.role)), '[]')"
)


def _sqlite_set(column: str, agg: str, where: str) -> str:
    return f"UPDATE fact SET {column} = {agg.format(fid='fact.id')} WHERE {where};"


SQLITE_TRIGGERS = {
    "evidence_doc_insert": "AFTER INSERT ON evidence BEGIN "
    + _sqlite_set("evidence_doc", SQLITE_EVIDENCE, "id = new.fact_id")
    + " END",
    "evidence_doc_update": "AFTER UPDATE ON evidence BEGIN "
    + _sqlite_set("evidence_doc", SQLITE_EVIDENCE, "id IN (old.fact_id, new.fact_id)")
    + " END",
    "evidence_doc_delete": "AFTER DELETE ON evidence BEGIN "
    + _sqlite_set("evidence_doc", SQLITE_EVIDENCE, "id = old.fact_id")
    + " END",
    "actors_doc_insert": "AFTER INSERT ON fact_actor BEGIN "
    + _sqlite_set("actors_doc", SQLITE_ACTORS, "id = new.fact_id")
    + " END",
    "actors_doc_update": "AFTER UPDATE ON fact_actor BEGIN "
    + _sqlite_set("actors_doc", SQLITE_ACTORS, "id IN (old.fact_id, new.fact_id)")
    + " END",
    "actors_doc_delete": "AFTER DELETE ON fact_actor BEGIN "
    + _sqlite_set("actors_doc", SQLITE_ACTORS, "id = old.fact_id")
    + " END",
    "actor_doc_update": 'AFTER UPDATE OF "key", name ON actor BEGIN '
    + _sqlite_set(
        "actors_doc",
        SQLITE_ACTORS,
        "id IN (SELECT fact_id FROM fact_actor WHERE actor_id IN (old.id, new.id))",
    )
    + " END",
}
SQLITE_BACKFILL = (
    f"UPDATE fact SET evidence_doc = {SQLITE_EVIDENCE.format(fid='fact.id')}, "
    f"actors_doc = {SQLITE_ACTORS.format(fid='fact.id')}"
)

POSTGRES_FUNCTIONS = [
    """CREATE FUNCTION fact_docs_refresh(fid integer) RETURNS void AS $$
         UPDATE fact SET
           evidence_doc = coalesce((SELECT json_agg(json_build_object('id', e.id,
               'source_id', e.source_id, 'quote', e.quote, 'start', e.start, 'end', e."end",
               'verified', e.verified) ORDER BY e.id) FROM evidence e
             WHERE e.fact_id = fid)::text, '[]'),
           actors_doc = coalesce((SELECT json_agg(json_build_object('id', a.id, 'key', a.key,
               'name', a.name, 'role', fa.role) ORDER BY fa.actor_id, fa.role)
             FROM fact_actor fa JOIN actor a ON a.id = fa.actor_id
             WHERE fa.fact_id = fid)::text, '[]')
         WHERE id = fid;
       $$ LANGUAGE sql""",
    """CREATE FUNCTION fact_docs_on_child() RETURNS trigger AS $$
       BEGIN
         IF TG_OP IN ('DELETE', 'UPDATE') THEN PERFORM fact_docs_refresh(OLD.fact_id); END IF;
         IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM fact_docs_refresh(NEW.fact_id); END IF;
         RETURN NULL;
       END $$ LANGUAGE plpgsql""",
    """CREATE FUNCTION fact_docs_on_actor() RETURNS trigger AS $$
       BEGIN
         PERFORM fact_docs_refresh(fa.fact_id) FROM fact_actor fa
           WHERE fa.actor_id IN (OLD.id, NEW.id);
         RETURN NULL;
       END $$ LANGUAGE plpgsql""",
]
POSTGRES_TRIGGERS = {
    "fact_docs_evidence": "AFTER INSERT OR UPDATE OR DELETE ON evidence "
    "FOR EACH ROW EXECUTE FUNCTION fact_docs_on_child()",
    "fact_docs_fact_actor": "AFTER INSERT OR UPDATE OR DELETE ON fact_actor "
    "FOR EACH ROW EXECUTE FUNCTION fact_docs_on_child()",
    "fact_docs_actor": "AFTER UPDATE OF key, name ON actor "
    "FOR EACH ROW EXECUTE FUNCTION fact_docs_on_actor()",
}
POSTGRES_TRIGGER_TABLES = {
    "fact_docs_evidence": "evidence",
    "fact_docs_fact_actor": "fact_actor",
    "fact_docs_actor": "actor",
}
POSTGRES_BACKFILL = "SELECT fact_docs_refresh(id) FROM fact"


Execute = Callable[[str], Any]


def create_triggers(run: Execute, dialect: str) -> None:
    """Create the triggers (also used by bench/generate.py after a bulk load)."""
    triggers = SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRES_TRIGGERS
    for name, body in triggers.items():
        run(f"CREATE TRIGGER {name} {body}")


def drop_triggers(run: Execute, dialect: str) -> None:
    """Drop the triggers (bench/generate.py does, for a bulk load)."""
    if dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            run(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for name, table in POSTGRES_TRIGGER_TABLES.items():
            run(f"DROP TRIGGER IF EXISTS {name} ON {table}")


def backfill(run: Execute, dialect: str) -> None:
    """Compute every fact's documents from scratch."""
    run(SQLITE_BACKFILL if dialect == "sqlite" else POSTGRES_BACKFILL)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for column in ("evidence_doc", "actors_doc"):
        op.execute(f"ALTER TABLE fact ADD COLUMN {column} TEXT NOT NULL DEFAULT '[]'")
    if dialect != "sqlite":
        for statement in POSTGRES_FUNCTIONS:
            op.execute(statement)
    backfill(op.execute, dialect)
    create_triggers(op.execute, dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    drop_triggers(op.execute, dialect)
    if dialect != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS fact_docs_on_actor()")
        op.execute("DROP FUNCTION IF EXISTS fact_docs_on_child()")
        op.execute("DROP FUNCTION IF EXISTS fact_docs_refresh(integer)")
    for column in ("actors_doc", "evidence_doc"):
        op.execute(f"ALTER TABLE fact DROP COLUMN {column}")
