"""Fact lists: every filter, dates of any precision, cursors, sorting, formats, caching."""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson
import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Actor, Fact, Source
from tests.conftest import problem
from tests.factories import make_fact


def ids(client: FlaskClient, query: str) -> list[int]:
    r = client.get(f"/api/v1/facts?{query}")
    assert r.status_code == 200, r.get_data(as_text=True)
    return [f["id"] for f in r.get_json()["data"]]


def all_facts(session: Session) -> list[Fact]:
    return list(session.scalars(select(Fact).where(Fact.status == "published")))


def test_actor_filter_by_key_or_id(client: FlaskClient, db_session: Session) -> None:
    rogozin = db_session.scalar(select(Actor).where(Actor.key == "dmitry-rogozin"))
    assert rogozin is not None
    expected = {f.id for f in all_facts(db_session) if rogozin.id in {a.actor_id for a in f.actors}}
    assert expected
    assert set(ids(client, "actor=dmitry-rogozin")) == expected
    assert set(ids(client, f"actor={rogozin.id}")) == expected
    problem(client.get("/api/v1/facts?actor=nobody"), 400)  # a typo must not look like "none"


def test_source_filter_covers_the_story_and_its_copies(
    client: FlaskClient, db_session: Session
) -> None:
    original = db_session.scalar(
        select(Source).where(Source.canonical_id.is_(None)).order_by(Source.id)
    )
    copy = db_session.scalar(select(Source).where(Source.canonical_id == original.id))  # type: ignore[union-attr]
    assert original is not None and copy is not None
    via_original, via_copy = (
        set(ids(client, f"source={original.id}")),
        set(ids(client, f"source={copy.id}")),
    )
    assert via_original == via_copy
    expected = {
        f.id
        for f in all_facts(db_session)
        if {e.source_id for e in f.evidence} & {original.id, copy.id}
    }
    assert via_original == expected
    assert set(ids(client, f"source={original.id}")) == {
        f["id"] for f in client.get(f"/api/v1/sources/{copy.id}/facts").get_json()["data"]
    }


@pytest.mark.parametrize(
    ("query", "expected_keys"),
    [
        (
            "from=2015-06&to=2015-06",
            {
                "rus-opec-2015-06-consultations",
                "rus-irq-2015-trade-volume",
                "rus-irq-2015-baghdad-command-center",
            },
        ),
        (
            "from=2015-06-15&to=2015-06-15",
            {
                "rus-opec-2015-06-consultations",
                "rus-irq-2015-trade-volume",
                "rus-irq-2015-baghdad-command-center",
            },
        ),
        (
            "from=2023&to=2023",
            {
                "irq-rus-2023-10-10-sudani-kremlin-visit",
                "rus-irq-2023-10-10-opec-plus-praise",
                "irq-rus-2023-10-10-sudani-unsc-appeal",
            },
        ),
    ],
)
def test_dates_of_any_precision_match_by_overlap(
    client: FlaskClient, db_session: Session, query: str, expected_keys: set[str]
) -> None:
    keys = {f.id: f.key for f in all_facts(db_session)}
    assert {keys[i] for i in ids(client, query)} == expected_keys


def test_from_alone_and_to_alone(client: FlaskClient, db_session: Session) -> None:
    facts = all_facts(db_session)
    after = {f.id for f in facts if f.date_end and str(f.date_end) >= "2023-01-01"}
    before = {f.id for f in facts if f.date_start and str(f.date_start) <= "2015-05-31"}
    assert set(ids(client, "from=2023&limit=500")) == after
    assert set(ids(client, "to=2015-05&limit=500")) == before


def test_value_ranges(client: FlaskClient) -> None:
    # Without a unit, bounds compare values of every unit (USD and persons here).
    assert len(ids(client, "value_min=1")) == 2
    assert "value_min" in problem(client.get("/api/v1/facts?value_min=1e16"), 400)["errors"]
    assert len(ids(client, "value_min=1999999999.5&unit=USD")) == 1
    assert ids(client, "value_max=1999999999&unit=USD") == []
    assert len(ids(client, "unit=persons")) == 1


def test_full_text_search_is_stemmed_and_follows_changes(
    client: FlaskClient, db_session: Session
) -> None:
    hits = ids(client, "q=airliner")  # stored text says "airliners"
    assert hits and all(
        "irliner" in client.get(f"/api/v1/facts/{i}").get_data(as_text=True) for i in hits
    )
    assert ids(client, "q=zeppelin") == []
    quoted = ids(client, "q=neighboring")  # in a quote only, not a summary
    assert quoted
    fact = db_session.get(Fact, hits[0])
    assert fact is not None
    fact.summary = "Talk of zeppelins."
    db_session.flush()
    assert ids(client, "q=zeppelin") == [fact.id]
    made = make_fact(db_session, summary="Quokka diplomacy.")
    assert ids(client, "q=quokka") == [made.id]
    # Operators and quotes are plain words, never query syntax errors.
    assert ids(client, "q=%22unbalanced AND OR NEAR(") == []
    assert ids(client, "q=Thursday%20offered") != []


