"""If-None-Match: * matches any current representation, and only of a request that succeeds."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.conftest import problem

STAR = {"If-None-Match": "*"}


@pytest.mark.parametrize(
    "url",
    ["/api/v1/facts?limit=2", "/api/v1/facts?format=csv", "/api/v1/dyads", "/api/v1/facts/1"],
)
def test_star_revalidates_what_exists(client: FlaskClient, url: str) -> None:
    r = client.get(url, headers=STAR)
    assert r.status_code == 304 and r.data == b""
    assert r.headers["ETag"] == client.get(url).headers["ETag"]
    assert "Link" not in r.headers and "Content-Disposition" not in r.headers


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/facts?limit=-1", 400),
        ("/api/v1/changes?since=true", 400),
        ("/api/v1/facts/99999/history", 404),
        ("/api/v1/sources/99999", 404),
        ("/api/v1/no-such-thing", 404),
    ],
)
def test_star_never_hides_an_error(client: FlaskClient, url: str, status: int) -> None:
    problem(client.get(url, headers=STAR), status)
