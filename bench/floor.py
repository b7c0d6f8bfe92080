"""The floor: the page of 50 facts (with evidence, actors, other parties) from raw sqlite3
and json.dumps in a minimal WSGI app: the least work that gives the same answer.

Serves ``/page?a=RUS&b=IRQ`` (a dyad, newest first) and ``/fact?id=N``; the database is
FLOOR_DB (a path).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from api.fact_document import EVENT_PARTS, event_code_sql

_conn: sqlite3.Connection | None = None
# The event codes (PLOVER, CAMEO) from the type and attributes: the API's generated SQL.
_CODES = ", ".join(
    event_code_sql("sqlite", part).format("type", "nullif(attributes, '')") for part in EVENT_PARTS
)
# The API's forms: the date at its precision, and times in RFC 3339 (stored as
# "YYYY-MM-DD HH:MM:SS.ffffff", UTC).
FACT = (
    "SELECT id, key, type, subject, counterpart, CASE date_precision WHEN 'unknown' THEN NULL "
    "WHEN 'year' THEN substr(date_start, 1, 4) WHEN 'month' THEN substr(date_start, 1, 7) "
    "ELSE date_start END, date_start, date_end, date_precision, "
    f"date_basis, value, unit, value_qualifier, summary, attributes, {_CODES}, status, rank, rank_reason, "
    "version, "
    "substr(created_at, 1, 10) || 'T' || substr(created_at, 12) || 'Z', "
    "substr(updated_at, 1, 10) || 'T' || substr(updated_at, 12) || 'Z' FROM fact"
)
COLS = [
    "id",
    "key",
    "type",
    "subject",
    "counterpart",
    "date",
    "date_start",
    "date_end",
    "date_precision",
    "date_basis",
    "value",
    "unit",
    "value_qualifier",
    "summary",
    "attributes",
    *EVENT_PARTS,
    "status",
    "rank",
    "rank_reason",
    "version",
    "created_at",
    "updated_at",
]


def conn() -> sqlite3.Connection:
    global _conn
    if _conn is None:
        _conn = sqlite3.connect(os.environ["FLOOR_DB"], check_same_thread=False)
    return _conn


def facts(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    c = conn()
    out = [dict(zip(COLS, r, strict=True)) for r in rows]
    ids = [f["id"] for f in out]
    marks = ",".join("?" * len(ids))
    evidence: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for r in c.execute(
        f'SELECT id, fact_id, source_id, quote, start, "end", verified FROM evidence WHERE fact_id IN ({marks}) ORDER BY id',
        ids,
    ):
        evidence[r[1]].append(
            {
                "id": r[0],
                "source_id": r[2],
                "quote": r[3],
                "start": r[4],
                "end": r[5],
                "verified": bool(r[6]),
            }
        )
    actors: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for r in c.execute(
        f"SELECT fa.fact_id, a.id, a.key, a.name, fa.role FROM fact_actor fa JOIN actor a ON a.id = fa.actor_id WHERE fa.fact_id IN ({marks}) ORDER BY fa.actor_id, fa.role",
        ids,
    ):
        actors[r[0]].append({"id": r[1], "key": r[2], "name": r[3], "role": r[4]})
    others: dict[int, list[str]] = {i: [] for i in ids}
    for r in c.execute(
        f"SELECT fact_id, party_code FROM fact_party WHERE fact_id IN ({marks}) ORDER BY party_code",
        ids,
    ):
        others[r[0]].append(r[1])
    for f in out:
        f["attributes"] = json.loads(f["attributes"])
        f["evidence"], f["actors"], f["other_parties"] = (
            evidence[f["id"]],
            actors[f["id"]],
            others[f["id"]],
        )
        f["value"] = None if f["value"] is None else str(f["value"])
    return out


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answer the page of 50 or one fact."""
    q = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    c = conn()
    if environ["PATH_INFO"] == "/fact":
        rows = c.execute(f"{FACT} WHERE id = ?", (int(q["id"]),)).fetchall()
        body: Any = facts(rows)[0]
    else:
        # The best plain SQL on the same schema: the dyad's index, newest first.
        dyad = "-".join(sorted((q["a"], q["b"])))
        rows = c.execute(
            f"{FACT} WHERE dyad = ? AND status = 'published' "
            "ORDER BY sort_date DESC, id DESC LIMIT 50",
            (dyad,),
        ).fetchall()
        body = {"data": facts(rows)}
    data = json.dumps(body).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]
