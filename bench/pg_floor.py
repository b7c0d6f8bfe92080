"""The PostgreSQL floor: the page of 50 facts (with evidence, actors, other parties) from raw
psycopg 3 and json.dumps in a minimal WSGI app: the least work that gives the same answer.

Serves ``/page?a=RUS&b=IRQ`` (a dyad, newest first). The database is PG_FLOOR_URL, a libpq
URL (``conninfo`` turns SQLAlchemy's ``postgresql+psycopg://`` into one; a
``?options=-csearch_path%3Dbench`` query is kept). One autocommit connection per worker
process, and the page is one prepared statement.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import psycopg
from psycopg.rows import dict_row

from api.fact_document import EVENT_PARTS, event_code_sql

# The best plain SQL on the same schema: the ids come off ix_fact_dyad_sort newest first, the
# lists are the documents the triggers keep on the row (JSON text), the other parties an
# array off fact_party's primary key, and PostgreSQL writes dates, decimals and times in
# the API's forms. The columns are the API's fields, in its order.
PAGE = """
SELECT f.id, f.key, f.type, f.subject, f.counterpart,
  ARRAY(SELECT p.party_code FROM fact_party p WHERE p.fact_id = f.id
        ORDER BY p.party_code) AS other_parties,
  CASE f.date_precision WHEN 'unknown' THEN NULL
    WHEN 'year' THEN left(f.date_start::text, 4)
    WHEN 'month' THEN left(f.date_start::text, 7)
    ELSE f.date_start::text END AS date,
  f.date_start::text AS date_start, f.date_end::text AS date_end, f.date_precision,
  f.date_basis, trim_scale(f.value)::text AS value, f.unit, f.value_qualifier, f.summary,
  f.attributes, {codes}, f.actors_doc AS actors, f.evidence_doc AS evidence, f.status, f.rank,
  f.rank_reason, f.version,
  to_char(f.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
  to_char(f.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_at
FROM fact f
WHERE f.dyad = %s AND f.status = 'published'
ORDER BY f.sort_date DESC, f.id DESC
LIMIT 50
""".replace(
    "{codes}",
    # The event codes (PLOVER, CAMEO) from the type and attributes: the API's generated SQL.
    ", ".join(
        event_code_sql("postgresql", part).format("f.type", "f.attributes") + f' AS "{part}"'
        for part in EVENT_PARTS
    ),
)

_conn: psycopg.Connection[dict[str, Any]] | None = None


def conninfo(url: str) -> str:
    """A libpq URL from a SQLAlchemy one (``postgresql+psycopg://`` -> ``postgresql://``)."""
    return re.sub(r"^postgresql\+\w+://", "postgresql://", url)


def conn() -> psycopg.Connection[dict[str, Any]]:
    global _conn
    if _conn is None:
        _conn = psycopg.connect(os.environ["PG_FLOOR_URL"], autocommit=True, row_factory=dict_row)
    return _conn


def page(a: str, b: str) -> list[dict[str, Any]]:
    """The dyad's newest 50 published facts, as the API serves them."""
    dyad = "-".join(sorted((a, b)))
    rows = conn().execute(PAGE, (dyad,), prepare=True).fetchall()
    for f in rows:  # attributes (a json column) psycopg has already read
        f["actors"], f["evidence"] = json.loads(f["actors"]), json.loads(f["evidence"])
    return rows


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answer the page of 50."""
    q = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    data = json.dumps({"data": page(q["a"], q["b"])}).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]
