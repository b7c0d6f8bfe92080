"""Security: nosniff on every answer, a strict CSP on the docs page, errors that show
nothing internal, and token secrets that never reach a log or the database."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

import api.v1.facts as facts_view
from api import create_app, db, migrate
from api.models import ApiToken
from api.services import fact_reads
from api.services.parties import load_countries
from api.services.tokens import create_token
from tests.conftest import problem
from tests.databases import database_url
from tests.factories import make_token

GENERIC_500 = "An unexpected error occurred; it has been logged."
ARTICLE = (
    "MOSCOW (Reuters) - Russia and Iraq agreed on Tuesday to expand rail links and "
    "double bilateral trade, officials said after talks in Moscow.\n\n"
    "The officials signed a memorandum on rail cooperation, the ministry said."
)
NEW_FACT: dict[str, Any] = {
    "type": "statement",
    "subject": "RUS",
    "counterpart": "IRQ",
    "summary": "Officials said trade would double.",
    "attributes": {"kind": "other"},
}
# What must never appear in an error body, whatever failed inside.
INTERNALS = ("Traceback", 'File "', "RuntimeError", "SELECT", "api_token", "boom", "sqlalchemy")


def secret_of(header: str) -> str:
    """The secret in an ``Authorization: Bearer <secret>`` value."""
    return header.removeprefix("Bearer ")


def leaks(blob: str, *headers: str) -> list[str]:
    """Which secret-bearing strings (a token, its random part, its header) are in ``blob``."""
    found = []
    for header in headers:
        secret = secret_of(header)
        for needle in (header, secret, secret.removeprefix("bft_")):
            if needle in blob:
                found.append(needle)
    return found


def whole(response: Any) -> str:
    """Status line, headers and body of a response, as one string."""
    head = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return f"{response.status}\n{head}\n\n{response.get_data(as_text=True)}"


# --------------------------------------------------------------------------- nosniff


@pytest.fixture
def tokens(db_session: Session) -> dict[str, str]:
    return {
        "write": make_token(db_session, "sec-writer"),
        "read": make_token(db_session, "sec-reader", ("read",)),
    }


Request = Callable[[FlaskClient, dict[str, str]], Any]


def _not_modified(client: FlaskClient, _: dict[str, str]) -> Any:
    tag = client.get("/api/v1/facts/1").headers["ETag"]
    return client.get("/api/v1/facts/1", headers={"If-None-Match": tag})


def _json_post(url: str, auth: str | None, body: Any) -> Request:
    def call(client: FlaskClient, tokens: dict[str, str]) -> Any:
        headers = {"Authorization": tokens[auth]} if auth in tokens else {}
        if auth == "bad":
            headers["Authorization"] = "Bearer bft_not-a-real-token"
        return client.post(url, json=body, headers=headers)

    return call


RESPONSES: dict[str, tuple[Request, int]] = {
    "index": (lambda c, t: c.get("/api/v1/"), 200),
    "fact list": (lambda c, t: c.get("/api/v1/facts?limit=2"), 200),
    "csv export": (lambda c, t: c.get("/api/v1/facts?format=csv&type=trade_volume"), 200),
    "ndjson export": (lambda c, t: c.get("/api/v1/sources?format=ndjson"), 200),
    "fact": (lambda c, t: c.get("/api/v1/facts/1"), 200),
    "drafts with a token": (
        lambda c, t: c.get("/api/v1/facts?status=all", headers={"Authorization": t["read"]}),
        200,
    ),
    "not modified": (_not_modified, 304),
    "fact types": (lambda c, t: c.get("/api/v1/fact-types"), 200),
    "dyad timeline": (lambda c, t: c.get("/api/v1/dyads/RUS/IRQ/timeline"), 200),
    "changes": (lambda c, t: c.get("/api/v1/changes?limit=2"), 200),
    "healthz": (lambda c, t: c.get("/healthz"), 200),
    "readyz": (lambda c, t: c.get("/readyz"), 200),
    "openapi": (lambda c, t: c.get("/api/v1/openapi.json"), 200),
    "docs page": (lambda c, t: c.get("/api/v1/docs"), 200),
    "docs script": (lambda c, t: c.get("/api/v1/docs/init.js"), 200),
    "docs asset": (lambda c, t: c.get("/api/v1/docs/static/swagger-ui.css"), 200),
    "docs asset refused": (lambda c, t: c.get("/api/v1/docs/static/index.html"), 404),
    "CORS preflight": (
        lambda c, t: c.options(
            "/api/v1/facts",
            headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
        ),
        200,
    ),
    "bad parameter": (lambda c, t: c.get("/api/v1/facts?colour=red"), 400),
    "bad cursor": (lambda c, t: c.get("/api/v1/facts?cursor=abc.def"), 400),
    "drafts without a token": (lambda c, t: c.get("/api/v1/facts?status=draft"), 401),
    "not found": (lambda c, t: c.get("/api/v1/facts/99999"), 404),
    "no such route": (lambda c, t: c.get("/api/v2/nothing"), 404),
    "method not allowed": (lambda c, t: c.delete("/api/v1/"), 405),
    "no token": (_json_post("/api/v1/facts", None, {}), 401),
    "bad token": (_json_post("/api/v1/facts", "bad", {}), 401),
    "no scope": (_json_post("/api/v1/facts", "read", {}), 403),
    "invalid body": (_json_post("/api/v1/facts", "write", {"type": "nonsense"}), 422),
    "created": (_json_post("/api/v1/sources", "write", {"body": ARTICLE}), 201),
    "unsupported media type": (
        lambda c, t: c.post(
            "/api/v1/facts",
            data="x",
            headers={"Authorization": t["write"], "Content-Type": "text/html"},
        ),
        415,
    ),
    "too large": (
        lambda c, t: c.post(
            "/api/v1/sources",
            data=b"x" * (1024 * 1024 + 1),
            headers={"Authorization": t["write"], "Content-Type": "text/plain"},
        ),
        413,
    ),
    "precondition required": (
        lambda c, t: c.patch(
            "/api/v1/facts/1", json={"summary": "x"}, headers={"Authorization": t["write"]}
        ),
        428,
    ),
}


@pytest.mark.parametrize("name", list(RESPONSES))
def test_every_response_says_nosniff(
    client: FlaskClient, tokens: dict[str, str], name: str
) -> None:
    call, status = RESPONSES[name]
    response = call(client, tokens)
    response.get_data()  # streamed exports: headers are final once the body is read
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    if status >= 400 and response.mimetype == "application/problem+json":
        problem(response, status)
        assert response.headers["Cache-Control"] == "no-store"


def csp_directives(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), [w.lower() for w in words[1:]])
    return directives


def test_docs_page_has_a_csp_without_inline_scripts(client: FlaskClient) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = csp_directives(response.headers["Content-Security-Policy"])
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts, csp
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert unsafe not in scripts, (unsafe, scripts)
    assert "script-src-elem" not in csp and "script-src-attr" not in csp
    assert csp.get("default-src") == ["'self'"]
    assert csp.get("frame-ancestors") == ["'none'"]
    assert csp.get("base-uri") == ["'none'"]
    # The page itself carries no inline script for the policy to block.
    page = response.get_data(as_text=True)
    assert "<script>" not in page and "onload=" not in page.lower()


# --------------------------------------------------------------------------- errors


def boom(*_: Any, **__: Any) -> Any:
    raise RuntimeError(
        "boom SELECT secret_sha256 FROM api_token WHERE secret = 'bft_boom' -- traceback"
    )


def test_an_internal_error_is_a_generic_500(
    client: FlaskClient,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(fact_reads, "get_fact", boom)
    with caplog.at_level(logging.DEBUG):
        response = client.get("/api/v1/facts/1", headers={"Authorization": tokens["read"]})
    body = problem(response, 500)
    assert body["type"] == "about:blank" and body["detail"] == GENERIC_500
    assert set(body) == {"type", "title", "status", "detail", "instance"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    blob = whole(response)
    assert not [s for s in INTERNALS if s in blob], blob
    assert not leaks(blob, tokens["read"])
    # It is logged (with its traceback) for the operators, without the token.
    logged = [r for r in caplog.records if r.exc_info]
    assert logged and "boom" in caplog.text
    assert not leaks(caplog.text, tokens["read"])


def test_an_sql_error_shows_no_sql(
    client: FlaskClient, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = secret_of(tokens["write"])

    def bad_sql(*_: Any, **__: Any) -> Any:
        raise ProgrammingError(
            "SELECT secret_sha256 FROM api_token WHERE name = %(name)s",
            {"name": secret},
            Exception('syntax error at or near "SELECT"'),
        )

    monkeypatch.setattr(fact_reads, "fact_page", bad_sql)
    response = client.get("/api/v1/facts", headers={"Authorization": tokens["write"]})
    body = problem(response, 500)
    assert body["detail"] == GENERIC_500
    blob = whole(response)
    assert not [s for s in (*INTERNALS, "syntax error") if s in blob], blob
    assert not leaks(blob, tokens["write"])


def test_an_unavailable_database_is_a_503_that_shows_nothing(
    client: FlaskClient,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = secret_of(tokens["read"])

    def down(*_: Any, **__: Any) -> Any:
        raise OperationalError(
            "SELECT * FROM fact WHERE secret = ?",
            (secret,),
            Exception('could not connect to server at "db.internal" (10.0.0.7), port 5432'),
        )

    monkeypatch.setattr(fact_reads, "fact_page", down)
    with caplog.at_level(logging.DEBUG):
        response = client.get("/api/v1/facts", headers={"Authorization": tokens["read"]})
    body = problem(response, 503)
    assert body["type"] == "/problems/database-unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    blob = whole(response)
    for internal in (*INTERNALS, "db.internal", "10.0.0.7", "5432", "could not connect"):
        assert internal not in blob, internal
    assert not leaks(blob, tokens["read"])
    assert not leaks(caplog.text, tokens["read"])
    assert "db.internal" not in caplog.text and "SELECT" not in caplog.text


def test_a_database_that_cannot_be_reached(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A real connection failure (nothing listens on port 1): 503s naming no host or password."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "postgresql+psycopg://scott:hunter2@127.0.0.1:1/facts?connect_timeout=2",
            "RATELIMIT_ENABLED": False,
        }
    )
    client = app.test_client()
    with caplog.at_level(logging.DEBUG):
        answers = [
            client.get("/api/v1/facts"),
            client.get("/api/v1/facts/1"),
            client.post("/api/v1/facts", json={}, headers={"Authorization": "Bearer bft_x"}),
            client.get("/readyz"),
        ]
    for response in answers:
        body = problem(response, 503)
        assert body["type"] in ("/problems/database-unavailable", "/problems/not-ready")
        blob = whole(response)
        for internal in (*INTERNALS, "hunter2", "scott", "127.0.0.1", "psycopg", "Connection"):
            assert internal not in blob, (internal, blob)
    assert "hunter2" not in caplog.text
    app.extensions["db_engine"].dispose()


def test_a_failed_write_is_rolled_back_whole(
    client: FlaskClient,
    db_session: Session,
    tokens: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A write that fails after its rows are flushed (500, or 503) leaves nothing behind."""
    real = facts_view.create_fact
    counts = "SELECT (SELECT count(*) FROM fact), (SELECT count(*) FROM evidence), " + (
        '(SELECT count(*) FROM revision), (SELECT count(*) FROM "change"), '
        "(SELECT version FROM data_state)"
    )
    source_id = db_session.scalar(text("SELECT min(id) FROM source"))
    body = {**NEW_FACT, "evidence": [{"source_id": source_id, "quote": "Russia offered"}]}
    for failure, status in (
        (RuntimeError("boom after the flush"), 500),
        (OperationalError("INSERT", {}, Exception("server closed the connection")), 503),
    ):

        def half(*args: Any, _failure: Exception = failure, **kwargs: Any) -> Any:
            real(*args, **kwargs)  # rows are written and flushed, then the request fails
            raise _failure

        monkeypatch.setattr(facts_view, "create_fact", half)
        before = tuple(db_session.execute(text(counts)).one())
        response = client.post(
            "/api/v1/facts",
            json=body,
            headers={"Authorization": tokens["write"], "Idempotency-Key": f"k-{status}"},
        )
        problem(response, status)
        assert tuple(db_session.execute(text(counts)).one()) == before
        assert not leaks(whole(response), tokens["write"])
    monkeypatch.setattr(facts_view, "create_fact", real)
    # The same key now works: nothing of the failed attempts was remembered.
    response = client.post(
        "/api/v1/facts",
        json=body,
        headers={"Authorization": tokens["write"], "Idempotency-Key": "k-500"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert "Idempotent-Replayed" not in response.headers


@pytest.mark.parametrize(
    "header",
    ["Bearer bft_{}", "Token {}", "Bearer {} extra", "bearer  {}", "Basic {}"],
)
def test_refused_tokens_are_not_echoed(
    client: FlaskClient, tokens: dict[str, str], header: str
) -> None:
    """A 401 names the problem, not the token: neither a real one sent wrongly nor a fake."""
    real = secret_of(tokens["write"])
    for secret in (real + "x", "bft_" + "Q" * 43):
        response = client.post(
            "/api/v1/facts", json={}, headers={"Authorization": header.format(secret)}
        )
        problem(response, 401)
        blob = whole(response)
        assert secret not in blob and secret.removeprefix("bft_") not in blob
        assert real not in blob


# --------------------------------------------------------------------------- logs


@pytest.fixture
def echo_app(backend: str, tmp_path: Path) -> Iterator[Flask]:
    """An app of its own with SQL echo on, rate limits on, and an empty (countries) database."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url(backend, "security", tmp_path),
            "DATABASE_ECHO": True,
            "RATE_LIMIT_READS": "1000 per minute",
            "RATE_LIMIT_WRITES": "6 per minute",
        }
    )
    engine_logger = logging.getLogger("sqlalchemy.engine.Engine")
    handlers = list(engine_logger.handlers)
    migrate.upgrade(app.extensions["db_engine"])
    with app.app_context():
        with db.write_transaction() as s:
            load_countries(s)
        db.session.remove()
    yield app
    app.extensions["db_engine"].dispose()
    # echo=True gave SQLAlchemy's logger a stdout handler; leave logging as it was.
    for handler in engine_logger.handlers[len(handlers) :]:
        engine_logger.removeHandler(handler)


def logged_text(records: list[logging.LogRecord]) -> str:
    """Everything a handler could write for these records: messages, arguments, tracebacks."""
    formatter = logging.Formatter()
    parts = []
    for record in records:
        parts += [record.name, record.getMessage(), repr(record.args), repr(record.__dict__)]
        if record.exc_info:
            parts.append(formatter.formatException(record.exc_info))
        if record.stack_info:
            parts.append(record.stack_info)
    return "\n".join(parts)


def test_tokens_never_reach_the_logs(
    echo_app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("werkzeug", "sqlalchemy", "sqlalchemy.engine", "flask-limiter", "api"):
        caplog.set_level(logging.DEBUG, logger=name)
    with echo_app.app_context():
        with db.write_transaction() as s:
            writer = "Bearer " + create_token(s, "alice", ["write"])
            reader = "Bearer " + create_token(s, "bob", ["read"])
        db.session.remove()
    fake = "Bearer bft_" + "Z" * 43
    client = echo_app.test_client()
    w, r = {"Authorization": writer}, {"Authorization": reader}

    # Curating with tokens: an article, a fact (and its replay), reads, an edit.
    created = client.post(
        "/api/v1/sources", data=ARTICLE, headers={**w, "Content-Type": "text/plain"}
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    source_id = created.get_json()["id"]
    fact_body = {**NEW_FACT, "evidence": [{"source_id": source_id, "quote": "double bilateral"}]}
    for _ in range(2):
        fact = client.post("/api/v1/facts", json=fact_body, headers={**w, "Idempotency-Key": "a"})
        assert fact.status_code == 201, fact.get_data(as_text=True)
    fact_id = fact.get_json()["id"]
    assert client.get("/api/v1/facts?status=all", headers=r).status_code == 200
    read = client.get(f"/api/v1/facts/{fact_id}", headers=r)
    assert read.status_code == 200
    patched = client.patch(
        f"/api/v1/facts/{fact_id}",
        json={"summary": "Officials said trade would double by 2020."},
        headers={**w, "If-Match": read.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.get_data(as_text=True)
    assert client.get("/api/v1/changes", headers=w).status_code == 200

    # Refusals: an unknown token, the real one sent wrongly, the wrong scope.
    for header in (fake, writer.replace("Bearer", "Token"), writer + " x"):
        refused = client.get("/api/v1/facts?status=all", headers={"Authorization": header})
        assert refused.status_code == 401
    assert client.post("/api/v1/facts", json=fact_body, headers=r).status_code == 403
    # An internal error during an authenticated request is logged with its traceback.
    monkeypatch.setattr(fact_reads, "get_fact", boom)
    assert client.get(f"/api/v1/facts/{fact_id}", headers=w).status_code == 500
    monkeypatch.undo()
    # Over the write limit: the limiter logs the breach under its own key.
    answers = [client.post("/api/v1/facts", json={}, headers=w).status_code for _ in range(4)]
    assert 429 in answers, answers

    # The same over HTTP, through werkzeug's server and its access log.
    server = make_server("127.0.0.1", 0, echo_app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        for header, status in ((reader, 200), (fake, 401)):
            req = urllib.request.Request(
                f"{base}/api/v1/facts?status=all", headers={"Authorization": header}
            )
            try:
                with urllib.request.urlopen(req, timeout=10) as answer:
                    assert answer.status == status
            except urllib.error.HTTPError as err:
                assert err.code == status
    finally:
        server.shutdown()
        thread.join(timeout=10)

    logs = logged_text(caplog.records) + caplog.text
    out = capsys.readouterr()
    everything = logs + out.out + out.err
    # The capture saw the traffic: SQL (the token lookup), access lines, the 500, the 429.
    assert "api_token" in logs and "secret_sha256" in logs
    assert "GET /api/v1/facts?status=all" in logs
    assert "unhandled error" in logs and "RuntimeError" in logs
    assert "ratelimit" in logs.lower() or "429" in logs
    assert not leaks(everything, writer, reader, fake)


def test_token_secrets_are_not_stored(
    client: FlaskClient, db_session: Session, tokens: dict[str, str]
) -> None:
    """Only the secret's SHA-256 is kept; no table holds the secret, even after it is used."""
    source_id = db_session.scalar(text("SELECT min(id) FROM source"))
    body = {**NEW_FACT, "evidence": [{"source_id": source_id, "quote": "Russia offered"}]}
    w = {"Authorization": tokens["write"]}
    created = client.post("/api/v1/facts", json=body, headers={**w, "Idempotency-Key": "s"})
    assert created.status_code == 201, created.get_data(as_text=True)
    fact = created.get_json()
    patched = client.patch(
        f"/api/v1/facts/{fact['id']}",
        json={"status": "published"},
        headers={**w, "If-Match": created.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.get_data(as_text=True)
    listed = client.get("/api/v1/facts?status=all", headers={"Authorization": tokens["read"]})
    assert listed.status_code == 200
    assert not leaks(whole(created) + whole(patched), tokens["write"])

    for header in tokens.values():
        digest = hashlib.sha256(secret_of(header).encode()).hexdigest()
        row = db_session.scalar(select(ApiToken).where(ApiToken.secret_sha256 == digest))
        assert row is not None and row.name.startswith("sec-")

    connection = db_session.connection()
    tables = inspect(connection).get_table_names()
    assert "api_token" in tables and "revision" in tables and "idempotency_key" in tables
    for table in tables:
        preparer = connection.dialect.identifier_preparer
        rows = connection.execute(text(f"SELECT * FROM {preparer.quote(table)}"))
        for row in rows:
            blob = json.dumps([_plain(v) for v in row], default=str)
            assert not leaks(blob, *tokens.values()), table


def _plain(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("latin-1")
    return value
