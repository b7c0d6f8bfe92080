"""Rate limits: reads per client address, writes per token; in memory and in Redis."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError

from api import create_app, db, migrate
from api.services.tokens import create_token
from tests.conftest import problem
from tests.support.wsgi_layers import thin_path


def limited_app(tmp_path: Path, **config: Any) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'limits.db'}",
            "RATE_LIMIT_READS": "3 per minute",
            "RATE_LIMIT_WRITES": "2 per minute",
            **config,
        }
    )
    migrate.upgrade(app.extensions["db_engine"])
    return app


def test_reads_are_limited_per_address_with_headers(tmp_path: Path) -> None:
    client = limited_app(tmp_path).test_client()
    codes = [client.get("/api/v1/fact-types").status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    r = client.get("/api/v1/fact-types")
    body = problem(r, 429)
    assert body["type"] == "/problems/rate-limited"
    assert int(r.headers["Retry-After"]) > 0
    assert r.headers["RateLimit-Limit"] == "3" and r.headers["RateLimit-Remaining"] == "0"
    other = client.get("/api/v1/fact-types", environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert other.status_code == 200


def _tokens(app: Flask, *names: str) -> list[str]:
    """Create a write token per name; their secrets."""
    with app.app_context():
        with db.write_transaction() as s:
            secrets = [create_token(s, name, ["write"]) for name in names]
        db.session.remove()
    return secrets


def test_writes_are_limited_per_token(tmp_path: Path) -> None:
    app = limited_app(tmp_path)
    first, second = _tokens(app, "first", "second")
    client = app.test_client()
    for _ in range(2):
        r = client.post("/api/v1/facts", json={}, headers={"Authorization": f"Bearer {first}"})
        assert r.status_code == 422  # authenticated; the empty body is refused
    r = client.post("/api/v1/facts", json={}, headers={"Authorization": f"Bearer {first}"})
    problem(r, 429)
    # Another token has its own budget; reads have theirs.
    r = client.post("/api/v1/facts", json={}, headers={"Authorization": f"Bearer {second}"})
    assert r.status_code == 422
    assert client.get("/api/v1/fact-types").status_code == 200


@pytest.mark.parametrize("spelling", ["bearer {}", "BEARER {}", "Bearer   {}", "  Bearer {}  "])
def test_respelling_the_scheme_shares_the_token_budget(tmp_path: Path, spelling: str) -> None:
    app = limited_app(tmp_path)
    (secret,) = _tokens(app, "curator")
    client = app.test_client()
    plain = {"Authorization": f"Bearer {secret}"}
    respelt = {"Authorization": spelling.format(secret)}
    assert client.post("/api/v1/facts", json={}, headers=plain).status_code == 422
    assert client.post("/api/v1/facts", json={}, headers=respelt).status_code == 422
    # Both spellings spent the one budget of 2.
    problem(client.post("/api/v1/facts", json={}, headers=plain), 429)
    problem(client.post("/api/v1/facts", json={}, headers=respelt), 429)


def test_bad_tokens_get_401_and_spend_the_address_budget(tmp_path: Path) -> None:
    client = limited_app(tmp_path).test_client()
    for header in ("Bearer bft_nope", "Bearer nope"):
        body = problem(
            client.post("/api/v1/facts", json={}, headers={"Authorization": header}), 401
        )
        assert body["type"] == "/problems/unauthorized"
    # A third made-up token is not a fresh budget: guessing is limited by address.
    problem(client.post("/api/v1/facts", json={}, headers={"Authorization": "Bearer other"}), 429)
    problem(client.post("/api/v1/facts", json={}), 429)
    other = client.post(
        "/api/v1/facts",
        json={},
        headers={"Authorization": "Bearer x"},
        environ_base={"REMOTE_ADDR": "127.0.0.2"},
    )
    problem(other, 401)


def test_retry_after_only_on_429(tmp_path: Path) -> None:
    app = limited_app(tmp_path)
    client = app.test_client()
    # Flask's path (fact-types) and the thin read path (a page of facts) both count reads.
    for path in ("/api/v1/fact-types", "/api/v1/facts", "/api/v1/facts?limit=1"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert "Retry-After" not in r.headers, path
        assert "RateLimit-Remaining" in r.headers
        assert not any(k.lower().startswith("x-bf-") for k, _ in r.headers.items()), path
    assert thin_path(app).served == 2
    r = client.get("/api/v1/facts")
    problem(r, 429)
    assert 0 < int(r.headers["Retry-After"]) <= 60
    # An error that is not about waiting does not ask the client to wait either.
    r = client.post("/api/v1/facts", json={})
    assert r.status_code == 401 and "Retry-After" not in r.headers


def test_retry_after_on_503_keeps_its_own_value(tmp_path: Path) -> None:
    app = limited_app(tmp_path)

    def unavailable() -> Any:
        raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))

    # A rate-limited view (the limiter counts it and adds its headers) whose database is gone.
    app.view_functions["meta.FactTypes"] = unavailable
    r = app.test_client().get("/api/v1/fact-types")
    assert r.headers["RateLimit-Remaining"] == "2"
    assert problem(r, 503)["type"] == "/problems/database-unavailable"
    assert r.headers["Retry-After"] == "5"  # not raised to the rate-limit window's reset


def test_readyz_503_carries_retry_after(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    r = app.test_client().get("/readyz")  # never migrated: not ready
    assert problem(r, 503)["type"] == "/problems/not-ready"
    assert r.headers["Retry-After"] == "5"


def test_limits_can_be_turned_off(tmp_path: Path) -> None:
    client = limited_app(tmp_path, RATELIMIT_ENABLED=False).test_client()
    assert all(client.get("/api/v1/fact-types").status_code == 200 for _ in range(6))


@pytest.mark.skipif(
    not os.environ.get("TEST_REDIS_URL"),
    reason="set TEST_REDIS_URL=redis://127.0.0.1:6379/0 to test the Redis storage",
)
def test_redis_storage_is_shared_between_apps(tmp_path: Path) -> None:
    url = os.environ["TEST_REDIS_URL"]
    prefix = f"bf-test-{uuid.uuid4().hex}"
    first = limited_app(tmp_path, RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix)
    second = limited_app(tmp_path, RATELIMIT_STORAGE_URI=url, RATELIMIT_KEY_PREFIX=prefix)
    a, b = first.test_client(), second.test_client()
    assert [a.get("/api/v1/fact-types").status_code for _ in range(2)] == [200, 200]
    assert b.get("/api/v1/fact-types").status_code == 200  # the third, counted in Redis
    problem(b.get("/api/v1/fact-types"), 429)


def test_a_read_the_thin_path_hands_to_flask_is_counted_once(tmp_path: Path) -> None:
    app = limited_app(tmp_path, RATE_LIMIT_READS="10 per minute")
    with app.app_context():
        from api.services.parties import load_countries

        with db.write_transaction() as s:
            load_countries(s)
        db.session.remove()
    client = app.test_client()
    remaining = []
    # Served by the thin path, then three it hands to Flask (an unknown code, an unknown
    # fact, a pair of one party), then the thin path again: one count each.
    for url in (
        "/api/v1/facts?dyad=RUS,IRQ",
        "/api/v1/facts?dyad=RUS,XXX",
        "/api/v1/facts/12345",
        "/api/v1/facts?dyad=RUS,ru",
        "/api/v1/facts?party=IRQ",
    ):
        remaining.append(int(client.get(url).headers["RateLimit-Remaining"]))
    assert remaining == [9, 8, 7, 6, 5]
    assert thin_path(app).served == 2
