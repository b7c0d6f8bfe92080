"""Mistaken and hostile requests get a clean, specific 4xx: unknown codes, keys, nesting, tokens."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import Fact
from api.services.tokens import revoke_token
from tests.api.v1.test_writes import NEW_FACT, evidence
from tests.conftest import problem
from tests.factories import make_token
from tests.support.wsgi_layers import thin_path


@pytest.fixture
def auth(db_session: Session) -> dict[str, str]:
    return {"Authorization": make_token(db_session)}


@pytest.mark.parametrize(
    ("query", "name", "raw", "close"),
    [
        ("dyad=RUS,IRK", "dyad", "IRK", "IRQ"),
        ("party=XXX", "party", "XXX", None),
        ("subject=RUSS", "subject", "RUSS", "RUS"),
        ("counterpart=IRAQ", "counterpart", "IRAQ", "IRQ"),
    ],
)
def test_an_unknown_party_code_is_a_400_naming_it_and_the_closest(
    client: FlaskClient, query: str, name: str, raw: str, close: str | None
) -> None:
    for url in (f"/api/v1/facts?{query}", f"/api/v1/facts?{query}&format=csv"):
        body = problem(client.get(url), 400)
        assert raw in body["detail"] and name in body["errors"]
        assert body["type"] == "/problems/unknown-code"
        if close:
            assert f"did you mean {close}" in body["detail"]
            assert body["suggestions"][name][0] == close


def test_unknown_codes_are_refused_on_the_other_lists_too(client: FlaskClient) -> None:
    assert "RUS" in problem(client.get("/api/v1/dyads?party=RUZ"), 400)["detail"]
    problem(client.get("/api/v1/actors?party=ZZZ"), 400)


def test_a_known_party_with_no_facts_is_an_empty_200(client: FlaskClient) -> None:
    r = client.get("/api/v1/facts?party=ISL")
    assert r.status_code == 200 and r.get_json()["data"] == []
    r = client.get("/api/v1/facts?dyad=RUS,is")  # alpha-2, any case, still known
    assert r.status_code == 200 and r.get_json()["data"] == []


def test_an_unknown_actor_is_a_400_with_the_closest_keys(client: FlaskClient) -> None:
    body = problem(client.get("/api/v1/facts?actor=vladimir-putn"), 400)
    assert "vladimir-putn" in body["detail"] and "vladimir-putin" in body["suggestions"]["actor"]
    assert problem(client.get("/api/v1/facts?actor=nobody"), 400)["errors"]["actor"]
    assert client.get("/api/v1/facts?actor=vladimir-putin").get_json()["data"]


def test_the_thin_path_leaves_unknown_codes_to_flask(app: Any, client: FlaskClient) -> None:
    thin = thin_path(app)
    served = thin.served
    body = problem(client.get("/api/v1/facts?dyad=RUS,IRK&limit=5"), 400)
    assert "IRQ" in body["detail"]
    assert thin.served == served  # answered by Flask, not the thin path
    assert client.get("/api/v1/facts?dyad=RUS,IRQ&limit=5").status_code == 200
    assert thin.served == served + 1


def test_creating_a_fact_with_a_key_in_use_is_a_409_naming_the_fact(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    taken = db_session.scalar(select(Fact).order_by(Fact.id).limit(1))
    assert taken is not None
    before = db_session.scalar(select(func.count()).select_from(Fact))
    for headers in (auth, {**auth, "Idempotency-Key": "dup-1"}):
        body = problem(
            client.post("/api/v1/facts", json={**NEW_FACT, "key": taken.key}, headers=headers),
            409,
        )
        assert str(taken.id) in body["detail"] and body["errors"]["key"]
        assert body["existing"].endswith(f"/api/v1/facts/{taken.id}")
    assert db_session.scalar(select(func.count()).select_from(Fact)) == before


def test_patching_a_fact_to_a_key_in_use_is_a_409(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    first, second = db_session.scalars(select(Fact).order_by(Fact.id).limit(2)).all()
    tag = client.get(f"/api/v1/facts/{second.id}").headers["ETag"]
    r = client.patch(
        f"/api/v1/facts/{second.id}", json={"key": first.key}, headers={**auth, "If-Match": tag}
    )
    assert str(first.id) in problem(r, 409)["detail"]


def _nested(depth: int) -> str:
    """JSON text nested ``depth`` levels (written by hand: no encoder goes that deep)."""
    opened = "".join('{"k": ' if i % 2 else "[" for i in range(depth))
    closed = "".join("}" if i % 2 else "]" for i in reversed(range(depth)))
    return opened + '"leaf"' + closed


def _body(template: dict[str, Any], field: str, nested: str) -> str:
    """``template`` as JSON with ``field`` replaced by the nested JSON text."""
    text = json.dumps({**template, field: "@@"})
    return text.replace('"@@"', nested)


@pytest.mark.parametrize("depth", [40, 966, 1000, 1023, 5000])
def test_deeply_nested_json_is_refused_cleanly(
    client: FlaskClient, db_session: Session, auth: dict[str, str], depth: int
) -> None:
    fact_id = db_session.scalar(select(Fact.id).order_by(Fact.id).limit(1))
    tag = client.get(f"/api/v1/facts/{fact_id}").headers["ETag"]
    deep = _nested(depth)
    attributes = _body({"aid_kind": "military"}, "aid_kind", deep)
    writes = [
        ("post", "/api/v1/facts", _body(NEW_FACT, "attributes", attributes), auth),
        (
            "patch",
            f"/api/v1/facts/{fact_id}",
            _body({}, "summary", deep),
            {**auth, "If-Match": tag},
        ),
        ("post", "/api/v1/sources", _body({"body": "Some text."}, "authors", deep), auth),
        ("patch", "/api/v1/sources/1", _body({}, "title", deep), {**auth, "If-Match": "*"}),
    ]
    facts = db_session.scalar(select(func.count()).select_from(Fact))
    for method, url, body, headers in writes:
        r = getattr(client, method)(
            url, data=body, headers={**headers, "Content-Type": "application/json"}
        )
        assert r.status_code in (400, 422), (url, r.status_code, r.get_data(as_text=True)[:300])
        assert r.headers["Content-Type"] == "application/problem+json"
    assert db_session.scalar(select(func.count()).select_from(Fact)) == facts


def test_nesting_within_the_limit_still_gets_the_schemas_answer(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    body = _body(NEW_FACT, "attributes", _body({"aid_kind": "x"}, "aid_kind", _nested(20)))
    r = client.post(
        "/api/v1/facts", data=body, headers={**auth, "Content-Type": "application/json"}
    )
    assert "Nested" not in str(problem(r, 422)["errors"])


@pytest.mark.parametrize(
    "header",
    ["Bearer bft_not-a-token", "Bearer", "Basic dXNlcjpwYXNz", "bearer   ", "Token abc"],
)
@pytest.mark.parametrize(
    "url",
    ["/api/v1/facts", "/api/v1/facts/1", "/api/v1/sources", "/api/v1/", "/api/v1/dyads/RUS/IRQ"],
)
def test_bad_credentials_are_refused_on_public_reads(
    client: FlaskClient, header: str, url: str
) -> None:
    r = client.get(url, headers={"Authorization": header})
    problem(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused_on_reads_and_revalidations(
    client: FlaskClient, db_session: Session
) -> None:
    token = make_token(db_session, "leaver")
    ok = client.get("/api/v1/facts", headers={"Authorization": token})
    assert ok.status_code == 200
    revoke_token(db_session, "leaver")
    headers = {"Authorization": token, "If-None-Match": ok.headers["ETag"]}
    assert "revoked" in problem(client.get("/api/v1/facts", headers=headers), 401)["detail"]


def test_a_good_token_still_reads_with_drafts(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    client.post("/api/v1/facts", json={**NEW_FACT, "evidence": evidence(db_session)}, headers=auth)
    drafts = client.get("/api/v1/facts?status=draft", headers=auth).get_json()["data"]
    assert drafts and client.get("/api/v1/facts", headers=auth).status_code == 200


@pytest.mark.parametrize(
    "query",
    ["bft_SECRETSECRET", "bft_SECRETSECRET=1", "actor=bft_SECRETSECRET", "q=x&Bft_SECRETSECRET"],
)
def test_a_token_in_the_query_is_never_echoed(client: FlaskClient, query: str) -> None:
    r = client.get(f"/api/v1/facts?{query}")
    problem(r, 400)
    assert "SECRETSECRET" not in r.get_data(as_text=True)


@pytest.mark.parametrize("body", [b"\xff", b'{"summary": "\xff"}', b"\xc3("])
def test_a_json_body_that_is_not_utf8_is_a_400_not_an_empty_change(
    client: FlaskClient, db_session: Session, auth: dict[str, str], body: bytes
) -> None:
    fact = db_session.scalar(select(Fact).order_by(Fact.id).limit(1))
    assert fact is not None
    version = fact.version
    headers = {**auth, "Content-Type": "application/json", "If-Match": "*"}
    for method, url in (
        ("patch", f"/api/v1/facts/{fact.id}"),
        ("patch", "/api/v1/sources/1"),
        ("post", "/api/v1/facts"),
    ):
        r = getattr(client, method)(url, data=body, headers=headers)
        assert problem(r, 400)["errors"], url
    db_session.refresh(fact)
    assert fact.version == version


def test_a_sources_facts_take_no_source_parameter(client: FlaskClient) -> None:
    assert "source" in problem(client.get("/api/v1/sources/1/facts?source=2"), 400)["errors"]
    assert client.get("/api/v1/sources/1/facts").status_code == 200


def test_a_full_connection_pool_is_a_503_with_retry_after(tmp_path: Any) -> None:
    import os

    from api import create_app, migrate
    from tests.databases import PG_SKIP, database_url

    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip(PG_SKIP)
    app = create_app(
        {
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "DATABASE_URL": database_url("postgresql", "pool", tmp_path),
            "DATABASE_POOL_TIMEOUT": 0.5,
        }
    )
    engine = app.extensions["db_engine"]
    migrate.upgrade(engine)
    held = []
    try:
        while len(held) < engine.pool.size() + engine.pool._max_overflow:  # type: ignore[attr-defined]
            held.append(engine.connect())
        for url in ("/api/v1/sources", "/api/v1/facts"):
            r = app.test_client().get(url)
            assert problem(r, 503)["type"] == "/problems/database-unavailable", url
            assert r.headers["Retry-After"] == "5"
    finally:
        for conn in held:
            conn.close()
        engine.dispose()
