"""GET /api/v1/facts and /api/v1/facts/{id}."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Fact
from api.schemas.output import FactDetailSchema, FactListSchema
from tests.conftest import problem


def test_dyad_lists_the_curated_facts_each_with_evidence(client: FlaskClient) -> None:
    r = client.get("/api/v1/facts?dyad=RUS,IRQ")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    body = r.get_json()
    assert FactListSchema().validate(body) == {}
    assert len(body["data"]) >= 20
    for fact in body["data"]:
        assert {fact["subject"], fact["counterpart"]} == {"RUS", "IRQ"}
        assert fact["evidence"] and all(ev["verified"] for ev in fact["evidence"])
    dates = [f["date_start"] for f in body["data"]]
    assert dates == sorted(dates, reverse=True)
    assert body["meta"] == {"limit": 50}
    assert body["links"] == {"self": "http://localhost/api/v1/facts?dyad=RUS,IRQ", "next": None}


def test_dyad_is_unordered_and_codes_are_case_insensitive(client: FlaskClient) -> None:
    a = client.get("/api/v1/facts?dyad=RUS,IRQ").get_json()["data"]
    b = client.get("/api/v1/facts?dyad=irq,rus").get_json()["data"]
    assert [f["id"] for f in a] == [f["id"] for f in b]


def test_filters_by_type_subject_counterpart_and_party(
    client: FlaskClient, db_session: Session
) -> None:
    data = client.get("/api/v1/facts?type=trade_volume").get_json()["data"]
    assert [f["type"] for f in data] == ["trade_volume"]
    assert data[0]["value"] == "2000000000" and data[0]["value_qualifier"] == "approximately"

    two = client.get("/api/v1/facts?type=phone_call,diplomatic_visit").get_json()["data"]
    assert {f["type"] for f in two} == {"phone_call", "diplomatic_visit"}
    repeated = client.get("/api/v1/facts?type=phone_call&type=diplomatic_visit").get_json()["data"]
    assert [f["id"] for f in repeated] == [f["id"] for f in two]

    irq_first = client.get("/api/v1/facts?subject=IRQ").get_json()["data"]
    assert irq_first and all(f["subject"] == "IRQ" for f in irq_first)
    to_opec = client.get("/api/v1/facts?counterpart=OPEC").get_json()["data"]
    assert to_opec and all(f["counterpart"] == "OPEC" for f in to_opec)

    syria = client.get("/api/v1/facts?party=SYR").get_json()["data"]
    expected = {
        f.id
        for f in db_session.scalars(select(Fact))
        if "SYR" in {f.subject, f.counterpart, *(p.party_code for p in f.other_parties)}
    }
    assert expected and {f["id"] for f in syria} == expected


def test_limit_caps_the_page(client: FlaskClient) -> None:
    body = client.get("/api/v1/facts?limit=3").get_json()
    assert len(body["data"]) == 3 and body["meta"]["limit"] == 3


def test_drafts_are_not_public(client: FlaskClient, db_session: Session) -> None:
    fact = db_session.scalar(select(Fact).where(Fact.type == "trade_volume"))
    assert fact is not None
    fact.status = "draft"
    db_session.flush()
    assert client.get("/api/v1/facts?type=trade_volume").get_json()["data"] == []
    problem(client.get(f"/api/v1/facts/{fact.id}"), 404)


def test_one_fact_has_evidence_sources_and_actors(client: FlaskClient, db_session: Session) -> None:
    fact = db_session.scalar(select(Fact).where(Fact.key == "rus-irq-2015-05-21-aid-offer"))
    assert fact is not None
    r = client.get(f"/api/v1/facts/{fact.id}")
    assert r.status_code == 200
    body = r.get_json()
    assert FactDetailSchema().validate(body) == {}
    assert body["type"] == "aid_offer" and body["date"] == "2015-05-21"
    assert {ev["source_id"] for ev in body["evidence"]} == {s["id"] for s in body["sources"]}
    assert len(body["sources"]) == 2
    assert {s["outlet"] for s in body["sources"]} == {"Reuters"}
    copy = [s for s in body["sources"] if s["canonical_id"]]
    assert len(copy) == 1
    assert {a["key"] for a in body["actors"]} >= {"vladimir-putin"}
    ev = body["evidence"][0]
    assert {"quote", "start", "end", "verified"} <= set(ev)


def test_bad_parameters_are_400_problems_naming_them(client: FlaskClient) -> None:
    cases = {
        "/api/v1/facts?colour=red": "colour",
        "/api/v1/facts?type=gossip": "type",
        "/api/v1/facts?limit=0": "limit",
        "/api/v1/facts?limit=501": "limit",
        "/api/v1/facts?limit=ten": "limit",
        "/api/v1/facts?dyad=RUS": "dyad",
        "/api/v1/facts?dyad=RUS,RUS": "dyad",
        "/api/v1/facts?subject=R;DROP": "subject",
        "/api/v1/facts/1?x=1": "x",
    }
    for url, name in cases.items():
        body = problem(client.get(url), 400)
        assert name in body["errors"], url
        if name in ("colour", "x"):
            assert body["errors"][name][0].startswith("Unknown parameter. Allowed: ")
        assert name in body["detail"]


def test_unknown_fact_and_unknown_route_are_404_problems(client: FlaskClient) -> None:
    assert problem(client.get("/api/v1/facts/999999"), 404)["type"] == "/problems/not-found"
    problem(client.get("/api/v1/nothing-here"), 404)


def test_wrong_method_is_405_problem(client: FlaskClient) -> None:
    r = client.put("/api/v1/facts/1")
    problem(r, 405)
    assert "GET" in r.headers["Allow"]