def test_combined_filters(client: FlaskClient, db_session: Session) -> None:
    expected = {
        f.id
        for f in all_facts(db_session)
        if f.type in ("statement", "aid_offer")
        and f.subject == "RUS"
        and f.date_start
        and f.date_start.year == 2016
    }
    assert expected
    got = ids(
        client, "type=statement,aid_offer&subject=rus&dyad=IRQ,RUS&from=2016&to=2016&limit=500"
    )
    assert set(got) == expected


def test_sorting_with_ties_broken_by_id(client: FlaskClient) -> None:
    rows = client.get("/api/v1/facts?sort=date&limit=500&fields=date_start").get_json()["data"]
    keys = [(r["date_start"], r["id"]) for r in rows]
    assert keys == sorted(keys)
    rows = client.get("/api/v1/facts?sort=-value&limit=3&fields=value").get_json()["data"]
    assert rows[0]["value"] == "2000000000" and rows[1]["value"] == "100"
    by_id = ids(client, "sort=-id&limit=500")
    assert by_id == sorted(by_id, reverse=True)
    assert "sort" in problem(client.get("/api/v1/facts?sort=summary"), 400)["errors"]


def walk(client: FlaskClient, url: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.get_data(as_text=True)
        body = r.get_json()
        seen.extend(body["data"])
        url = body["links"]["next"]
        if url:
            assert r.headers["Link"] == f'<{url}>; rel="next"'
    return seen


@pytest.mark.parametrize("sort", ["-date", "date", "id", "-value", "created"])
def test_walking_pages_visits_every_fact_once(
    client: FlaskClient, db_session: Session, sort: str
) -> None:
    everything = walk(client, f"/api/v1/facts?sort={sort}&limit=500")
    paged = walk(client, f"/api/v1/facts?sort={sort}&limit=4")
    assert [f["id"] for f in paged] == [f["id"] for f in everything]
    assert len(paged) == len(all_facts(db_session))


def test_exact_last_page_has_no_next(client: FlaskClient, db_session: Session) -> None:
    total = len(all_facts(db_session))
    body = client.get(f"/api/v1/facts?limit={total}&count=true").get_json()
    assert len(body["data"]) == total and body["links"]["next"] is None
    assert body["meta"] == {"limit": total, "total": total}


def test_empty_result(client: FlaskClient) -> None:
    body = client.get("/api/v1/facts?dyad=USA,CHN&count=true").get_json()
    assert body["data"] == [] and body["links"]["next"] is None and body["meta"]["total"] == 0


def test_pages_stay_stable_when_facts_are_inserted(
    client: FlaskClient, db_session: Session
) -> None:
    first = client.get("/api/v1/facts?sort=-date&limit=5").get_json()
    make_fact(db_session, date="2030-01-01", summary="Newest, inserted between pages.")
    make_fact(db_session, date="1999-01-01", summary="Oldest, inserted between pages.")
    rest = walk(client, first["links"]["next"])
    seen = [f["id"] for f in first["data"]] + [f["id"] for f in rest]
    assert len(seen) == len(set(seen))
    assert "Newest, inserted between pages." not in {f["summary"] for f in rest}
    assert rest[-1]["summary"] == "Oldest, inserted between pages."


def test_tampered_and_foreign_cursors_are_400(client: FlaskClient) -> None:
    nxt = client.get("/api/v1/facts?limit=2").get_json()["links"]["next"]
    cursor = nxt.split("cursor=")[1]
    body, sig = cursor.split(".")
    tampered = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + sig
    assert (
        problem(client.get(f"/api/v1/facts?limit=2&cursor={tampered}"), 400)["type"]
        == "/problems/invalid-cursor"
    )
    assert (
        "another query"
        in problem(client.get(f"/api/v1/facts?limit=2&type=statement&cursor={cursor}"), 400)[
            "detail"
        ]
    )
    assert (
        "another query"
        in problem(client.get(f"/api/v1/facts?limit=2&sort=id&cursor={cursor}"), 400)["detail"]
    )
    problem(client.get("/api/v1/facts?cursor=" + "x" * 1001), 400)
    problem(client.get("/api/v1/facts?cursor=not-a-cursor"), 400)
    # The page size may change while walking.
    assert client.get(f"/api/v1/facts?limit=3&cursor={cursor}").status_code == 200


def test_sparse_fieldsets(client: FlaskClient) -> None:
    rows = client.get("/api/v1/facts?fields=type,value&limit=2").get_json()["data"]
    assert all(set(r) == {"id", "type", "value"} for r in rows)
    body = problem(client.get("/api/v1/facts?fields=type,password"), 400)
    assert "summary" in str(body["errors"]["fields"])


def test_csv_quotes_and_flattens(client: FlaskClient, db_session: Session) -> None:
    made = make_fact(
        db_session, summary='Said "yes", then, no\nnew line', other_parties=["IRN", "SYR"]
    )
    r = client.get("/api/v1/facts?format=csv&sort=-id")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"] == 'attachment; filename="facts.csv"'
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert len(rows) == len(all_facts(db_session))
    row = rows[0]
    assert int(row["id"]) == made.id
    assert row["summary"] == 'Said "yes", then, no\nnew line'
    assert row["other_parties"] == "IRN;SYR"
    assert orjson.loads(row["attributes"]) == {"kind": "other"}
    assert orjson.loads(row["evidence"])[0]["verified"] is True
    accept = client.get("/api/v1/facts?fields=type", headers={"Accept": "text/csv"})
    assert accept.mimetype == "text/csv" and accept.get_data(as_text=True).startswith("id,type\r\n")


def test_csv_of_nothing_still_has_its_header(client: FlaskClient) -> None:
    r = client.get("/api/v1/facts?format=csv&dyad=USA,CHN&fields=type,value")
    assert r.get_data(as_text=True) == "id,type,value\r\n"


def test_ndjson_streams_every_matching_row(client: FlaskClient, db_session: Session) -> None:
    for n in range(3):
        make_fact(db_session, summary=f"Bulk {n}.")
    r = client.get("/api/v1/facts?format=ndjson&limit=1")
    assert r.mimetype == "application/x-ndjson" and r.is_streamed
    lines = r.get_data(as_text=True).splitlines()
    assert len(lines) == len(all_facts(db_session))
    assert [orjson.loads(line)["id"] for line in lines] == ids(client, "limit=500")
    rus_only = (
        client.get("/api/v1/facts?format=ndjson&subject=IRQ").get_data(as_text=True).splitlines()
    )
    assert {orjson.loads(line)["subject"] for line in rus_only} == {"IRQ"}


def test_etag_and_304(client: FlaskClient, db_session: Session) -> None:
    r = client.get("/api/v1/facts?dyad=RUS,IRQ")
    tag = r.headers["ETag"]
    assert tag.startswith('"') and r.headers["Cache-Control"] == "public, max-age=60"
    again = client.get("/api/v1/facts?dyad=RUS,IRQ", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    other = client.get("/api/v1/facts?dyad=RUS,IRQ&limit=5", headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["ETag"] != tag
    csv_tag = client.get("/api/v1/facts?dyad=RUS,IRQ", headers={"Accept": "text/csv"}).headers[
        "ETag"
    ]
    assert csv_tag != tag


def test_a_write_changes_the_etag(app: Any, db_session: Session) -> None:
    from api import db

    client = app.test_client()
    tag = client.get("/api/v1/facts").headers["ETag"]
    with app.app_context(), db.write_transaction() as s:
        make_fact(s, summary="A change.")
    assert client.get("/api/v1/facts", headers={"If-None-Match": tag}).status_code == 200


def test_cors_allows_reads_from_any_origin(client: FlaskClient) -> None:
    r = client.get("/api/v1/facts?limit=1", headers={"Origin": "https://dash.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in r.headers["Access-Control-Expose-Headers"]


def test_drafts_need_a_token(client: FlaskClient) -> None:
    r = client.get("/api/v1/facts?status=draft")
    assert problem(r, 401) and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/facts?status=published").status_code == 200


def test_unknown_but_well_formed_codes_are_400_and_unknown_sources_match_nothing(
    client: FlaskClient,
) -> None:
    for query in ("subject=XXX", "party=ZZ", "dyad=RUS,QQQ"):
        problem(client.get(f"/api/v1/facts?{query}"), 400)
    assert ids(client, "source=999999") == []


@pytest.mark.parametrize(
    ("query", "name"),
    [("from=2015-02-29", "from"), ("to=2015-02-30", "to"), ("on=0000", "on")],
)
def test_impossible_dates_are_400(client: FlaskClient, query: str, name: str) -> None:
    url = "/api/v1/actors?" if name == "on" else "/api/v1/facts?"
    assert name in problem(client.get(url + query), 400)["errors"]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("from=2015-13", "from"),
        ("to=yesterday", "to"),
        ("value_min=abc&unit=USD", "value_min"),
        ("value_min=1e400&unit=USD", "value_min"),
        ("count=maybe", "count"),
        ("format=xml", "format"),
        ("source=abc", "source"),
        ("source=0", "source"),
        ("subject=X;X", "subject"),
        ("party=Z", "party"),
        ("dyad=RUS,643", "dyad"),
        ("q=", "q"),
        ("type=", "type"),
        ("limit=-1", "limit"),
        ("status=secret", "status"),
        ("fields=", "fields"),
    ],
)
def test_bad_values_are_400_naming_the_parameter(
    client: FlaskClient, query: str, name: str
) -> None:
    body = problem(client.get(f"/api/v1/facts?{query}"), 400)
    assert name in body["errors"], body
