"""Suggested facts: computed when a source is stored, listed for token holders."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Source, Suggestion
from tests.conftest import problem
from tests.factories import make_token

CORPUS_ARTICLE = "bench/suggest_corpus/articles/101_india_russia_s400.txt"


def _source_id(db_session: Session, prefix: str) -> int:
    return db_session.scalars(select(Source.id).where(Source.file_name.startswith(prefix))).one()


def test_suggestions_need_a_token_and_an_existing_source(
    client: FlaskClient, db_session: Session
) -> None:
    source = _source_id(db_session, "000_")
    assert "token" in problem(client.get(f"/api/v1/sources/{source}/suggestions"), 401)["detail"]
    auth = {"Authorization": make_token(db_session, scopes=("read",))}
    problem(client.get("/api/v1/sources/999999/suggestions", headers=auth), 404)
    problem(client.get(f"/api/v1/sources/{source}/suggestions?limit=5", headers=auth), 400)


def test_a_stored_source_has_suggestions_whose_spans_are_its_own_text(
    client: FlaskClient, db_session: Session
) -> None:
    source_id = _source_id(db_session, "001_")  # the wire copy, hard-wrapped
    auth = {"Authorization": make_token(db_session, scopes=("read",))}
    r = client.get(f"/api/v1/sources/{source_id}/suggestions", headers=auth)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-cache"
    doc = r.get_json()
    assert doc["meta"]["total"] == len(doc["data"]) > 0
    body = client.get(f"/api/v1/sources/{source_id}").get_json()["body"]
    for item in doc["data"]:
        assert item["status"] == "open" and 0 < item["confidence"] <= 1
        for ev in item["fact"]["evidence"]:
            assert body[ev["start"] : ev["end"]] == ev["quote"]
        for cue in item["cues"]:
            assert cue["start"] is None or body[cue["start"] : cue["end"]] == cue["text"]
    aid = [i["fact"] for i in doc["data"] if i["fact"]["type"] == "aid_offer"]
    assert any(
        (f["subject"], f["counterpart"], f["date"], f["attributes"]["aid_kind"])
        == ("RUS", "IRQ", "2015-05-21", "military")
        for f in aid
    )
    confidences = [i["confidence"] for i in doc["data"]]
    assert confidences == sorted(confidences, reverse=True)


def test_posting_an_article_links_to_its_suggestions(
    client: FlaskClient, db_session: Session
) -> None:
    token = make_token(db_session, scopes=("write",))
    with open(CORPUS_ARTICLE, encoding="utf-8") as f:
        text = f.read()
    r = client.post(
        "/api/v1/sources",
        data=text.encode(),
        headers={"Authorization": token, "Content-Type": "text/plain"},
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    link = r.headers["Link"]
    assert link.endswith('>; rel="suggestions"')
    url = link[1 : link.index(">")]
    listed = client.get(url, headers={"Authorization": token}).get_json()["data"]
    arms = [i["fact"] for i in listed if i["fact"]["type"] == "arms_transfer"]
    assert any((f["subject"], f["counterpart"]) == ("RUS", "IND") for f in arms)
    assert any(f["value"] == "5000000000" and f["value_qualifier"] == "at_least" for f in arms)
    stored = db_session.scalars(
        select(Suggestion).where(Suggestion.source_id == r.get_json()["id"])
    ).all()
    assert len(stored) == len(listed)


def _open_suggestions(client: FlaskClient, source_id: int, auth: dict[str, str]) -> list[dict]:
    listed = client.get(f"/api/v1/sources/{source_id}/suggestions", headers=auth).get_json()
    return [i for i in listed["data"] if i["status"] == "open"]


def _base(source_id: int, sid: int) -> str:
    return f"/api/v1/sources/{source_id}/suggestions/{sid}"


def test_accepting_a_suggestion_makes_a_draft_with_its_fields_and_verified_spans(
    client: FlaskClient, db_session: Session
) -> None:
    source_id = _source_id(db_session, "001_")
    auth = {"Authorization": make_token(db_session)}
    item = _open_suggestions(client, source_id, auth)[0]
    r = client.post(_base(source_id, item["id"]) + "/accept", headers=auth)  # no body at all
    assert r.status_code == 201, r.get_data(as_text=True)
    fact = r.get_json()
    assert r.headers["Location"].endswith(f"/api/v1/facts/{fact['id']}") and r.headers["ETag"]
    assert fact["status"] == "draft"
    for name in ("type", "subject", "counterpart", "date", "date_precision", "summary"):
        assert fact[name] == item["fact"][name]
    assert [(e["source_id"], e["quote"], e["start"], e["end"]) for e in fact["evidence"]] == [
        (source_id, e["quote"], e["start"], e["end"]) for e in item["fact"]["evidence"]
    ]
    assert all(e["verified"] for e in fact["evidence"])
    after = client.get(_base(source_id, item["id"]), headers=auth)
    decided = after.get_json()
    assert (decided["status"], decided["fact_id"], decided["version"]) == (
        "accepted",
        fact["id"],
        2,
    )
    assert decided["overrides"] == [] and decided["decided_by"] == "curator"
    # The draft is no one's but token holders'; publishing it is an ordinary PATCH.
    problem(client.get(f"/api/v1/facts/{fact['id']}"), 404)
    published = client.patch(
        f"/api/v1/facts/{fact['id']}",
        json={"status": "published"},
        headers={**auth, "If-Match": r.headers["ETag"]},
    )
    assert published.status_code == 200, published.get_data(as_text=True)
    assert client.get(f"/api/v1/facts/{fact['id']}").status_code == 200


def test_accept_overrides_merge_like_a_patch_and_are_recorded(
    client: FlaskClient, db_session: Session
) -> None:
    source_id = _source_id(db_session, "000_")
    auth = {"Authorization": make_token(db_session)}
    item = _open_suggestions(client, source_id, auth)[0]
    changes = {"date": "2015-05", "date_basis": "inferred", "summary": "A curator's summary."}
    r = client.post(_base(source_id, item["id"]) + "/accept", json=changes, headers=auth)
    assert r.status_code == 201, r.get_data(as_text=True)
    fact = r.get_json()
    assert (fact["date"], fact["date_precision"], fact["summary"]) == (
        "2015-05",
        "month",
        "A curator's summary.",
    )
    decided = client.get(_base(source_id, item["id"]), headers=auth).get_json()
    assert set(decided["overrides"]) >= {"date", "summary"}
    assert "type" not in decided["overrides"]


def test_a_bad_override_is_a_422_and_leaves_the_suggestion_open(
    client: FlaskClient, db_session: Session
) -> None:
    source_id = _source_id(db_session, "000_")
    auth = {"Authorization": make_token(db_session)}
    item = _open_suggestions(client, source_id, auth)[0]
    url = _base(source_id, item["id"]) + "/accept"
    bad_quote = {"evidence": [{"source_id": source_id, "quote": "words not in the article"}]}
    body = problem(client.post(url, json=bad_quote, headers=auth), 422)
    assert "evidence" in body["errors"]
    problem(client.post(url, json={"subject": "XXX"}, headers=auth), 422)
    problem(client.post(url, json={"status": "published"}, headers=auth), 422)
    problem(client.post(url, json={"colour": "red"}, headers=auth), 422)
    problem(client.post(url, data="x", headers={**auth, "Content-Type": "text/plain"}), 415)
    problem(client.post(url, data="{", headers={**auth, "Content-Type": "application/json"}), 400)
    still = client.get(_base(source_id, item["id"]), headers=auth).get_json()
    assert (still["status"], still["fact_id"], still["version"]) == ("open", None, 1)
    facts = client.get("/api/v1/facts?status=draft&limit=500", headers=auth).get_json()
    assert all(f["summary"] != item["fact"]["summary"] for f in facts["data"])


def test_a_decided_suggestion_answers_409_and_a_replayed_key_the_first_answer(
    client: FlaskClient, db_session: Session
) -> None:
    source_id = _source_id(db_session, "002_")
    auth = {"Authorization": make_token(db_session)}
    first, second = _open_suggestions(client, source_id, auth)[:2]
    url = _base(source_id, first["id"]) + "/accept"
    keyed = {**auth, "Idempotency-Key": "accept-once"}
    r1 = client.post(url, headers=keyed)
    assert r1.status_code == 201
    r2 = client.post(url, headers=keyed)
    assert r2.status_code == 201 and r2.headers["Idempotent-Replayed"] == "true"
    assert r2.get_json()["id"] == r1.get_json()["id"]
    again = problem(client.post(url, headers=auth), 409)
    assert again["decision"] == "accepted"
    assert again["fact"].endswith(f"/api/v1/facts/{r1.get_json()['id']}")
    problem(client.post(_base(source_id, first["id"]) + "/reject", headers=auth), 409)
    rejected = client.post(
        _base(source_id, second["id"]) + "/reject", json={"reason": "Not a fact."}, headers=auth
    )
    assert rejected.status_code == 200
    doc = rejected.get_json()
    assert (doc["status"], doc["reason"], doc["fact_id"]) == ("rejected", "Not a fact.", None)
    assert rejected.headers["ETag"] and rejected.headers["Location"].endswith(
        _base(source_id, second["id"])
    )
    assert (
        problem(client.post(_base(source_id, second["id"]) + "/accept", headers=auth), 409)[
            "decision"
        ]
        == "rejected"
    )


def test_decisions_need_a_write_token_and_a_suggestion_of_that_source(
    client: FlaskClient, db_session: Session
) -> None:
    source_id = _source_id(db_session, "000_")
    other = _source_id(db_session, "003_")
    read = {"Authorization": make_token(db_session, "reader", scopes=("read",))}
    item = _open_suggestions(client, source_id, read)[0]
    url = _base(source_id, item["id"])
    problem(client.post(url + "/accept"), 401)
    problem(client.post(url + "/accept", headers=read), 403)
    problem(client.post(url + "/reject", headers=read), 403)
    problem(client.get(url), 401)
    write = {"Authorization": make_token(db_session)}
    problem(client.post(_base(other, item["id"]) + "/accept", headers=write), 404)
    problem(client.get(_base(other, item["id"]), headers=write), 404)
    problem(client.post(_base(source_id, 2147483647) + "/reject", headers=write), 404)
    problem(client.post(url + "/reject", json={"reason": ""}, headers=write), 422)


def test_decisions_are_revisions_and_masked_rows_of_the_public_feed(
    client: FlaskClient, db_session: Session
) -> None:
    source_id = _source_id(db_session, "003_")
    auth = {"Authorization": make_token(db_session)}
    since = client.get("/api/v1/changes?since=0&limit=1").get_json()["meta"]["head_seq"]
    first, second = _open_suggestions(client, source_id, auth)[:2]
    fact = client.post(_base(source_id, first["id"]) + "/accept", headers=auth).get_json()
    client.post(_base(source_id, second["id"]) + "/reject", json={"reason": "Wrong."}, headers=auth)
    full = client.get(f"/api/v1/changes?since={since}", headers=auth).get_json()["data"]
    assert [(c["entity"], c["id"], c["action"]) for c in full] == [
        ("fact", fact["id"], "create"),
        ("suggestion", first["id"], "accept"),
        ("suggestion", second["id"], "reject"),
    ]
    assert full[1]["data"]["fact_id"] == fact["id"] and full[1]["author"] == "curator"
    assert full[2]["data"]["reason"] == "Wrong." and full[2]["version"] == 2
    public = client.get(f"/api/v1/changes?since={since}").get_json()["data"]
    assert [c["data"] for c in public] == [
        {"id": fact["id"], "status": "draft"},
        {"id": first["id"], "status": "accepted"},
        {"id": second["id"], "status": "rejected"},
    ]
    assert all(c["author"] is None for c in public)


def test_stats_count_decisions_per_type_and_per_cue(
    client: FlaskClient, db_session: Session
) -> None:
    auth = {"Authorization": make_token(db_session)}
    empty = client.get("/api/v1/suggestions/stats", headers=auth).get_json()["data"]
    assert empty["accepted"] == empty["rejected"] == 0 and empty["precision"] is None
    assert empty["open"] == empty["total"] > 0 and empty["by_cue"] == []
    problem(client.get("/api/v1/suggestions/stats"), 401)
    problem(client.get("/api/v1/suggestions/stats?sort=x", headers=auth), 400)
    source_id = _source_id(db_session, "000_")
    one, two, three = _open_suggestions(client, source_id, auth)[:3]
    client.post(_base(source_id, one["id"]) + "/accept", headers=auth)
    client.post(_base(source_id, two["id"]) + "/accept", json={"summary": "Changed."}, headers=auth)
    client.post(_base(source_id, three["id"]) + "/reject", headers=auth)
    stats = client.get("/api/v1/suggestions/stats", headers=auth).get_json()["data"]
    assert (stats["accepted"], stats["rejected"], stats["open"]) == (2, 1, empty["total"] - 3)
    assert stats["precision"] == round(2 / 3, 3)
    assert sum(t["accepted"] for t in stats["by_type"]) == 2
    assert sum(t["rejected"] for t in stats["by_type"]) == 1
    cue = {(c["field"], c["why"]): c for c in stats["by_cue"]}
    type_cue = next(
        k for k in cue if k[0] == "type" and k in {(c["field"], c["why"]) for c in one["cues"]}
    )
    assert cue[type_cue]["accepted"] >= 1
    for c in stats["by_cue"]:
        decided = c["accepted"] + c["corrected"] + c["rejected"]
        assert decided > 0 and c["precision"] == round(c["accepted"] / decided, 3)
    assert (
        client.get("/api/v1/suggestions/stats?extractor=none", headers=auth).get_json()["data"][
            "total"
        ]
        == 0
    )
