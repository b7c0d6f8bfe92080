"""The edges of HTTP under a real gunicorn: body framing, the server's own errors, secrets.

- A body over MAX_CONTENT_LENGTH is a 413 problem whatever its framing (chunked included)
  and nothing of it is stored; a chunked body under the limit is stored byte for byte.
- gunicorn's own answers (414, 431, 400) are problem+json, and documented.
- Neither the access log, the error log nor a problem's ``instance`` carries a secret given
  in the query string.
"""

from __future__ import annotations

import io
import json
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from api import create_app, migrate
from api.models import Source
from api.redact import redact_query
from tests.conftest import problem
from tests.databases import database_url
from tests.support.live_server import BIN, ROOT, Server, free_port, prepare, server_env

LIMIT = 1024 * 1024  # the default MAX_CONTENT_LENGTH, which the server runs with
SMALL = 64 * 1024  # the in-process app's limit: the boundary is cheap to test there
WORDS = ["oil", "trade", "Baghdad", "Moscow", "minister", "agreement", "barrels", "pipeline"]


def article(size: int, seed: int) -> bytes:
    """``size`` bytes of article-like ASCII text, different for each seed."""
    rng = random.Random(seed)
    text = f"Report {seed}.\n" + " ".join(rng.choice(WORDS) for _ in range(size // 4))
    return text.encode()[:size]


def chunks(data: bytes, size: int = 65536) -> Iterator[bytes]:
    """``data`` in pieces: http.client sends an iterable with Transfer-Encoding: chunked."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def count_sources(app_or_url: Any) -> int:
    """Sources in the database."""
    from sqlalchemy import create_engine

    engine = create_engine(app_or_url) if isinstance(app_or_url, str) else None
    engine = engine or app_or_url.extensions["db_engine"]
    with engine.connect() as conn:
        found = int(conn.scalar(select(func.count()).select_from(Source)) or 0)
    if isinstance(app_or_url, str):
        engine.dispose()
    return found


# -- in process: the boundary, on both databases --------------------------------------


@pytest.fixture(scope="module")
def small_app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app with a 64 KiB body limit and a write token (in ``config["TEST_AUTH"]``)."""
    url = database_url(backend, "edges_small", tmp_path_factory.mktemp("edges"))
    secret = prepare(url)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "MAX_CONTENT_LENGTH": SMALL,
            "RATELIMIT_ENABLED": False,
        }
    )
    app.config["TEST_AUTH"] = {"Authorization": f"Bearer {secret}"}
    yield app
    app.extensions["db_engine"].dispose()


def _post_chunked(app: Flask, data: bytes, method: str = "POST") -> Any:
    return app.test_client().open(
        f"/api/v1/sources?title=Chunked+{len(data)}",
        method=method,
        input_stream=io.BytesIO(data),
        headers={
            **app.config["TEST_AUTH"],
            "Content-Type": "text/plain",
            "Transfer-Encoding": "chunked",
        },
        # What gunicorn and werkzeug's server say of a chunked body they de-chunk.
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_chunked_body_one_byte_over_the_limit_is_413(small_app: Flask) -> None:
    before = count_sources(small_app)
    body = problem(_post_chunked(small_app, article(SMALL + 1, 1)), 413)
    assert body["type"] == "/problems/too-large"
    assert count_sources(small_app) == before


def test_chunked_body_at_the_limit_is_stored_exactly(small_app: Flask) -> None:
    data = article(SMALL, 2)
    r = _post_chunked(small_app, data)
    assert r.status_code == 201, r.get_data(as_text=True)
    raw = small_app.test_client().get(f"/api/v1/sources/{r.get_json()['id']}?include=raw")
    assert raw.get_json()["raw"].encode() == data


def test_declared_length_over_the_limit_is_413_even_where_no_body_is_read(
    small_app: Flask,
) -> None:
    # A read (answered by the thin path when the body is ignored) is refused the same way.
    for path in ("/api/v1/facts", "/api/v1/fact-types"):
        r = small_app.test_client().get(path, data=b"x" * (SMALL + 1))
        problem(r, 413)
        r = small_app.test_client().open(
            path,
            input_stream=io.BytesIO(b"x" * (SMALL + 1)),
            headers={"Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},
        )
        problem(r, 413)


def test_cors_exposes_idempotent_replayed(small_app: Flask) -> None:
    client = small_app.test_client()
    for path in ("/api/v1/facts", "/api/v1/fact-types"):  # the thin path and Flask's
        exposed = client.get(path, headers={"Origin": "https://dash.example"}).headers[
            "Access-Control-Expose-Headers"
        ]
        assert "Idempotent-Replayed" in {h.strip() for h in exposed.split(",")}, path


def test_cors_preflight_grants_the_methods_and_only_the_headers_the_api_reads(
    small_app: Flask,
) -> None:
    client = small_app.test_client()
    asked = {
        "Origin": "https://dash.example",
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "content-type, if-match, x-unknown",
    }
    r = client.options("/api/v1/facts/1", headers=asked)
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in r.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST", "PATCH", "DELETE"} <= methods
    assert r.headers["Access-Control-Allow-Headers"] == "Content-Type, If-Match"
    assert r.headers["Access-Control-Max-Age"] == "600"
    plain = client.options("/api/v1/facts/1")  # not a preflight: no grants
    assert "Access-Control-Allow-Methods" not in plain.headers


def test_cors_with_listed_origins_answers_only_those(tmp_path: Path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'cors.db'}",
            "CORS_ORIGINS": ["https://dash.example"],
        }
    )
    migrate.upgrade(app.extensions["db_engine"])
    client = app.test_client()
    preflight = {"Access-Control-Request-Method": "POST"}
    for origin, allowed in (("https://dash.example", True), ("https://evil.example", False)):
        for r in (
            client.get("/api/v1/fact-types", headers={"Origin": origin}),
            client.options("/api/v1/facts", headers={"Origin": origin, **preflight}),
            client.get("/api/v1/nothing-here", headers={"Origin": origin}),  # errors too
        ):
            assert r.headers.get("Access-Control-Allow-Origin") == (origin if allowed else None)
            assert ("Access-Control-Allow-Methods" in r.headers) == (
                allowed and r.request.method == "OPTIONS"
            )
            assert "Origin" in r.headers["Vary"]


