"""Faults: the database going away and coming back, writes failing halfway, a killed worker."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from api import create_app, db, migrate
from api.models import Evidence, Fact, Revision, Source
from api.services.tokens import create_token
from tests.conftest import problem, read_seed
from tests.databases import PG_SKIP, database_url
from tests.factories import make_token
from tests.support.db_proxy import DatabaseProxy

ROOT = Path(__file__).resolve().parents[1]


def test_database_outage_and_recovery_without_restart(tmp_path: Path) -> None:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip(PG_SKIP)
    url = make_url(database_url("postgresql", "outage", tmp_path))
    proxy = DatabaseProxy((url.host or "127.0.0.1", url.port or 5432))
    app = create_app(
        {
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "DATABASE_URL": url.set(port=proxy.port).render_as_string(hide_password=False),
        }
    )
    migrate.upgrade(app.extensions["db_engine"])
    with app.app_context():
        with db.write_transaction() as s:
            secret = create_token(s, "ops", ["write"])
        db.session.remove()
    client = app.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/fact-types").status_code == 200

    proxy.cut()
    ready = problem(client.get("/readyz"), 503)
    assert "Traceback" not in json.dumps(ready)
    body = problem(client.get("/api/v1/facts"), 503)
    assert body["type"] == "/problems/database-unavailable"
    assert "SELECT" not in json.dumps(body) and "psycopg" not in json.dumps(body)
    problem(client.post("/api/v1/facts", json={}, headers=auth), 503)

    proxy.restore()
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/facts").status_code == 200
    app.extensions["db_engine"].dispose()


def test_readyz_names_a_schema_behind_the_code(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}"})
    migrate.upgrade(app.extensions["db_engine"], "0003")
    body = problem(app.test_client().get("/readyz"), 503)
    assert "0003" in body["detail"] and migrate.head_revision() in body["detail"]


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(m)) or 0 for m in (Fact, Evidence, Revision)
    )


def test_a_constraint_violation_on_the_last_evidence_row_leaves_nothing(
    app: Flask, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.services import facts as fact_service

    real_build = fact_service.build_fact

    def broken_build(session: Session, data: dict[str, Any]) -> Fact:
        fact = real_build(session, data)
        fact.evidence[-1].start = -1  # violates ck_evidence_offsets at flush time
        return fact

    monkeypatch.setattr(fact_service, "build_fact", broken_build)
    client = app.test_client()
    auth = {"Authorization": make_token(db_session)}
    before = _counts(db_session)
    source = db_session.scalar(select(Source.id).order_by(Source.id))
    body = {
        "type": "statement",
        "subject": "RUS",
        "counterpart": "IRQ",
        "summary": "Half a write.",
        "attributes": {"kind": "other"},
        "evidence": [
            {"source_id": source, "quote": "Russia offered"},
            {"source_id": source, "quote": "visiting Iraqi Prime Minister"},
        ],
    }
    r = client.post("/api/v1/facts", json=body, headers=auth)
    assert r.status_code == 500 and r.headers["Content-Type"] == "application/problem+json"
    assert "ck_evidence" not in r.get_data(as_text=True)
    assert _counts(db_session) == before


@pytest.fixture
def slow_server(
    backend: str, tmp_path: Path
) -> Iterator[tuple[int, subprocess.Popen[bytes], str, str]]:
    url = database_url(backend, "killed", tmp_path)
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    migrate.upgrade(app.extensions["db_engine"])
    with app.app_context():
        with db.write_transaction() as s:
            secret = create_token(s, "importer", ["write"])
        db.session.remove()
    app.extensions["db_engine"].dispose()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--config",
        str(ROOT / "bench" / "gunicorn.plain.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--timeout",
        "120",
        "tests.support.slow_wsgi:app",
    ]
    env = {
        **os.environ,
        "FACTS_DATABASE_URL": url,
        "FACTS_RATELIMIT_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
        "SLOW_IMPORT_MARKER": str(tmp_path / "in-transaction"),
    }
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/healthz")
            c.getresponse().read()
            break
        except OSError:
            time.sleep(0.1)
    yield port, server, secret, url, tmp_path / "in-transaction"
    server.terminate()
    server.wait(15)


def test_sigkill_during_an_import_leaves_no_partial_rows(
    slow_server: tuple[int, subprocess.Popen[bytes], str, str, Path],
) -> None:
    port, server, secret, url, marker = slow_server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = json.dumps({"body": read_seed("002_") + "\n" + "More text. " * 20_000})
    conn.request(
        "POST",
        "/api/v1/sources",
        body=body,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    for _ in range(300):  # wait until the worker sleeps inside the open import transaction
        if marker.exists():
            break
        time.sleep(0.1)
    assert marker.exists(), (marker.parent / "server.log").read_text()[-3000:]
    workers = subprocess.run(
        ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
    ).stdout.split()
    assert workers, "no gunicorn worker"
    for pid in workers:
        os.kill(int(pid), signal.SIGKILL)
    with pytest.raises((http.client.HTTPException, OSError)):
        conn.getresponse().read()
    engine = create_engine(url)
    with engine.connect() as check:
        counts = [
            check.execute(text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("source", "source_band", "revision", "change")
        ]
    engine.dispose()
    assert counts == [0, 0, 0, 0]
