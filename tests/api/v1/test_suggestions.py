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
