"""Content negotiation: 406 for an Accept nothing fits, lenient reading, JSON slash redirect."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from api.responses.media import read_accept
from tests.conftest import problem
from tests.factories import make_token

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("url", "accept"),
    [
        ("/api/v1/facts/1", "text/csv"),
        ("/api/v1/facts", "text/html"),
        ("/api/v1/facts", "application/json;q=0, */*;q=0"),
        ("/api/v1/", "application/xml"),
        ("/api/v1/parties/RUS", "image/*"),
        ("/api/v1/openapi.json", "text/html"),
    ],
)
def test_an_accept_nothing_fits_is_406(client: FlaskClient, url: str, accept: str) -> None:
    r = client.get(url, headers={"Accept": accept})
    body = problem(r, 406)
    assert body["type"] == "/problems/not-acceptable"
    assert "application/json" in body["acceptable"]
    assert r.headers["Cache-Control"] == "no-store"


def test_lists_offer_their_exports(client: FlaskClient) -> None:
    body = problem(client.get("/api/v1/sources", headers={"Accept": "text/html"}), 406)
    assert body["acceptable"] == [
        "application/json",
        "application/problem+json",
        "text/csv",
        "application/x-ndjson",
    ]
    one = problem(client.get("/api/v1/sources/1", headers={"Accept": "text/html"}), 406)
    assert one["acceptable"] == ["application/json", "application/problem+json"]


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        (BROWSER, "application/json"),  # a browser's Accept admits JSON through */*
        ("*/*", "application/json"),
        ("*", "application/json"),  # an old client's bare star
        ("application/json; charset=utf-8", "application/json"),  # parameters do not count
        ("application/problem+json", "application/json"),
        ("text/*", "text/csv"),
        ("text/csv; charset=utf-8", "text/csv"),
        ("application/x-ndjson;q=0.5, text/csv;q=0.4", "application/x-ndjson"),
        ("nonsense", "application/json"),  # no well-formed range: as if absent
        ("", "application/json"),
    ],
)
def test_lenient_reading(client: FlaskClient, accept: str, mimetype: str) -> None:
    r = client.get("/api/v1/facts?limit=1", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == mimetype


def test_format_in_the_url_wins_over_accept(client: FlaskClient) -> None:
    r = client.get("/api/v1/facts?format=csv", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert client.get("/api/v1/facts?format=json", headers={"Accept": "text/html"}).is_json


def test_writes_are_negotiated_before_anything_else(
    client: FlaskClient, db_session: Session
) -> None:
    problem(client.post("/api/v1/facts", json={}, headers={"Accept": "text/csv"}), 406)
    token = make_token(db_session, scopes=("write",))
    r = client.delete(
        "/api/v1/facts/1", headers={"Authorization": token, "If-Match": "*", "Accept": "text/csv"}
    )
    problem(r, 406)
    assert client.get("/api/v1/facts/1").get_json()["status"] == "published"


def test_the_docs_page_is_not_negotiated(client: FlaskClient) -> None:
    r = client.get("/api/v1/docs", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.mimetype == "text/html"


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_index_without_its_slash_is_a_json_redirect(client: FlaskClient, method: str) -> None:
    r = client.open("/api/v1?x=1", method=method)
    assert r.status_code == 308
    assert r.headers["Location"] == "http://localhost/api/v1/?x=1"
    assert r.mimetype == "application/json"
    if method == "GET":
        assert r.get_json()["location"] == r.headers["Location"]
    followed = client.get("/api/v1", follow_redirects=True)
    assert followed.status_code == 200 and followed.get_json()["api"] == "v1"


def test_read_accept_drops_what_does_not_parse() -> None:
    assert list(read_accept("text/html;level=1, */*;q=0.1, bad, a/b/c")) == [
        ("text/html", 1),
        ("*/*", 0.1),
    ]
    assert not read_accept(None)
