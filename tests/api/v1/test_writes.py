"""The curator write API: auth, ingestion, fact writes, concurrency, idempotency, history."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import ApiToken, Evidence, Fact, Revision, Source
from tests.conftest import ARTICLES, SEEDS, problem, read_seed
from tests.factories import make_token

NEW_FACT: dict[str, Any] = {
    "type": "aid_offer",
    "subject": "RUS",
    "counterpart": "IRQ",
    "date": "2015-05-21",
    "date_precision": "day",
    "date_basis": "stated",
    "summary": "Russia offered Iraq military aid.",
    "attributes": {"aid_kind": "military"},
    "actors": [{"actor": "vladimir-putin", "role": "President"}],
}


@pytest.fixture
def auth(db_session: Session) -> dict[str, str]:
    return {"Authorization": make_token(db_session)}


def evidence(
    session: Session, quote: str = "Russia offered visiting Iraqi"
) -> list[dict[str, Any]]:
    first = session.scalar(select(Source.id).order_by(Source.id))
    return [{"source_id": first, "quote": quote}]


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


WRITE_ROUTES = [
    ("post", "/api/v1/facts"),
    ("patch", "/api/v1/facts/1"),
    ("delete", "/api/v1/facts/1"),
    ("post", "/api/v1/sources"),
    ("patch", "/api/v1/sources/1"),
]


@pytest.mark.parametrize(("method", "url"), WRITE_ROUTES)
def test_auth_matrix(client: FlaskClient, db_session: Session, method: str, url: str) -> None:
    call = getattr(client, method)
    r = call(url, json={})
    assert problem(r, 401) and r.headers["WWW-Authenticate"].startswith("Bearer")
    r = call(url, json={}, headers={"Authorization": "Bearer bft_not-a-token"})
    problem(r, 401)
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert problem(call(url, json={}, headers={"Authorization": "Token abc"}), 401)
    revoked = make_token(db_session, "gone")
    from api.services.tokens import revoke_token

    revoke_token(db_session, "gone")
    assert (
        "revoked" in problem(call(url, json={}, headers={"Authorization": revoked}), 401)["detail"]
    )
    reader = make_token(db_session, "reader", ("read",))
    assert "write" in problem(call(url, json={}, headers={"Authorization": reader}), 403)["detail"]
    writer = make_token(db_session, "writer", ("write",))
    r = call(url, json={}, headers={"Authorization": writer})
    assert r.status_code not in (401, 403), r.get_data(as_text=True)


def test_create_a_draft_then_publish_it(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    r = client.post(
        "/api/v1/facts", json={**NEW_FACT, "evidence": evidence(db_session)}, headers=auth
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    body = r.get_json()
    assert body["status"] == "draft" and body["version"] == 1
    assert r.headers["Location"].endswith(f"/api/v1/facts/{body['id']}")
    ev = body["evidence"][0]
    assert (ev["start"], ev["end"], ev["verified"]) == (0, 29, True)
    problem(client.get(f"/api/v1/facts/{body['id']}"), 404)  # drafts are not public
    assert client.get(f"/api/v1/facts/{body['id']}", headers=auth).status_code == 200
    drafts = client.get("/api/v1/facts?status=draft", headers=auth).get_json()["data"]
    assert [f["id"] for f in drafts] == [body["id"]]

    r = client.patch(
        f"/api/v1/facts/{body['id']}",
        json={"status": "published"},
        headers={**auth, "If-Match": r.headers["ETag"]},
    )
    assert r.status_code == 200 and r.get_json()["status"] == "published"
    assert r.get_json()["version"] == 2
    assert client.get(f"/api/v1/facts/{body['id']}").status_code == 200
    fact = db_session.get(Fact, body["id"])
    assert fact is not None and fact.created_by == "curator" and fact.updated_by == "curator"
    actions = db_session.scalars(
        select(Revision.action).where(Revision.entity == "fact", Revision.entity_id == fact.id)
    ).all()
    assert actions == ["create", "publish"]
    token = db_session.scalar(select(ApiToken).where(ApiToken.name == "curator"))
    assert token is not None and token.last_used_at is not None


def test_publishing_needs_verified_evidence(client: FlaskClient, auth: dict[str, str]) -> None:
    body = problem(
        client.post("/api/v1/facts", json={**NEW_FACT, "status": "published"}, headers=auth), 422
    )
    assert "status" in body["errors"]


def test_quote_not_in_the_source_shows_the_closest_passage(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    before = count(db_session, Fact)
    data = {
        **NEW_FACT,
        "evidence": evidence(db_session, "Russia offered visiting Iraqi Prime Minister naval aid"),
    }
    body = problem(client.post("/api/v1/facts", json=data, headers=auth), 422)
    message = body["errors"]["evidence"]["0"]["quote"][0]
    assert (
        "Closest passage" in message and "Russia offered visiting Iraqi Prime Minister" in message
    )
    assert count(db_session, Fact) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subject": "XXX"}, "subject"),
        ({"counterpart": "RUS"}, "counterpart"),
        ({"date": "2015-05"}, "date"),
        ({"value": "5"}, "unit"),
        ({"unit": "USD"}, "unit"),
        ({"attributes": {"aid_kind": "moral"}}, "attributes"),
        ({"attributes": {}}, "attributes"),
        ({"type": "gossip"}, "type"),
        ({"id": 5}, "id"),
        ({"version": 9}, "version"),
        ({"created_at": "2020-01-01T00:00:00Z"}, "created_at"),
        ({"evidence": [{"source_id": 1, "quote": "x", "verified": True}]}, "evidence"),
        ({"actors": [{"actor": "nobody", "role": "President"}]}, "actors"),
        ({"other_parties": ["RUS"]}, "other_parties"),
        ({"value": "1.1234567", "unit": "USD", "value_qualifier": "exact"}, "value"),
    ],
)
def test_validation_errors_name_the_field(
    client: FlaskClient,
    db_session: Session,
    auth: dict[str, str],
    change: dict[str, Any],
    field: str,
) -> None:
    before = count(db_session, Fact)
    body = problem(client.post("/api/v1/facts", json={**NEW_FACT, **change}, headers=auth), 422)
    assert field in body["errors"], body
    assert count(db_session, Fact) == before


def test_media_type_size_and_json_errors(
    app: Any, client: FlaskClient, auth: dict[str, str]
) -> None:
    assert problem(
        client.post(
            "/api/v1/facts",
            data="type=x",
            headers=auth,
            content_type="application/x-www-form-urlencoded",
        ),
        415,
    )
    problem(
        client.post(
            "/api/v1/facts", data="{not json", headers=auth, content_type="application/json"
        ),
        400,
    )
    big = {**NEW_FACT, "summary": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)}
    assert (
        problem(client.post("/api/v1/facts", json=big, headers=auth), 413)["type"]
        == "/problems/too-large"
    )


def test_a_failing_write_leaves_nothing_behind(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    before = (count(db_session, Fact), count(db_session, Evidence), count(db_session, Revision))
    good, bad = evidence(db_session)[0], {"source_id": 2, "quote": "Not in the article at all."}
    problem(
        client.post("/api/v1/facts", json={**NEW_FACT, "evidence": [good, bad]}, headers=auth), 422
    )
    assert (
        count(db_session, Fact),
        count(db_session, Evidence),
        count(db_session, Revision),
    ) == before


def test_if_match_is_required_and_only_one_of_two_editors_wins(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    fact_id = db_session.scalar(select(Fact.id).where(Fact.type == "trade_volume"))
    tag = client.get(f"/api/v1/facts/{fact_id}").headers["ETag"]
    problem(client.patch(f"/api/v1/facts/{fact_id}", json={"summary": "x"}, headers=auth), 428)
    first = client.patch(
        f"/api/v1/facts/{fact_id}",
        json={"summary": "Alice's edit."},
        headers={**auth, "If-Match": tag},
    )
    second = client.patch(
        f"/api/v1/facts/{fact_id}",
        json={"summary": "Bob's edit."},
        headers={**auth, "If-Match": tag},
    )
    assert first.status_code == 200 and first.headers["ETag"] != tag
    problem(second, 412)
    assert client.get(f"/api/v1/facts/{fact_id}").get_json()["summary"] == "Alice's edit."
    retry = client.patch(
        f"/api/v1/facts/{fact_id}",
        json={"summary": "Bob's edit."},
        headers={**auth, "If-Match": first.headers["ETag"]},
    )
    assert retry.status_code == 200 and retry.get_json()["version"] == 3


def test_patch_merges_and_validates_the_whole(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    fact_id = db_session.scalar(select(Fact.id).where(Fact.type == "trade_volume"))
    tag = client.get(f"/api/v1/facts/{fact_id}").headers["ETag"]
    r = client.patch(
        f"/api/v1/facts/{fact_id}", json={"value": "1950000000"}, headers={**auth, "If-Match": tag}
    )
    body = r.get_json()
    assert (body["value"], body["unit"], body["value_qualifier"]) == (
        "1950000000",
        "USD",
        "approximately",
    )
    revision = db_session.scalar(
        select(Revision).where(Revision.entity_id == fact_id, Revision.action == "update")
    )
    assert revision is not None and revision.changes is not None
    assert revision.changes["value"] == {"from": "2000000000", "to": "1950000000"}
    r = client.patch(
        f"/api/v1/facts/{fact_id}",
        json={"date": "2015-07"},
        headers={**auth, "If-Match": r.headers["ETag"]},
    )
    assert r.get_json()["date_precision"] == "month"
    assert problem(
        client.patch(
            f"/api/v1/facts/{fact_id}",
            json={"unit": None},
            headers={**auth, "If-Match": r.headers["ETag"]},
        ),
        422,
    )["errors"]["unit"]


def test_delete_retracts_and_public_reads_get_410(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    fact_id = db_session.scalar(select(Fact.id).where(Fact.type == "phone_call"))
    tag = client.get(f"/api/v1/facts/{fact_id}").headers["ETag"]
    problem(client.delete(f"/api/v1/facts/{fact_id}", headers=auth), 428)
    r = client.delete(f"/api/v1/facts/{fact_id}", headers={**auth, "If-Match": tag})
    assert r.status_code == 200 and r.get_json()["status"] == "retracted"
    gone = problem(client.get(f"/api/v1/facts/{fact_id}"), 410)
    assert gone["history"].endswith(f"/api/v1/facts/{fact_id}/history")
    history = client.get(f"/api/v1/facts/{fact_id}/history").get_json()["data"]
    assert [h["action"] for h in history] == ["create", "retract"]
    # The public sees that it was retracted, not by whom (a token holder does).
    assert history[-1]["author"] is None
    assert history[-1]["snapshot"] == {"id": fact_id, "status": "retracted"}
    full = client.get(f"/api/v1/facts/{fact_id}/history", headers=auth).get_json()["data"]
    assert full[-1]["author"] == "curator" and full[-1]["snapshot"]["summary"]
    assert fact_id not in [
        f["id"] for f in client.get("/api/v1/facts?type=phone_call").get_json()["data"]
    ]
    assert client.get(f"/api/v1/facts/{fact_id}", headers=auth).get_json()["status"] == "retracted"
    problem(
        client.patch(
            f"/api/v1/facts/{fact_id}",
            json={"summary": "x"},
            headers={**auth, "If-Match": r.headers["ETag"]},
        ),
        409,
    )


def test_idempotency_key_replays_the_first_answer(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    data = {**NEW_FACT, "evidence": evidence(db_session)}
    headers = {**auth, "Idempotency-Key": "abc-123"}
    first = client.post("/api/v1/facts", json=data, headers=headers)
    before = count(db_session, Fact)
    again = client.post("/api/v1/facts", json=data, headers=headers)
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(db_session, Fact) == before
    problem(client.post("/api/v1/facts", json={**data, "summary": "Other."}, headers=headers), 422)
    other = client.post("/api/v1/facts", json=data, headers={**auth, "Idempotency-Key": "abc-124"})
    assert other.status_code == 201 and other.get_json()["id"] != first.get_json()["id"]


@pytest.mark.parametrize("name", SEEDS)
def test_ingest_each_seed_layout_over_http(bare_app: Any, bare_session: Session, name: str) -> None:
    client = bare_app.test_client()
    auth = {"Authorization": make_token(bare_session)}
    raw = (ARTICLES / name).read_bytes()
    r = client.post(
        "/api/v1/sources?outlet=Wire", data=raw, headers={**auth, "Content-Type": "text/plain"}
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    body = r.get_json()
    assert body["outlet"] == "Wire" and body["body"] in raw.decode()
    assert client.get(f"/api/v1/sources/{body['id']}?include=raw").get_json()["raw"] == raw.decode()
    again = client.post("/api/v1/sources", data=raw, headers={**auth, "Content-Type": "text/plain"})
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]


def test_near_duplicate_over_http(bare_app: Any, bare_session: Session) -> None:
    client = bare_app.test_client()
    auth = {"Authorization": make_token(bare_session)}
    first = client.post(
        "/api/v1/sources", json={"body": read_seed("001_"), "outlet": "Reuters"}, headers=auth
    )
    second = client.post(
        "/api/v1/sources",
        json={"body": read_seed("000_"), "title": "Russia offers aid"},
        headers=auth,
    )
    assert first.status_code == 201 and second.status_code == 201
    assert second.get_json()["canonical_id"] == first.get_json()["id"]
    assert first.get_json()["published"] == "2015-05-21"
    bad = problem(
        client.post(
            "/api/v1/sources", data=b"\xff\xfe", headers={**auth, "Content-Type": "text/plain"}
        ),
        422,
    )
    assert "UTF-8" in bad["detail"]
    problem(
        client.post("/api/v1/sources", json={"body": "x", "sha256": "f" * 64}, headers=auth), 422
    )
    problem(client.post("/api/v1/sources", json={"body": "   "}, headers=auth), 422)


def test_patch_source_metadata_never_text(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    r = client.get("/api/v1/sources/3")
    tag = r.headers["ETag"]
    problem(
        client.patch("/api/v1/sources/3", json={"url": "https://example.org/a"}, headers=auth), 428
    )
    assert problem(
        client.patch("/api/v1/sources/3", json={"body": "new"}, headers={**auth, "If-Match": tag}),
        422,
    )
    r = client.patch(
        "/api/v1/sources/3",
        json={"url": "https://example.org/a", "published": "2016-02"},
        headers={**auth, "If-Match": tag},
    )
    assert r.status_code == 200
    assert (r.get_json()["url"], r.get_json()["published"], r.get_json()["version"]) == (
        "https://example.org/a",
        "2016-02",
        2,
    )
    problem(
        client.patch("/api/v1/sources/3", json={"title": "x"}, headers={**auth, "If-Match": tag}),
        412,
    )
    # Facts citing the source now carry a new ETag: their representation changed.
    fact_id = db_session.scalar(select(Evidence.fact_id).where(Evidence.source_id == 3))
    sources = client.get(f"/api/v1/facts/{fact_id}").get_json()["sources"]
    assert {"id": 3, "url": "https://example.org/a"}.items() <= next(
        s for s in sources if s["id"] == 3
    ).items()


def test_as_of_reads_the_past(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    fact_id = db_session.scalar(select(Fact.id).where(Fact.type == "trade_volume"))
    time.sleep(0.01)
    between = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    time.sleep(0.01)
    tag = client.get(f"/api/v1/facts/{fact_id}").headers["ETag"]
    client.patch(
        f"/api/v1/facts/{fact_id}", json={"summary": "Revised."}, headers={**auth, "If-Match": tag}
    )
    assert client.get(f"/api/v1/facts/{fact_id}").get_json()["summary"] == "Revised."
    past = client.get(f"/api/v1/facts/{fact_id}?as_of={between}").get_json()
    assert past["summary"].startswith("Russia-Iraq trade") and past["version"] == 1
    listed = client.get(f"/api/v1/facts?as_of={between}&type=trade_volume").get_json()["data"]
    assert [f["summary"] for f in listed] == [past["summary"]]
    problem(client.get(f"/api/v1/facts/{fact_id}?as_of=1999-01-01T00:00:00Z"), 404)
    problem(client.get(f"/api/v1/facts/{fact_id}?as_of=yesterday"), 400)
