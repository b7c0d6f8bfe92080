"""Curator ranks: preferred, normal, deprecated, with a reason; what aggregates make of them."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import problem
from tests.factories import make_fact, make_token


def _auth(db_session: Session) -> dict[str, str]:
    return {"Authorization": make_token(db_session, scopes=("write",))}


def _patch(client: FlaskClient, auth: dict[str, str], fact_id: int, body: dict[str, Any]) -> Any:
    tag = client.get(f"/api/v1/facts/{fact_id}", headers=auth).headers["ETag"]
    return client.patch(f"/api/v1/facts/{fact_id}", json=body, headers={**auth, "If-Match": tag})


def _trade(db_session: Session, value: str, qualifier: str, date: str) -> int:
    fact = make_fact(
        db_session,
        type="trade_volume",
        subject="RUS",
        counterpart="IRQ",
        date=date,
        date_precision="year",
        date_basis="inferred",
        value=value,
        unit="USD",
        value_qualifier=qualifier,
        attributes={"flow": "total"},
        summary=f"Trade of {value} USD.",
    )
    return fact.id


def test_facts_are_normal_by_default(client: FlaskClient) -> None:
    fact = client.get("/api/v1/facts/1").get_json()
    assert fact["rank"] == "normal" and fact["rank_reason"] is None


def test_a_rank_is_an_edit_with_a_reason_a_version_and_a_revision(
    client: FlaskClient, db_session: Session
) -> None:
    auth = _auth(db_session)
    before = client.get("/api/v1/facts/1").get_json()
    r = _patch(
        client, auth, 1, {"rank": "deprecated", "rank_reason": "A later report corrects it."}
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    after = r.get_json()
    assert after["rank"] == "deprecated" and after["version"] == before["version"] + 1
    assert after["rank_reason"] == "A later report corrects it."
    history = client.get("/api/v1/facts/1/history").get_json()["data"]
    assert history[-1]["action"] == "update" and "rank" in str(history[-1]["changes"])
    assert history[-1]["snapshot"]["rank"] == "deprecated"
    # Deprecated facts stay readable.
    assert client.get("/api/v1/facts/1").status_code == 200


def test_a_rank_needs_if_match(client: FlaskClient, db_session: Session) -> None:
    r = client.patch("/api/v1/facts/1", json={"rank": "preferred"}, headers=_auth(db_session))
    problem(r, 428)


def test_preferred_and_deprecated_need_a_reason(client: FlaskClient, db_session: Session) -> None:
    auth = _auth(db_session)
    for rank in ("preferred", "deprecated"):
        body = problem(_patch(client, auth, 1, {"rank": rank}), 422)
        assert "rank_reason" in str(body)
    assert client.get("/api/v1/facts/1").get_json()["rank"] == "normal"  # nothing written


def test_an_unknown_rank_is_refused(client: FlaskClient, db_session: Session) -> None:
    auth = _auth(db_session)
    for rank in ("best", "", None, 1):
        r = _patch(client, auth, 1, {"rank": rank, "rank_reason": "x"})
        assert r.status_code in (400, 422), (rank, r.status_code)
        assert r.headers["Content-Type"] == "application/problem+json"


def test_the_summary_uses_the_preferred_value_and_says_so(
    client: FlaskClient, db_session: Session
) -> None:
    auth = _auth(db_session)
    old = _trade(db_session, "3100000000", "exact", "2014")
    new = _trade(db_session, "2000000000", "approximately", "2016")
    summary = client.get("/api/v1/dyads/RUS/IRQ").get_json()
    latest = summary["latest_values"]["trade_volume"]
    assert latest["fact_id"] == new and latest["chosen"] == "latest"
    assert (
        _patch(client, auth, old, {"rank": "preferred", "rank_reason": "Customs data."}).status_code
        == 200
    )
    latest = client.get("/api/v1/dyads/RUS/IRQ").get_json()["latest_values"]["trade_volume"]
    assert latest["fact_id"] == old and latest["chosen"] == "preferred"
    assert latest["rank"] == "preferred" and latest["value"] == "3100000000"


def test_deprecated_facts_leave_aggregates_unless_asked(
    client: FlaskClient, db_session: Session
) -> None:
    auth = _auth(db_session)
    fact_id = _trade(db_session, "9000000000", "exact", "2019")
    before = client.get("/api/v1/dyads/RUS/IRQ").get_json()
    timeline = client.get("/api/v1/dyads/RUS/IRQ/timeline?type=trade_volume").get_json()
    assert (
        _patch(
            client, auth, fact_id, {"rank": "deprecated", "rank_reason": "Typo in the source."}
        ).status_code
        == 200
    )
    after = client.get("/api/v1/dyads/RUS/IRQ").get_json()
    assert after["fact_count"] == before["fact_count"] - 1
    assert after["by_type"].get("trade_volume", 0) == before["by_type"]["trade_volume"] - 1
    assert after["deprecated_count"] == 1 and after["include_deprecated"] is False
    assert after["latest_values"].get("trade_volume", {}).get("fact_id") != fact_id
    everything = client.get("/api/v1/dyads/RUS/IRQ?include_deprecated=true").get_json()
    assert everything["fact_count"] == before["fact_count"]
    assert everything["deprecated_count"] == 0 and everything["include_deprecated"] is True
    assert everything["latest_values"]["trade_volume"]["fact_id"] == fact_id
    left = client.get("/api/v1/dyads/RUS/IRQ/timeline?type=trade_volume").get_json()
    kept = client.get(
        "/api/v1/dyads/RUS/IRQ/timeline?type=trade_volume&include_deprecated=true"
    ).get_json()
    total = sum(p["count"] for p in timeline["data"])
    assert sum(p["count"] for p in left["data"]) == total - 1
    assert sum(p["count"] for p in kept["data"]) == total
    # The list still shows it, with its rank.
    listed = client.get("/api/v1/facts?type=trade_volume&limit=500").get_json()["data"]
    assert [f["rank"] for f in listed if f["id"] == fact_id] == ["deprecated"]


def test_include_deprecated_must_be_a_boolean(client: FlaskClient) -> None:
    problem(client.get("/api/v1/dyads/RUS/IRQ?include_deprecated=perhaps"), 400)


def test_the_dyad_list_leaves_deprecated_facts_out_unless_asked(
    client: FlaskClient, db_session: Session
) -> None:
    auth = _auth(db_session)

    def count(query: str = "") -> int:
        listed = client.get(f"/api/v1/dyads?party=RUS&limit=500{query}").get_json()["data"]
        return next(d["fact_count"] for d in listed if d["pair"] == "IRQ-RUS")

    fact_id = _trade(db_session, "9000000000", "exact", "2019")
    with_it = count()
    r = _patch(client, auth, fact_id, {"rank": "deprecated", "rank_reason": "Wrong."})
    assert r.status_code == 200
    assert count() == with_it - 1 and count("&include_deprecated=true") == with_it
