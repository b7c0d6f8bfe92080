"""A database that goes silent (connections stay open, nothing answers) gives 503s in seconds.

The proxy below stands between the app and PostgreSQL; told to go silent it keeps every
connection open, ACKs at the TCP level (it is on loopback) and forwards nothing, so neither
a reset nor TCP keepalives can tell the app anything: only the client-side deadline
(api/dbdeadline.py) and the connect timeout can.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from api import create_app, db, errors, migrate
from api.dbdeadline import WATCHDOG, Trouble, trouble_of
from api.fastpath import FastPath
from api.services.parties import load_countries
from tests.databases import PG_SKIP, database_url
from tests.support.db_proxy import DatabaseProxy

ROOT = Path(__file__).resolve().parents[1]
DEADLINE = 1.5  # FACTS_DATABASE_TIMEOUT in these tests
CONNECT = 2  # FACTS_DATABASE_CONNECT_TIMEOUT (libpq's minimum)


def _thin_path(app: Flask) -> FastPath:
    layer: Any = app.wsgi_app
    while not isinstance(layer, FastPath):
        layer = layer.wsgi_app
    return layer


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated PostgreSQL schema holding the countries (the tests only read it)."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip(PG_SKIP)
    url = database_url("postgresql", "silent", tmp_path_factory.mktemp("silent"))
    setup = create_app({"TESTING": True, "DATABASE_URL": url})
    migrate.upgrade(setup.extensions["db_engine"])
    with setup.app_context():
        with db.write_transaction() as s:
            load_countries(s)
        db.session.remove()
    setup.extensions["db_engine"].dispose()
    return url


@pytest.fixture
def proxy(pg_url: str) -> Iterator[DatabaseProxy]:
    url = make_url(pg_url)
    found = DatabaseProxy((url.host or "127.0.0.1", url.port or 5432))
    yield found
    found.close()


def _via(proxy: DatabaseProxy, pg_url: str) -> str:
    return make_url(pg_url).set(port=proxy.port).render_as_string(hide_password=False)


def _app(url: str, **settings: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "DATABASE_URL": url,
            "DATABASE_TIMEOUT": DEADLINE,
            "DATABASE_CONNECT_TIMEOUT": CONNECT,
            **settings,
        }
    )


def _timed(client: Any, path: str) -> tuple[Any, float]:
    start = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - start


def _unavailable(response: Any) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["type"] == "/problems/database-unavailable"


def test_a_silent_database_answers_503_in_seconds_and_recovery_needs_no_restart(
    proxy: DatabaseProxy, pg_url: str
) -> None:
    app = _app(_via(proxy, pg_url))
    thin = _thin_path(app)
    client = app.test_client()
    try:
        # Warm: the thin path's own connection and a pooled one for Flask's path.
        assert client.get("/api/v1/facts").status_code == 200
        assert client.get("/api/v1/parties/RUS").status_code == 200
        assert thin.served == 1

        proxy.silent = True
        # (a) on the warm connections (this thread's): the thin path's statement is cut at
        # the deadline, Flask's reconnect gives up at the connect timeout; meanwhile (c)
        # /healthz, asked from another thread, answers at once.
        health: dict[str, Any] = {}

        def probe() -> None:
            time.sleep(0.3)
            health.update(zip(("r", "s"), _timed(client, "/healthz"), strict=True))

        prober = threading.Thread(target=probe, daemon=True)
        prober.start()
        cuts = WATCHDOG.cuts
        response, took = _timed(client, "/api/v1/facts")
        _unavailable(response)
        assert took < DEADLINE + CONNECT + 1.5, took
        assert WATCHDOG.cuts > cuts
        prober.join(5)
        assert health["r"].status_code == 200 and health["s"] < 0.5, health

        # The readiness probe says so too, as fast.
        response, took = _timed(client, "/readyz")
        assert response.status_code == 503 and took < DEADLINE + CONNECT + 1.5, took

        # (b) a request that needs a new connection gives up at the connect timeout, once
        # (not once in the thin path and again in Flask's): a fresh app (its own engine, no
        # connections, no trouble remembered).
        fresh = _app(_via(proxy, pg_url))
        response, took = _timed(fresh.test_client(), "/api/v1/facts")
        _unavailable(response)
        assert took < CONNECT + 1, took
        fresh.extensions["db_engine"].dispose()

        # (d) the database answers again: the very next requests succeed, no restart.
        proxy.silent = False
        assert client.get("/api/v1/facts").status_code == 200
        assert client.get("/api/v1/parties/RUS").status_code == 200
        assert client.get("/readyz").status_code == 200
        # Once the trouble is old news the thin path takes its own connection again.
        time.sleep(DEADLINE)
        before = thin.served
        assert client.get("/api/v1/facts").status_code == 200
        assert thin.served == before + 1
    finally:
        proxy.silent = False
        app.extensions["db_engine"].dispose()


def test_slow_but_answering_statements_are_not_cut(pg_url: str) -> None:
    app = _app(pg_url)  # statement_timeout: 1.2 s, the client deadline 1.5 s
    cuts = WATCHDOG.cuts
    try:
        with app.app_context():
            assert db.session().execute(text("SELECT pg_sleep(0.8), 1")).one()[1] == 1
            db.session.commit()
            # Longer than statement_timeout: the server cancels it cleanly, no cut, and the
            # API answers that as a 503 too.
            with pytest.raises(OperationalError) as caught:
                db.session().execute(text("SELECT pg_sleep(1.35)"))
            assert "statement timeout" in str(caught.value.orig)
            assert not caught.value.connection_invalidated
            db.session.rollback()
            with app.test_request_context("/api/v1/facts"):
                assert errors._from_database(caught.value).status_code == 503
            assert db.session().execute(text("SELECT 2")).scalar() == 2
            db.session.remove()
        assert WATCHDOG.cuts == cuts
    finally:
        app.extensions["db_engine"].dispose()


def test_the_watchdog_cuts_a_call_that_overruns_its_deadline(pg_url: str) -> None:
    # No statement_timeout: the server would sleep on; only the client deadline ends it.
    app = _app(pg_url, DATABASE_TIMEOUT=1, DATABASE_STATEMENT_TIMEOUT=0)
    cuts = WATCHDOG.cuts
    try:
        with app.app_context():
            start = time.monotonic()
            with pytest.raises(OperationalError) as caught:
                db.session().execute(text("SELECT pg_sleep(10)"))
            assert time.monotonic() - start < 2.5
            assert caught.value.connection_invalidated
            db.session.remove()
            # The pool reconnects by itself.
            assert db.session().execute(text("SELECT 3")).scalar() == 3
            db.session.remove()
        assert WATCHDOG.cuts == cuts + 1
        # What an engine remembers is its own: another database's requests are not slowed.
        other = _app(pg_url)
        trouble, untouched = (trouble_of(a.extensions["db_engine"]) for a in (app, other))
        assert trouble is not None and trouble.recent(DEADLINE)
        assert untouched is not None and not untouched.recent(DEADLINE)
    finally:
        app.extensions["db_engine"].dispose()


def test_a_commit_the_database_never_answers_is_cut(proxy: DatabaseProxy, pg_url: str) -> None:
    app = _app(_via(proxy, pg_url))
    engine = app.extensions["db_engine"]
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))  # a transaction is open
            proxy.silent = True
            start = time.monotonic()
            with pytest.raises(OperationalError) as caught:
                conn.commit()
            assert time.monotonic() - start < DEADLINE + 1
            assert caught.value.connection_invalidated
    finally:
        proxy.silent = False
        engine.dispose()


def test_a_forked_child_starts_with_no_armed_calls_and_no_thread() -> None:
    WATCHDOG.arm(object(), 60, Trouble())
    try:
        pid = os.fork()
        if pid == 0:  # the child: exit at once, reporting what it inherited
            os._exit(0 if WATCHDOG._thread is None and not WATCHDOG._armed else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        WATCHDOG.disarm()


def _get(port: int, path: str, timeout: float = 15) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


@pytest.mark.parametrize("model", ["gthread", "sync"])
def test_under_gunicorn_healthz_answers_while_a_worker_waits(
    proxy: DatabaseProxy, pg_url: str, tmp_path: Path, model: str
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    workers = ["--threads", "4"] if model == "gthread" else ["--workers", "2"]
    plain = tmp_path / "gunicorn.conf.py"  # not the project's: only the process model varies
    plain.write_text("accesslog = None\n")
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        *("--config", str(plain)),
        *("--bind", f"127.0.0.1:{port}", "--worker-class", model, *workers),
        *("--timeout", "120", "--preload", "wsgi:app"),
    ]
    env = {
        **os.environ,
        "FACTS_DATABASE_URL": _via(proxy, pg_url),
        "FACTS_DATABASE_TIMEOUT": str(DEADLINE),
        "FACTS_DATABASE_CONNECT_TIMEOUT": str(CONNECT),
        "FACTS_RATELIMIT_ENABLED": "false",
    }
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                if _get(port, "/api/v1/facts")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        assert _get(port, "/api/v1/facts")[0] == 200, (tmp_path / "gunicorn.log").read_text()

        proxy.silent = True
        slow: dict[str, Any] = {}

        def ask() -> None:
            start = time.monotonic()
            slow["answer"] = _get(port, "/api/v1/facts")
            slow["took"] = time.monotonic() - start

        waiting = threading.Thread(target=ask, daemon=True)
        waiting.start()
        time.sleep(0.3)
        start = time.monotonic()
        assert _get(port, "/healthz", timeout=5)[0] == 200
        assert time.monotonic() - start < 0.5
        waiting.join(DEADLINE + CONNECT + 5)
        assert not waiting.is_alive(), "the request never answered"
        status, headers, body = slow["answer"]
        assert status == 503 and headers["retry-after"] == "5", body
        assert headers["content-type"] == "application/problem+json"
        assert json.loads(body)["type"] == "/problems/database-unavailable"
        assert slow["took"] < DEADLINE + CONNECT + 1.5, slow["took"]

        proxy.silent = False
        assert _get(port, "/api/v1/facts")[0] == 200
    finally:
        proxy.silent = False
        server.terminate()
        server.wait(15)
