"""Liveness and readiness probes (outside the versioned API)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from sqlalchemy import text

from ..jsonio import json_response
from ..migrate import current_revision, head_revision

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up."""
    return json_response({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    """The database answers and its schema is at the code's migration head."""
    from ..errors import problem_response

    engine = current_app.extensions["db_engine"]
    # A probe (or a load balancer) is asked to look again shortly, as the API's 503s do.
    retry = {"Retry-After": "5"}
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = current_revision(conn)
    except Exception:  # any failure to reach the database means not ready
        return problem_response(
            503, "The database is unreachable.", slug="not-ready", headers=retry
        )
    head = head_revision()
    if current != head:
        return problem_response(
            503,
            f"The database schema is at {current or 'no revision'}, the code expects {head}; "
            "run `facts db upgrade`.",
            slug="not-ready",
            headers=retry,
        )
    return json_response({"status": "ready", "database": engine.dialect.name, "revision": head})
