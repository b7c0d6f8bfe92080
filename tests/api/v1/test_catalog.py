"""Sources, parties and actors lists; the index and the vocabulary."""

from __future__ import annotations

import pycountry
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Source
from api.schemas.catalog_output import (
    ActorListSchema,
    ActorSchema,
    FactTypeListSchema,
    IndexSchema,
    PartyDetailSchema,
    PartyListSchema,
)
from api.schemas.output import SourceListSchema
from api.vocabulary import FACT_TYPES
from tests.conftest import problem


def test_sources_list_without_text_and_canonical_filter(
    client: FlaskClient, db_session: Session
) -> None:
    body = client.get("/api/v1/sources?count=true").get_json()
    assert SourceListSchema().validate(body) == {}
    assert body["meta"]["total"] == 4
    assert all("body" not in s and "raw" not in s for s in body["data"])
    canonical = client.get("/api/v1/sources?canonical=true").get_json()["data"]
    copies = client.get("/api/v1/sources?canonical=false").get_json()["data"]
    assert len(canonical) == 3 and len(copies) == 1 and copies[0]["canonical_id"] is not None


def test_sources_filters(client: FlaskClient, db_session: Session) -> None:
    reuters = client.get("/api/v1/sources?outlet=reuters").get_json()["data"]
    assert {s["outlet"] for s in reuters} == {"Reuters"} and len(reuters) == 3
    in_2016 = client.get("/api/v1/sources?from=2016&to=2016").get_json()["data"]
    assert [s["published"] for s in in_2016] == ["2016-02-11"]
    # A source published "2024-11" (month precision) overlaps any day of that month.
    nov = client.get("/api/v1/sources?from=2024-11-21&to=2024-11-21").get_json()["data"]
    assert [s["published"] for s in nov] == ["2024-11"]
    superjet = client.get("/api/v1/sources?q=Superjet").get_json()["data"]
    assert len(superjet) == 1 and superjet[0]["title"].startswith("Russia is Making")
    newest = client.get("/api/v1/sources?sort=-published&limit=1").get_json()["data"]
    assert newest[0]["published"] == "2024-11"


def test_source_facts_404_for_unknown_source(client: FlaskClient) -> None:
    problem(client.get("/api/v1/sources/9999/facts"), 404)


def test_parties_list_has_every_country_and_the_organizations(client: FlaskClient) -> None:
    body = client.get("/api/v1/parties?count=true&limit=500").get_json()
    assert PartyListSchema().validate(body) == {}
    assert body["meta"]["total"] == len(pycountry.countries) + 2
    orgs = client.get("/api/v1/parties?kind=organization").get_json()["data"]
    assert [p["code"] for p in orgs] == ["OPEC", "OPEC+"]
    iraq = client.get("/api/v1/parties?q=iraq").get_json()["data"]
    assert [p["code"] for p in iraq] == ["IRQ"] and iraq[0]["partner_count"] == 1


def test_party_codes_resolve_from_alpha2_numeric_and_any_case(client: FlaskClient) -> None:
    for code in ("RUS", "rus", "RU", "ru", "643"):
        r = client.get(f"/api/v1/parties/{code}")
        assert r.status_code == 200 and r.get_json()["code"] == "RUS", code
    problem(client.get("/api/v1/parties/XX"), 404)
    problem(client.get("/api/v1/parties/" + "A" * 40), 404)


def test_party_detail_memberships_members_and_partners(client: FlaskClient) -> None:
    rus = client.get("/api/v1/parties/RUS").get_json()
    assert PartyDetailSchema().validate(rus) == {}
    assert rus["memberships"] == [{"organization": "OPEC+", "start": "2016-12-10", "end": None}]
    assert [p["code"] for p in rus["partners"]] == ["IRQ", "OPEC"]
    opec = client.get("/api/v1/parties/opec").get_json()
    assert "IRQ" in [m["party"] for m in opec["members"]]


def test_who_held_an_office_on_a_date(client: FlaskClient) -> None:
    def names(query: str) -> list[str]:
        body = client.get(f"/api/v1/actors?{query}").get_json()
        assert ActorListSchema().validate(body) == {}
        return [a["name"] for a in body["data"]]

    assert names("role=prime%20minister&party=IRQ&on=2015-05-21") == ["Haidar al-Abadi"]
    assert names("role=prime%20minister&party=IRQ&on=2024-06-01") == ["Mohammed Shia' al-Sudani"]
    assert names("role=Prime%20Minister&party=iq&on=2005") == ["Ibrahim al-Jaafari"]
    assert names("role=president&party=RUS&on=2010") == []
    assert names("q=rogozin") == ["Dmitry Rogozin"]
    assert names("q=Sergey") == ["Sergei Lavrov"]  # an alias
    # A well-formed code of no party matches nothing; a malformed one is a 400.
    assert "QQQ" in problem(client.get("/api/v1/actors?party=QQQ"), 400)["detail"]
    assert "party" in problem(client.get("/api/v1/actors?party=Q;Q"), 400)["errors"]


def test_actor_by_key_or_id(client: FlaskClient) -> None:
    putin = client.get("/api/v1/actors/vladimir-putin").get_json()
    assert ActorSchema().validate(putin) == {}
    assert client.get(f"/api/v1/actors/{putin['id']}").get_json() == putin
    assert {"title": "President", "party": "RUS", "start": "2012-05-07", "end": None} in putin[
        "roles"
    ]
    problem(client.get("/api/v1/actors/nobody"), 404)


def test_index_links_to_every_collection(client: FlaskClient) -> None:
    body = client.get("/api/v1/").get_json()
    assert IndexSchema().validate(body) == {}
    assert body["data_version"] >= 1 and body["data_changed_at"].endswith("Z")
    for name, url in body["links"].items():
        path = url.replace("http://localhost", "")
        assert client.get(path).status_code == 200, name


def test_fact_types_with_attribute_schemas(client: FlaskClient) -> None:
    body = client.get("/api/v1/fact-types").get_json()
    assert FactTypeListSchema().validate(body) == {}
    assert [t["name"] for t in body["data"]] == list(FACT_TYPES)
    aid = next(t for t in body["data"] if t["name"] == "aid_offer")
    assert aid["attributes"]["properties"]["aid_kind"]["enum"] == [
        "military",
        "economic",
        "humanitarian",
        "other",
    ]
    assert aid["attributes"]["required"] == ["aid_kind"]


def test_lists_share_csv_and_cursors(client: FlaskClient, db_session: Session) -> None:
    text = client.get("/api/v1/parties?format=csv&kind=organization&fields=name").get_data(
        as_text=True
    )
    assert text == "code,name\r\nOPEC,OPEC\r\nOPEC+,OPEC+\r\n"
    first = client.get("/api/v1/parties?limit=100").get_json()
    second = client.get(first["links"]["next"]).get_json()
    assert not {p["code"] for p in first["data"]} & {p["code"] for p in second["data"]}
    assert second["data"][0]["code"] > first["data"][-1]["code"]
    sources = db_session.scalars(select(Source.id).order_by(Source.id)).all()
    assert [s["id"] for s in client.get("/api/v1/sources?limit=2").get_json()["data"]] == list(
        sources[:2]
    )
