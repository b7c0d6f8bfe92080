"""Concurrency under gunicorn: 4 workers, a 90/10 read/write mix, and a contended fact.

SQLite runs with WAL, a busy timeout and writes that take the lock up front; PostgreSQL runs
with --preload (each worker disposes of the inherited pool). Zero 5xx, zero "database is
locked", every accepted write present afterwards, and no lost update on the fact that every
client edits from the ETag it read (the losers get 412).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from api import create_app, db, migrate
from api.services.fixtures import load_fixtures
from api.services.tokens import create_token
from tests.conftest import FIXTURES
from tests.databases import database_url

ROOT = Path(__file__).resolve().parents[1]
SECONDS = float(os.environ.get("CONCURRENCY_SECONDS", "6"))
CLIENTS = 8
READS = [
    "/api/v1/facts?dyad=RUS,IRQ&limit=20",
    "/api/v1/facts?type=statement",
    "/api/v1/dyads/RUS/IRQ",
    "/api/v1/sources?limit=5",
    "/api/v1/facts/1",
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(url: str) -> str:
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    migrate.upgrade(app.extensions["db_engine"])
    with app.app_context():
        with db.write_transaction() as s:
            load_fixtures(s, FIXTURES)
            secret = create_token(s, "load", ["write"])
        db.session.remove()
    app.extensions["db_engine"].dispose()
    return secret


def _request(
    port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    payload = json.dumps(body).encode() if body is not None else None
    hdrs = {**(headers or {}), **({"Content-Type": "application/json"} if payload else {})}
    conn.request(method, path, body=payload, headers=hdrs)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data


@pytest.mark.parametrize("preload", [False, True], ids=["workers", "preload"])
def test_mixed_load_on_four_workers(backend: str, tmp_path: Path, preload: bool) -> None:
    if backend == "sqlite" and preload:
        pytest.skip("--preload is exercised on PostgreSQL, where a pool could be shared")
    if backend == "postgresql" and not preload:
        pytest.skip("PostgreSQL runs with --preload")
    url = database_url(backend, "load", tmp_path)
    secret = _prepare(url)
    auth = {"Authorization": f"Bearer {secret}"}
    port = _port()
    log = tmp_path / "gunicorn.log"
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--config",
        str(ROOT / "gunicorn.conf.py"),
    ]
    cmd += ["--bind", f"127.0.0.1:{port}", "--workers", "4"] + (["--preload"] if preload else [])
    env = {**os.environ, "FACTS_DATABASE_URL": url, "FACTS_RATELIMIT_ENABLED": "false"}
    server = subprocess.Popen(
        [*cmd, "wsgi:app"], cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    try:
        for _ in range(100):
            try:
                if _request(port, "GET", "/readyz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        _status, _headers, body = _request(
            port, "GET", "/api/v1/facts?type=trade_volume", headers=auth
        )
        contended = json.loads(body)["data"][0]["id"]
        codes: Counter[int] = Counter()
        created: list[int] = []
        patched = Counter[str]()
        lock = threading.Lock()
        stop_at = time.monotonic() + SECONDS

        def client(n: int) -> None:
            rng = random.Random(n)
            k = 0
            while time.monotonic() < stop_at:
                k += 1
                if k % 10:
                    status, _, _ = _request(port, "GET", rng.choice(READS))
                elif k % 20 == 10:
                    fact = {
                        "type": "statement",
                        "subject": "RUS",
                        "counterpart": "IRQ",
                        "summary": f"Load {n}-{k}.",
                        "attributes": {"kind": "other"},
                    }
                    status, _, body = _request(
                        port, "POST", "/api/v1/facts", fact, {**auth, "Idempotency-Key": f"{n}-{k}"}
                    )
                    if status == 201:
                        with lock:
                            created.append(json.loads(body)["id"])
                else:
                    _, headers, _ = _request(
                        port, "GET", f"/api/v1/facts/{contended}", headers=auth
                    )
                    status, _, _ = _request(
                        port,
                        "PATCH",
                        f"/api/v1/facts/{contended}",
                        {"summary": f"Edited by {n}-{k}."},
                        {**auth, "If-Match": headers["etag"]},
                    )
                    with lock:
                        patched[str(status)] += 1
                with lock:
                    codes[status] += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        total = sum(codes.values())
        print(
            f"\n{backend}: {total} requests in {elapsed:.1f} s = {total / elapsed:.0f} req/s; "
            f"statuses {dict(codes)}; contended PATCH {dict(patched)}; {len(created)} facts created"
        )

        assert not [c for c in codes if c >= 500], codes
        assert set(codes) <= {200, 201, 412}, codes
        assert "database is locked" not in log.read_text()
        assert created and patched["200"] >= 1
        for fact_id in created:
            assert _request(port, "GET", f"/api/v1/facts/{fact_id}", headers=auth)[0] == 200
        final = json.loads(_request(port, "GET", f"/api/v1/facts/{contended}", headers=auth)[2])
        # Every successful edit made one new version; none was lost.
        assert final["version"] == 1 + patched["200"]
        history = json.loads(_request(port, "GET", f"/api/v1/facts/{contended}/history")[2])["data"]
        assert len(history) == 1 + patched["200"]
    finally:
        server.terminate()
        server.wait(15)
