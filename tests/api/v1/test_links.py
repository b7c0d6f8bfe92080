"""Typed links between facts: the rules, the item's links both ways, filters, the chain,
revisions and the change feed, and the links the fixtures make."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Fact
from tests.conftest import problem
from tests.factories import make_fact, make_token


def _id(db_session: Session, key: str) -> int:
    found = db_session.scalar(select(Fact.id).where(Fact.key == key))
    assert found is not None, key
    return found


OFFER_2015 = "rus-irq-2015-05-21-aid-offer"
AID_2016 = "rus-irq-2016-02-11-military-aid-offer"
EQUIPMENT_2016 = "rus-irq-2016-02-11-military-equipment"


def _auth(db_session: Session) -> dict[str, str]:
    return {"Authorization": make_token(db_session, scopes=("write",))}


def _link(client: FlaskClient, auth: dict[str, str], from_id: int, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/facts/{from_id}/links", json=body, headers=auth)


def test_the_fixtures_link_the_2015_offer_to_its_2016_follow_ups(
    client: FlaskClient, db_session: Session
) -> None:
    offer = _id(db_session, OFFER_2015)
    item = client.get(f"/api/v1/facts/{offer}").get_json()
    incoming = {(ln["relation"], ln["fact"]["id"], ln["direction"]) for ln in item["links"]}
    assert incoming == {
        ("follows_up", _id(db_session, AID_2016), "incoming"),
        ("follows_up", _id(db_session, EQUIPMENT_2016), "incoming"),
    }
    later = client.get(f"/api/v1/facts/{_id(db_session, AID_2016)}").get_json()
    assert [(ln["relation"], ln["to_fact_id"], ln["direction"]) for ln in later["links"]] == [
        ("follows_up", offer, "outgoing")
    ]
    chain = client.get(f"/api/v1/facts/{_id(db_session, AID_2016)}/chain").get_json()["data"]
    assert chain[0]["id"] == offer and chain[0]["date"] == "2015-05-21"
    assert {s["id"] for s in chain[1:]} == {
        _id(db_session, AID_2016),
        _id(db_session, EQUIPMENT_2016),
    }


def test_a_link_is_made_read_filtered_and_removed(client: FlaskClient, db_session: Session) -> None:
    auth = _auth(db_session)
    a = make_fact(db_session, date="2019-03-01", summary="Delivered.").id
    b = make_fact(db_session, date="2018-01-01", summary="Offered.").id
    r = _link(client, auth, a, {"relation": "fulfils", "to": b, "note": "The same helicopters."})
    assert r.status_code == 201, r.get_data(as_text=True)
    link = r.get_json()
    assert link["relation"] == "fulfils" and link["status"] == "active"
    assert link["created_by"] == "curator" and r.headers["Location"].endswith(
        f"/facts/{a}/links/{link['id']}"
    )
    # Both ways, on the items and the link lists.
    assert [ln["id"] for ln in client.get(f"/api/v1/facts/{b}").get_json()["links"]] == [link["id"]]
    assert client.get(f"/api/v1/facts/{a}/links").get_json()["data"][0]["fact"]["id"] == b
    # Filters.
    ids = lambda q: [f["id"] for f in client.get(f"/api/v1/facts?{q}&limit=500").get_json()["data"]]  # noqa: E731
    assert ids(f"linked_to={b}") == [a]
    assert ids(f"linked_to={b}&relation=fulfils") == [a]
    assert ids(f"linked_to={b}&relation=contradicts") == []
    assert set(ids("relation=fulfils")) == {a, b}
    # The chain: offer, then delivery.
    chain = client.get(f"/api/v1/facts/{a}/chain").get_json()["data"]
    assert [s["id"] for s in chain] == [b, a]
    # Revisions and the feed.
    feed = client.get("/api/v1/changes?since=0&limit=1000", headers=auth).get_json()["data"]
    made = [c for c in feed if c["entity"] == "link" and c["id"] == link["id"]]
    assert [c["action"] for c in made] == ["create"] and made[0]["data"]["relation"] == "fulfils"
    # Removing needs If-Match.
    item_url = f"/api/v1/facts/{a}/links/{link['id']}"
    problem(client.delete(item_url, headers=auth), 428)
    problem(client.delete(item_url, headers={**auth, "If-Match": '"stale"'}), 412)
    tag = client.get(item_url).headers["ETag"]
    gone = client.delete(item_url, headers={**auth, "If-Match": tag})
    assert gone.status_code == 200 and gone.get_json()["status"] == "removed"
    assert gone.get_json()["removed_by"] == "curator"
    assert client.get(f"/api/v1/facts/{a}").get_json()["links"] == []
    assert ids(f"linked_to={b}") == []
    feed = client.get("/api/v1/changes?since=0&limit=1000", headers=auth).get_json()["data"]
    assert [c["action"] for c in feed if c["entity"] == "link" and c["id"] == link["id"]] == [
        "create",
        "remove",
    ]
    # Once removed, it can be made again.
    assert _link(client, auth, a, {"relation": "fulfils", "to": b}).status_code == 201


def test_links_change_the_items_etag(client: FlaskClient, db_session: Session) -> None:
    auth = _auth(db_session)
    a = make_fact(db_session, summary="A.").id
    b = make_fact(db_session, summary="B.").id
    before = client.get(f"/api/v1/facts/{b}").headers["ETag"]
    assert _link(client, auth, a, {"relation": "same_event", "to": b}).status_code == 201
    r = client.get(f"/api/v1/facts/{b}", headers={"If-None-Match": before})
    assert r.status_code == 200 and r.headers["ETag"] != before and r.get_json()["links"]


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"relation": "inspired", "to": 1}, 422, "relation"),
        ({"relation": "fulfils"}, 422, "to"),
        ({"relation": "fulfils", "to": 999999}, 422, "to"),
        ({"relation": "fulfils", "to": "2"}, 422, "to"),
        ({"relation": "fulfils", "to": 2, "extra": 1}, 422, "extra"),
    ],
)
def test_bad_links_are_refused(
    client: FlaskClient, db_session: Session, body: dict[str, Any], status: int, field: str
) -> None:
    found = problem(_link(client, _auth(db_session), 1, body), status)
    assert field in found["errors"], found


def test_no_self_links_no_cycles_no_early_fulfilment(
    client: FlaskClient, db_session: Session
) -> None:
    auth = _auth(db_session)
    a = make_fact(db_session, date="2015-01-01").id
    b = make_fact(db_session, date="2016-01-01").id
    c = make_fact(db_session, date="2017-01-01").id
    assert "to" in problem(_link(client, auth, a, {"relation": "part_of", "to": a}), 422)["errors"]
    assert _link(client, auth, c, {"relation": "supersedes", "to": b}).status_code == 201
    assert _link(client, auth, b, {"relation": "supersedes", "to": a}).status_code == 201
    cycle = problem(_link(client, auth, a, {"relation": "supersedes", "to": c}), 422)
    assert "cycle" in str(cycle["errors"])
    early = problem(_link(client, auth, a, {"relation": "fulfils", "to": c}), 422)
    assert "dated before" in str(early["errors"])
    same_day = make_fact(db_session, date="2017-01-01").id
    assert _link(client, auth, same_day, {"relation": "fulfils", "to": c}).status_code == 201
    again = _link(client, auth, same_day, {"relation": "fulfils", "to": c})
    assert problem(again, 409)["type"].endswith("/conflict")


def test_links_need_a_token_and_a_known_fact(client: FlaskClient, db_session: Session) -> None:
    problem(client.post("/api/v1/facts/1/links", json={"relation": "fulfils", "to": 2}), 401)
    problem(_link(client, _auth(db_session), 999999, {"relation": "fulfils", "to": 2}), 404)
    problem(client.get("/api/v1/facts/999999/links"), 404)
    problem(client.get("/api/v1/facts/1/links/999999"), 404)
    problem(client.get("/api/v1/facts/999999/chain"), 404)


def test_links_to_drafts_stay_private(client: FlaskClient, db_session: Session) -> None:
    auth = _auth(db_session)
    public = make_fact(db_session, summary="Public.").id
    draft = make_fact(db_session, status="draft", summary="Secret draft.").id
    made = _link(client, auth, draft, {"relation": "contradicts", "to": public})
    assert made.status_code == 201
    assert client.get(f"/api/v1/facts/{public}").get_json()["links"] == []
    assert client.get(f"/api/v1/facts/{public}/links").get_json()["data"] == []
    assert "Secret" not in client.get(f"/api/v1/facts/{public}/chain").get_data(as_text=True)
    problem(client.get(f"/api/v1/facts/{public}/links/{made.get_json()['id']}"), 404)
    feed = client.get("/api/v1/changes?since=0&limit=1000").get_json()["data"]
    shown = [c for c in feed if c["entity"] == "link" and c["id"] == made.get_json()["id"]]
    assert shown and shown[0]["data"] == {"id": made.get_json()["id"], "status": "active"}
    with_token = client.get(f"/api/v1/facts/{public}/links", headers=auth).get_json()["data"]
    assert [ln["fact"]["id"] for ln in with_token] == [draft]


def test_linked_to_and_relation_are_checked(client: FlaskClient) -> None:
    problem(client.get("/api/v1/facts?linked_to=0"), 400)
    problem(client.get("/api/v1/facts?linked_to=x"), 400)
    problem(client.get("/api/v1/facts?relation=inspired"), 400)


def test_the_curating_guides_example(client: FlaskClient, db_session: Session) -> None:
    """docs/curating.md links fact 18 (the 2016 electricity measures) to fact 17 (the
    memorandum) and removes the link again."""
    auth = _auth(db_session)
    assert _id(db_session, "rus-irq-2016-02-11-electricity") == 18
    assert _id(db_session, "rus-irq-2016-02-11-memorandum") == 17
    made = _link(client, auth, 18, {"relation": "part_of", "to": 17, "note": "Measures."})
    assert made.status_code == 201, made.get_data(as_text=True)
    url = f"/api/v1/facts/18/links/{made.get_json()['id']}"
    tag = client.get(url).headers["ETag"]
    assert client.delete(url, headers={**auth, "If-Match": tag}).get_json()["status"] == "removed"
