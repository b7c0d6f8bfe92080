"""A Python client generated from the API's own OpenAPI description drives a fact's life.

openapi-python-client turns /api/v1/openapi.json into a package at test time (offline, in a
temporary directory; any generator warning fails the test, so the description must be fully
usable). The generated client then talks to the app in process through httpx's WSGI
transport, on each database: a list followed by its cursor, a create with an
Idempotency-Key (and its replay), a read with its ETag and the 304 after it, edits with
If-Match (a stale tag refused), the retraction, and the history. httpx asks for compressed
answers, so the ETags it handles are those of compressed representations.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import create_app
from api.models import Source
from api.services.tokens import create_token
from tests.api.v1.test_writes import NEW_FACT as WRITE_FACT

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "bf_generated_client"
# No formatting hooks (the generated code is only imported here). The raw-article body of
# POST /sources (text/plain) is a content type the generator has no model for: it is told
# to treat it as a plain string body, as the description says it is.
CONFIG = "post_hooks: []\ncontent_type_overrides:\n  text/plain: application/octet-stream\n"


@pytest.fixture(scope="session")
def generated() -> Iterator[ModuleType]:
    """The client package generated from the description (once per test session)."""
    work = Path(tempfile.mkdtemp(prefix="generated-client-"))
    spec_app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{work}/unused.db"})
    spec = spec_app.test_client().get("/api/v1/openapi.json")
    assert spec.status_code == 200
    (work / "openapi.json").write_bytes(spec.data)
    (work / "config.yaml").write_text(CONFIG)
    done = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(work / "openapi.json"),
            "--config",
            str(work / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(work / PACKAGE),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, (
        f"the generator refused the description:\n{done.stdout}{done.stderr}"
    )
    sys.path.insert(0, str(work))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(work))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _op(generated: ModuleType, tag: str, operation: str) -> Any:
    return importlib.import_module(f"{generated.__name__}.api.{tag}.{operation}")


def _model(generated: ModuleType, name: str) -> Any:
    return getattr(importlib.import_module(f"{generated.__name__}.models"), name)


NEW_FACT: dict[str, Any] = {**WRITE_FACT, "status": "published"}


def test_a_facts_life_through_the_generated_client(
    app: Flask, db_session: Session, generated: ModuleType
) -> None:
    transport = httpx.WSGITransport(app=app)
    base = "http://localhost"
    public = generated.Client(base_url=base, httpx_args={"transport": transport})
    secret = create_token(db_session, "generated-client", ["write"])
    curator = generated.AuthenticatedClient(
        base_url=base, token=secret, httpx_args={"transport": transport}
    )
    list_facts = _op(generated, "facts", "list_facts")
    get_fact = _op(generated, "facts", "get_fact")
    create_fact = _op(generated, "facts", "create_fact")
    update_fact = _op(generated, "facts", "update_fact")
    retract_fact = _op(generated, "facts", "retract_fact")
    get_history = _op(generated, "facts", "get_fact_history")
    problem_type = _model(generated, "Problem")
    by_id = _model(generated, "ListFactsSort").ID

    # A list, then the page its cursor points to.
    first = list_facts.sync_detailed(client=public, limit=2, sort=by_id)
    assert first.status_code == 200 and len(first.parsed.data) == 2
    assert first.headers["Content-Encoding"] in ("br", "gzip")  # httpx asked for it
    nxt = first.parsed.links.next_
    assert first.headers["Link"] == f'<{nxt}>; rel="next"'
    cursor = parse_qs(urlsplit(nxt).query)["cursor"][0]
    second = list_facts.sync_detailed(client=public, limit=2, sort=by_id, cursor=cursor)
    assert second.status_code == 200
    seen = [f.id for f in first.parsed.data + second.parsed.data]
    assert seen == sorted(seen) and len(set(seen)) == 4

    # A create with an Idempotency-Key, and the same request again.
    source_id = db_session.scalar(select(Source.id).order_by(Source.id))
    body = _model(generated, "FactIn").from_dict(
        {
            **NEW_FACT,
            "evidence": [{"source_id": source_id, "quote": "Russia offered visiting Iraqi"}],
        }
    )
    made = create_fact.sync_detailed(client=curator, body=body, idempotency_key="life-1")
    assert made.status_code == 201, made.content
    fact = made.parsed
    assert fact.status == "published" and fact.evidence[0].verified is True
    assert made.headers["Location"] == f"{base}/api/v1/facts/{fact.id}"
    again = create_fact.sync_detailed(client=curator, body=body, idempotency_key="life-1")
    assert again.status_code == 201 and again.parsed.id == fact.id
    assert again.headers["Idempotent-Replayed"] == "true"

    # A public read with its ETag, and the revalidation that answers 304.
    read = get_fact.sync_detailed(fact.id, client=public)
    assert read.status_code == 200 and read.parsed.summary == NEW_FACT["summary"]
    tag = read.headers["ETag"]
    unchanged = get_fact.sync_detailed(fact.id, client=public, if_none_match=tag)
    assert unchanged.status_code == 304 and unchanged.parsed is None
    assert unchanged.headers["ETag"] == tag

    # An edit with If-Match; the tag it replaced is then stale.
    patch = _model(generated, "FactPatch")(summary="Russia offered Iraq military aid (edited).")
    edited = update_fact.sync_detailed(fact.id, client=curator, body=patch, if_match=tag)
    assert edited.status_code == 200, edited.content
    assert edited.parsed.version == 2 and edited.headers["ETag"] != tag
    stale = update_fact.sync_detailed(fact.id, client=curator, body=patch, if_match=tag)
    assert stale.status_code == 412 and isinstance(stale.parsed, problem_type)
    assert stale.parsed.type_ == "/problems/precondition-failed"
    changed = get_fact.sync_detailed(fact.id, client=public, if_none_match=tag)
    assert changed.status_code == 200 and changed.parsed.version == 2

    # The retraction: kept, with its history; public reads now answer 410.
    current = get_fact.sync_detailed(fact.id, client=curator).headers["ETag"]
    retracted = retract_fact.sync_detailed(fact.id, client=curator, if_match=current)
    assert retracted.status_code == 200 and retracted.parsed.status == "retracted"
    gone = get_fact.sync_detailed(fact.id, client=public)
    assert gone.status_code == 410 and gone.parsed.history.endswith(f"/facts/{fact.id}/history")
    history = get_history.sync_detailed(fact.id, client=curator)
    assert history.status_code == 200
    assert [r.version for r in history.parsed.data] == [1, 2, 3]
    assert history.parsed.data[-1].snapshot.to_dict()["status"] == "retracted"
    assert orjson.loads(history.content)["data"][0]["author"] == "generated-client"