# -- a real gunicorn (the production config: one gthread worker) ------------------------


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn with gunicorn.conf.py, on a migrated database; ``server.auth`` can write."""
    tmp = tmp_path_factory.mktemp("edges_live")
    url = database_url(backend, "edges_live", tmp)
    secret = prepare(url)
    port = free_port()
    args = [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py")]
    args += ["--bind", f"127.0.0.1:{port}", "wsgi:app"]
    live = Server(args, server_env(DATABASE_URL=url), tmp / "gunicorn.log", port)
    live.auth = {"Authorization": f"Bearer {secret}"}  # type: ignore[attr-defined]
    live.url = url  # type: ignore[attr-defined]
    yield live
    live.stop()


def test_chunked_upload_over_the_limit_is_413_and_not_stored(server: Any) -> None:
    before = count_sources(server.url)
    data = article(1_600_000, 3)
    status, headers, body = server.request(
        "POST",
        "/api/v1/sources?title=Too+long",
        body=chunks(data),
        headers={**server.auth, "Content-Type": "text/plain"},
    )
    assert status == 413, body[:300]
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["type"] == "/problems/too-large"
    assert count_sources(server.url) == before


def test_chunked_upload_under_the_limit_is_stored_byte_for_byte(server: Any) -> None:
    data = article(100_000, 4)
    status, _, body = server.request(
        "POST",
        "/api/v1/sources?title=Chunked",
        body=chunks(data, 4096),
        headers={**server.auth, "Content-Type": "text/plain"},
    )
    assert status == 201, body[:300]
    source_id = json.loads(body)["id"]
    _, _, raw = server.request("GET", f"/api/v1/sources/{source_id}?include=raw")
    assert json.loads(raw)["raw"].encode() == data


def _server_problem(server: Any, backend: str, request: bytes, status: int) -> dict[str, Any]:
    if backend != "sqlite":
        pytest.skip("gunicorn answers before any database is involved")
    got, headers, body = server.raw(request)
    assert got == status, body[:300]
    assert headers["content-type"] == "application/problem+json"
    assert headers["content-length"] == str(len(body))
    problem_body: dict[str, Any] = json.loads(body)
    assert problem_body["status"] == status
    assert {"type", "title", "detail", "instance"} <= set(problem_body)
    assert b"<html" not in body
    return problem_body


def test_request_line_too_long_is_414_problem(server: Any, backend: str) -> None:
    line = b"GET /api/v1/facts?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    body = _server_problem(server, backend, line, 414)
    assert body["type"] == "/problems/uri-too-long" and "8190" in body["detail"]


def test_the_longest_url_the_description_allows_is_served(server: Any, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("the request line limit does not depend on the database")
    # q at its maxLength (500), every character needing six bytes percent-encoded.
    target = b"/api/v1/facts?q=" + b"%C3%A9" * 500 + b"&unit=" + b"%C3%A9" * 32
    got, _headers, body = server.raw(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert got == 200, body[:300]


@pytest.mark.parametrize("shape", ["one huge header", "too many headers"])
def test_headers_too_large_are_431_problem(server: Any, backend: str, shape: str) -> None:
    if shape == "one huge header":
        headers = b"X-Big: " + b"b" * 9000 + b"\r\n"
    else:
        headers = b"".join(b"X-H%d: v\r\n" % n for n in range(150))
    request = b"GET /api/v1/facts HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n"
    assert _server_problem(server, backend, request, 431)["type"] == "/problems/headers-too-large"


def test_malformed_request_is_400_problem(server: Any, backend: str) -> None:
    request = b"GET /api/v1/facts HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n"
    assert _server_problem(server, backend, request, 400)["type"] == "/problems/malformed-request"


def test_server_errors_are_documented_on_every_operation(small_app: Flask) -> None:
    spec = small_app.test_client().get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status in ("400", "413", "414", "429", "431", "503"):
                assert status in operation["responses"], (method, path, status)
    responses = spec["components"]["responses"]
    for name in ("REQUEST_URI_TOO_LONG", "REQUEST_HEADER_FIELDS_TOO_LARGE"):
        assert list(responses[name]["content"]) == ["application/problem+json"]
    assert "Retry-After" in responses["TOO_MANY_REQUESTS"]["headers"]
    assert "Retry-After" in responses["SERVICE_UNAVAILABLE"]["headers"]


SECRET = "bft_" + "S3cr3tValue" * 3
PLAIN = "plain-s3cr3t-value"


def _wait_for(server: Any, text: str, times: int) -> str:
    """The log once ``text`` is in it ``times`` times (gunicorn logs after answering)."""
    deadline = time.monotonic() + 5
    log = server.log_text()
    while log.count(text) < times and time.monotonic() < deadline:
        time.sleep(0.05)
        log = server.log_text()
    return log


@pytest.mark.parametrize(
    "query",
    [f"token={SECRET}", f"access_token={PLAIN}", f"API_KEY={PLAIN}", f"limit=5&q={SECRET}"],
)
def test_secrets_in_the_query_reach_neither_logs_nor_problems(
    server: Any, backend: str, query: str
) -> None:
    if backend != "sqlite":
        pytest.skip("logging does not depend on the database")
    secret = SECRET if "bft_" in query else PLAIN
    status, headers, body = server.request("GET", f"/api/v1/facts?{query}")
    if status != 200:  # q= is a parameter: that search is answered (and its links echo it)
        assert status == 400 and headers["content-type"] == "application/problem+json"
        assert "REDACTED" in json.loads(body)["instance"] and secret not in body.decode()
    # A request line gunicorn refuses (no HTTP version) is quoted in its error log.
    status, _, body = server.raw(f"GET /api/v1/facts?{query}\r\n\r\n".encode())
    assert status == 400 and secret not in body.decode()
    log = _wait_for(server, "/api/v1/facts?" + redact_query(query), 2)
    assert log.count("/api/v1/facts?" + redact_query(query)) >= 2, log
    assert secret not in log


def test_a_bare_token_as_the_query_is_not_logged(server: Any, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("logging does not depend on the database")
    server.request("GET", f"/api/v1/fact-types?{SECRET}")
    log = _wait_for(server, "/api/v1/fact-types?REDACTED", 1)
    assert "/api/v1/fact-types?REDACTED" in log and SECRET not in log


def test_bad_token_header_is_not_logged(server: Any, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("logging does not depend on the database")
    status, _, _ = server.request(
        "POST", "/api/v1/facts", body=b"{}", headers={"Authorization": SECRET}
    )
    assert status == 401  # not "Bearer <token>"
    assert SECRET not in server.log_text()


def test_problem_instance_is_redacted_in_process(small_app: Flask) -> None:
    r = small_app.test_client().get(f"/api/v1/facts/bft_x?access_token={SECRET}&limit=2")
    body = r.get_json()
    assert SECRET not in r.get_data(as_text=True)
    assert body["instance"] == "/api/v1/facts/REDACTED?access_token=REDACTED&limit=2"
