"""Dyads: list, summary and timeline, checked against counts made from facts.yaml itself."""

from __future__ import annotations

from collections import Counter
from typing import Any

import yaml
from flask.testing import FlaskClient

from api.schemas.catalog_output import DyadListSchema, DyadSummarySchema, TimelineSchema
from tests.conftest import FIXTURES, problem

FACTS: list[dict[str, Any]] = yaml.safe_load((FIXTURES / "facts.yaml").read_text())
RUS_IRQ = [f for f in FACTS if {f["subject"], f["counterpart"]} == {"RUS", "IRQ"}]


def test_dyads_list_counts(client: FlaskClient) -> None:
    body = client.get("/api/v1/dyads?count=true").get_json()
    assert DyadListSchema().validate(body) == {}
    pairs = Counter("-".join(sorted((f["subject"], f["counterpart"]))) for f in FACTS)
    assert {d["pair"]: d["fact_count"] for d in body["data"]} == dict(pairs)
    assert body["data"][0]["pair"] == "IRQ-RUS"  # most facts first
    assert body["meta"]["total"] == len(pairs)
    only_opec = client.get("/api/v1/dyads?party=OPEC").get_json()["data"]
    assert [d["pair"] for d in only_opec] == ["OPEC-RUS"]
    by_pair = client.get("/api/v1/dyads?sort=pair&limit=1").get_json()
    assert by_pair["data"][0]["pair"] == "IRQ-RUS" and by_pair["links"]["next"]


def test_dyad_summary_matches_the_fixtures(client: FlaskClient) -> None:
    body = client.get("/api/v1/dyads/RUS/IRQ").get_json()
    assert DyadSummarySchema().validate(body) == {}
    assert client.get("/api/v1/dyads/irq/ru").get_json() == body  # unordered, any code form
    assert body["fact_count"] == len(RUS_IRQ)
    assert body["by_type"] == dict(sorted(Counter(f["type"] for f in RUS_IRQ).items()))
    assert body["by_year"] == dict(sorted(Counter(f["date"][:4] for f in RUS_IRQ).items()))
    assert body["by_direction"] == {
        "IRQ->RUS": sum(f["subject"] == "IRQ" for f in RUS_IRQ),
        "RUS->IRQ": sum(f["subject"] == "RUS" for f in RUS_IRQ),
    }
    assert body["first_date"] == "2015-01-01"  # the trade figure is dated "2015"
    assert body["last_date"] == max(f["date"] for f in RUS_IRQ)
    trade = body["latest_values"]["trade_volume"]
    assert (trade["value"], trade["unit"], trade["value_qualifier"], trade["date"]) == (
        "2000000000",
        "USD",
        "approximately",
        "2015",
    )
    # Four articles back RUS-IRQ facts; 000 and 001 are one Reuters story, counted once.
    assert (body["source_count"], body["independent_source_count"]) == (4, 3)


def test_dyad_without_facts_and_bad_dyads(client: FlaskClient) -> None:
    empty = client.get("/api/v1/dyads/USA/CHN").get_json()
    assert empty["fact_count"] == 0 and empty["by_type"] == {} and empty["first_date"] is None
    problem(client.get("/api/v1/dyads/RUS/RUS"), 404)  # one party twice is no dyad
    problem(client.get("/api/v1/dyads/RUS/NOPE"), 404)
    problem(client.get("/api/v1/dyads/RUS/IRQ?extra=1"), 400)


def test_timeline_by_year_fills_empty_years(client: FlaskClient) -> None:
    body = client.get("/api/v1/dyads/RUS/IRQ/timeline").get_json()
    assert TimelineSchema().validate(body) == {}
    years = Counter(f["date"][:4] for f in RUS_IRQ)
    first, last = int(min(years)), int(max(years))
    assert [p["period"] for p in body["data"]] == [str(y) for y in range(first, last + 1)]
    assert {p["period"]: p["count"] for p in body["data"]} == {
        str(y): years.get(str(y), 0) for y in range(first, last + 1)
    }
    assert body["data"][2] == {"period": "2017", "count": 0, "by_type": {}}
    assert body["meta"]["undated"] == 0 and body["meta"]["too_coarse"] == 0


def test_timeline_by_month_leaves_out_year_dated_facts(client: FlaskClient) -> None:
    body = client.get(
        "/api/v1/dyads/RUS/IRQ/timeline?bucket=month&type=trade_volume,aid_offer"
    ).get_json()
    chosen = [f for f in RUS_IRQ if f["type"] in ("trade_volume", "aid_offer")]
    monthly = Counter(f["date"][:7] for f in chosen if f["date_precision"] != "year")
    assert {p["period"]: p["count"] for p in body["data"] if p["count"]} == dict(monthly)
    assert body["meta"]["too_coarse"] == sum(f["date_precision"] == "year" for f in chosen)
    assert body["data"][0]["period"] == min(monthly) and body["data"][-1]["period"] == max(monthly)
    assert len(body["data"]) == 10  # 2015-05 .. 2016-02


def test_timeline_window_and_limits(client: FlaskClient) -> None:
    body = client.get("/api/v1/dyads/RUS/IRQ/timeline?from=2014&to=2016").get_json()
    assert [p["period"] for p in body["data"]] == ["2014", "2015", "2016"]
    assert body["data"][0]["count"] == 0
    problem(client.get("/api/v1/dyads/RUS/IRQ/timeline?from=0001&to=9999&bucket=month"), 400)
    problem(client.get("/api/v1/dyads/RUS/IRQ/timeline?from=2016&to=2015"), 400)
    problem(client.get("/api/v1/dyads/RUS/IRQ/timeline?bucket=week"), 400)
