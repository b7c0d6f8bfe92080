"""Syncing through the change feed, stable evidence ids, and history that leaks no draft."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import Change, Fact
from tests.api.v1.test_writes import NEW_FACT, evidence
from tests.conftest import problem
from tests.factories import make_token


@pytest.fixture
def auth(db_session: Session) -> dict[str, str]:
    return {"Authorization": make_token(db_session)}


def _tag(client: FlaskClient, fact_id: int, auth: dict[str, str]) -> str:
    return client.get(f"/api/v1/facts/{fact_id}", headers=auth).headers["ETag"]


def _patch(client: FlaskClient, fact_id: int, auth: dict[str, str], **changes: Any) -> Any:
    r = client.patch(
        f"/api/v1/facts/{fact_id}",
        json=changes,
        headers={**auth, "If-Match": _tag(client, fact_id, auth)},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def _busy_feed(client: FlaskClient, db_session: Session, auth: dict[str, str]) -> None:
    """Every kind of change: publish, edit, a draft, a retraction, a draft retracted."""
    made = client.post(
        "/api/v1/facts", json={**NEW_FACT, "evidence": evidence(db_session)}, headers=auth
    ).get_json()
    _patch(client, made["id"], auth, status="published")
    _patch(client, made["id"], auth, summary="Russia offered Iraq military aid again.")
    draft = client.post("/api/v1/facts", json={**NEW_FACT, "summary": "A draft."}, headers=auth)
    client.delete(
        f"/api/v1/facts/{draft.get_json()['id']}",
        headers={**auth, "If-Match": draft.headers["ETag"]},
    )
    victim = db_session.scalar(select(Fact.id).where(Fact.type == "agreement"))
    client.delete(
        f"/api/v1/facts/{victim}", headers={**auth, "If-Match": _tag(client, victim, auth)}
    )


@pytest.mark.parametrize("page_size", [1, 2, 7, 500])
def test_syncing_with_any_page_size_reproduces_the_public_state(
    client: FlaskClient, db_session: Session, auth: dict[str, str], page_size: int
) -> None:
    _busy_feed(client, db_session, auth)
    facts: dict[int, dict[str, Any]] = {}
    sources: dict[int, dict[str, Any]] = {}
    links: dict[int, dict[str, Any]] = {}
    since, pages, seen = 0, 0, []
    while True:
        body = client.get(f"/api/v1/changes?since={since}&limit={page_size}").get_json()
        pages += 1
        items, meta = body["data"], body["meta"]
        # The resume point is this page's last seq, never the head of the feed.
        assert meta["last_seq"] == (items[-1]["seq"] if items else since)
        assert meta["since"] == since and meta["head_seq"] >= meta["last_seq"]
        for change in items:
            seen.append(change["seq"])
            if change["entity"] == "source":
                sources[change["id"]] = change["data"]
            elif change["entity"] == "link":
                # Masked (between unpublished facts) or removed: not in the public copy.
                if change["data"]["status"] == "active" and "relation" in change["data"]:
                    links[change["id"]] = change["data"]
                else:
                    links.pop(change["id"], None)
            elif change["entity"] != "fact":
                continue  # an entity this client does not keep (suggestion decisions)
            elif change["data"]["status"] == "published":
                facts[change["id"]] = change["data"]
            else:
                facts.pop(change["id"], None)
        if not meta["has_more"]:
            assert body["links"]["next"] is None and meta["last_seq"] == meta["head_seq"]
            break
        assert body["links"]["next"].endswith(f"since={meta['last_seq']}&limit={page_size}")
        since = meta["last_seq"]
    # Every change was seen once (seqs may have gaps: PostgreSQL sequences skip on rollback).
    total = db_session.scalar(select(func.count()).select_from(Change))
    assert len(seen) == len(set(seen)) == total and seen == sorted(seen)
    assert pages in (-(-total // page_size), total // page_size + 1)
    current = {f["id"]: f for f in client.get("/api/v1/facts?limit=500").get_json()["data"]}
    assert facts == current
    shown = {
        ln["id"]: {k: v for k, v in ln.items() if k not in ("direction", "fact")}
        for i in current
        for ln in client.get(f"/api/v1/facts/{i}").get_json()["links"]
    }
    assert shown and links == shown  # the fixtures' links
    listed = {s["id"]: s for s in client.get("/api/v1/sources?limit=500").get_json()["data"]}
    assert {i: {k: s[k] for k in listed[i]} for i, s in sources.items()} == listed


def test_the_public_feed_masks_unpublished_facts_and_authors(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    _busy_feed(client, db_session, auth)
    changes = client.get("/api/v1/changes?limit=1000").get_json()["data"]
    masked = [c for c in changes if c["entity"] == "fact" and c["data"]["status"] != "published"]
    assert masked and all(set(c["data"]) == {"id", "status"} for c in masked)
    assert all(c["author"] is None for c in changes)
    full = client.get("/api/v1/changes?limit=1000", headers=auth).get_json()["data"]
    assert {c["author"] for c in full} >= {"curator", "fixtures"}


def test_an_empty_page_resumes_where_it_was_asked(client: FlaskClient) -> None:
    head = client.get("/api/v1/changes?limit=1").get_json()["meta"]["head_seq"]
    body = client.get(f"/api/v1/changes?since={head + 5}").get_json()
    assert body["data"] == [] and body["links"]["next"] is None
    assert body["meta"]["last_seq"] == head + 5 and body["meta"]["has_more"] is False


def test_editing_the_summary_keeps_evidence_ids_and_history_lists_only_the_summary(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    fact_id = db_session.scalar(select(Fact.id).where(Fact.type == "phone_call"))
    before = client.get(f"/api/v1/facts/{fact_id}").get_json()
    after = _patch(client, fact_id, auth, summary="A new summary.")
    assert [e["id"] for e in after["evidence"]] == [e["id"] for e in before["evidence"]]
    last = client.get(f"/api/v1/facts/{fact_id}/history", headers=auth).get_json()["data"][-1]
    assert set(last["changes"]) == {"summary", "version", "updated_at"}


def test_adding_evidence_keeps_the_ids_of_the_evidence_already_there(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    made = client.post(
        "/api/v1/facts", json={**NEW_FACT, "evidence": evidence(db_session)}, headers=auth
    ).get_json()
    first = made["evidence"][0]
    more = [
        {"source_id": first["source_id"], "quote": first["quote"], "start": first["start"]},
        evidence(db_session, "Iraqi Prime Minister")[0],
    ]
    after = _patch(client, made["id"], auth, evidence=more)
    assert after["evidence"][0]["id"] == first["id"]
    assert len(after["evidence"]) == 2 and after["evidence"][1]["id"] > first["id"]
    dropped = _patch(client, made["id"], auth, evidence=more[1:])
    assert [e["id"] for e in dropped["evidence"]] == [after["evidence"][1]["id"]]


def test_a_draft_retracted_before_publication_has_no_public_history(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    draft = client.post("/api/v1/facts", json={**NEW_FACT, "summary": "Secret."}, headers=auth)
    fact_id = draft.get_json()["id"]
    client.delete(f"/api/v1/facts/{fact_id}", headers={**auth, "If-Match": draft.headers["ETag"]})
    problem(client.get(f"/api/v1/facts/{fact_id}/history"), 404)
    problem(client.get(f"/api/v1/facts/{fact_id}"), 410)
    full = client.get(f"/api/v1/facts/{fact_id}/history", headers=auth).get_json()["data"]
    assert [h["action"] for h in full] == ["create", "retract"]


def test_public_history_shows_no_draft_stage_revision_and_no_author(
    client: FlaskClient, db_session: Session, auth: dict[str, str]
) -> None:
    draft = client.post(
        "/api/v1/facts",
        json={**NEW_FACT, "summary": "Unvetted draft wording.", "evidence": evidence(db_session)},
        headers=auth,
    ).get_json()
    fact_id = draft["id"]
    _patch(client, fact_id, auth, summary="Still drafting.")
    _patch(client, fact_id, auth, summary="Russia offered Iraq military aid.", status="published")
    _patch(client, fact_id, auth, summary="Russia offered Iraq military aid in 2015.")
    r = client.get(f"/api/v1/facts/{fact_id}/history")
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "Unvetted" not in text and "Still drafting" not in text and "curator" not in text
    shown = json.loads(text)["data"]
    assert [h["action"] for h in shown] == ["publish", "update"]
    assert [h["author"] for h in shown] == [None, None]
    assert shown[0]["changes"] is None
    assert shown[1]["changes"]["summary"] == {
        "from": "Russia offered Iraq military aid.",
        "to": "Russia offered Iraq military aid in 2015.",
    }
    full = client.get(f"/api/v1/facts/{fact_id}/history", headers=auth).get_json()["data"]
    assert [h["action"] for h in full] == ["create", "update", "publish", "update"]
    assert full[0]["author"] == "curator"
