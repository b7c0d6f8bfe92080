"""Rate limits: reads per client address, writes per token; in memory and in Redis."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from api import create_app, migrate
from tests.conftest import problem


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


def test_writes_are_limited_per_token(tmp_path: Path) -> None:
    client = limited_app(tmp_path).test_client()
    for _ in range(2):
        # Unauthenticated writes count against the caller's address bucket and fail 401.
        assert (
            client.post("/api/v1/facts", json={}, headers={"Authorization": "Bearer a"}).status_code
            == 401
        )
    problem(client.post("/api/v1/facts", json={}, headers={"Authorization": "Bearer a"}), 429)
    assert (
        client.post("/api/v1/facts", json={}, headers={"Authorization": "Bearer b"}).status_code
        == 401
    )
    # Reads have their own budget.
    assert client.get("/api/v1/fact-types").status_code == 200


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
