"""PostgreSQL keeps a fact's evidence and actors as compact JSON, as SQLite does.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Migration 0005's PostgreSQL function wrote the lists with ``json_agg(json_build_object())``,
whose text has spaces around every colon and comma, so each read parsed and wrote them
again. Written with ``row_to_json`` (compact: no spaces, keys in column order, the same
string escapes as the API's JSON writer), the stored text is exactly what the API serves
and a read embeds it as it is. Only the function that computes the lists changes (the
triggers from 0005 call it); every fact's lists are computed again. SQLite: nothing to do.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMPACT = """CREATE OR REPLACE FUNCTION fact_docs_refresh(fid integer) RETURNS void AS $$
  UPDATE fact SET
    evidence_doc = coalesce((SELECT '[' || string_agg(row_to_json(x)::text, ',' ORDER BY x.id)
        || ']' FROM (SELECT e.id, e.source_id, e.quote, e.start, e."end", e.verified
          FROM evidence e WHERE e.fact_id = fid) x), '[]'),
    actors_doc = coalesce((SELECT '[' || string_agg(row_to_json(x)::text, ',' ORDER BY x.id,
        x.role) || ']' FROM (SELECT a.id, a.key, a.name, fa.role
          FROM fact_actor fa JOIN actor a ON a.id = fa.actor_id WHERE fa.fact_id = fid) x), '[]')
  WHERE id = fid;
$$ LANGUAGE sql"""

SPACED = """CREATE OR REPLACE FUNCTION fact_docs_refresh(fid integer) RETURNS void AS $$
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
$$ LANGUAGE sql"""

BACKFILL = "SELECT fact_docs_refresh(id) FROM fact"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(COMPACT)
        op.execute(BACKFILL)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(SPACED)
        op.execute(BACKFILL)
