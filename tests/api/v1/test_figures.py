"""Figures: facts that measure one quantity, side by side, with disagreement, ranks and
units; built here from two sources that disagree."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Source
from api.services.figures import agreement
from tests.conftest import problem
from tests.factories import make_fact, make_token

TRADE_2015 = "trade_volume:total:IRQ-RUS:2015:USD"


def _trade(db_session: Session, value: str, qualifier: str, **overrides: Any) -> int:
    source = db_session.scalar(select(Source).order_by(Source.id))
    assert source is not None
    data: dict[str, Any] = {
        "type": "trade_volume",
        "date": "2015",
        "date_precision": "year",
        "date_basis": "inferred",
        "value": value,
        "unit": "USD",
        "value_qualifier": qualifier,
        "attributes": {"flow": "total"},
        "summary": f"Trade of {value} USD in 2015.",
        "evidence": [{"source_id": source.id, "quote": "Russia offered visiting Iraqi"}],
        **overrides,
    }
    return make_fact(db_session, **data).id


def test_two_sources_that_disagree_make_one_figure(
    client: FlaskClient, db_session: Session
) -> None:
    fixture = client.get("/api/v1/facts?type=trade_volume&dyad=RUS,IRQ").get_json()["data"]
    nearly_two = [f for f in fixture if f["value"] == "2000000000"]
    assert nearly_two, "the fixtures hold TASS's 'nearly $2 billion' for 2015"
    other = _trade(db_session, "3100000000", "exact")
    listed = client.get("/api/v1/figures?dyad=RUS,IRQ&type=trade_volume").get_json()["data"]
    [figure] = [f for f in listed if f["key"] == TRADE_2015]
    assert set(figure["fact_ids"]) == {nearly_two[0]["id"], other}
    assert figure["disagree"] is True and figure["ratio"] == "1.55"

    item = client.get(f"/api/v1/figures/{TRADE_2015}").get_json()
    assert item["fact_count"] == 2 and item["unit"] == "USD" and item["period"] == "2015"
    sides = {s["fact_id"]: s for s in item["facts"]}
    tass = sides[nearly_two[0]["id"]]
    assert tass["value"] == "2000000000" and tass["value_qualifier"] == "approximately"
    assert tass["quotes"] and "nearly $2 billion" in tass["quotes"][0]
    assert tass["sources"] and tass["sources"][0]["outlet"]
    assert tass["independent_source_count"] == 1 and tass["converted"] is None
    assert sides[other]["value"] == "3100000000" and sides[other]["rank"] == "normal"


def test_ranks_order_the_figure_and_deprecated_values_leave_the_disagreement(
    client: FlaskClient, db_session: Session
) -> None:
    auth = {"Authorization": make_token(db_session, scopes=("write",))}
    other = _trade(db_session, "3100000000", "exact")
    tag = client.get(f"/api/v1/facts/{other}").headers["ETag"]
    r = client.patch(
        f"/api/v1/facts/{other}",
        json={"rank": "deprecated", "rank_reason": "A misprint."},
        headers={**auth, "If-Match": tag},
    )
    assert r.status_code == 200
    item = client.get(f"/api/v1/figures/{TRADE_2015}").get_json()
    assert item["disagree"] is False and item["facts"][-1]["fact_id"] == other
    assert item["facts"][-1]["rank"] == "deprecated"
    everything = client.get(f"/api/v1/figures/{TRADE_2015}?include_deprecated=true").get_json()
    assert everything["disagree"] is True


def test_one_countrys_exports_are_the_others_imports(
    client: FlaskClient, db_session: Session
) -> None:
    a = _trade(db_session, "1500000000", "exact", attributes={"flow": "subject_exports"})
    b = _trade(
        db_session,
        "1400000000",
        "approximately",
        subject="IRQ",
        counterpart="RUS",
        attributes={"flow": "subject_imports"},
    )
    key = "trade_volume:exports:RUS-to-IRQ:2015:USD"
    item = client.get(f"/api/v1/figures/{key}").get_json()
    assert {s["fact_id"] for s in item["facts"]} == {a, b}
    assert item["disagree"] is False  # 1.5 billion is within 10% of "about 1.4 billion"


def test_units_of_one_dimension_are_shown_converted(
    client: FlaskClient, db_session: Session
) -> None:
    tonnes = _trade(db_session, "2000", "exact", unit="tonnes", date="2014")
    kilos = _trade(db_session, "2500000", "exact", unit="kg", date="2014")
    item = client.get("/api/v1/figures/trade_volume:total:IRQ-RUS:2014:mass").get_json()
    sides = {s["fact_id"]: s for s in item["facts"]}
    assert item["unit"] == "tonnes" and sides[tonnes]["converted"] is None
    assert sides[kilos]["converted"] == {"value": "2500", "unit": "tonnes"}
    assert item["disagree"] is True and item["ratio"] == "1.25"


def test_currencies_are_never_converted(client: FlaskClient, db_session: Session) -> None:
    _trade(db_session, "1000000000", "exact", unit="EUR", date="2013")
    _trade(db_session, "1000000000", "exact", unit="USD", date="2013")
    keys = {f["key"] for f in client.get("/api/v1/figures?dyad=RUS,IRQ").get_json()["data"]}
    assert {
        "trade_volume:total:IRQ-RUS:2013:EUR",
        "trade_volume:total:IRQ-RUS:2013:USD",
    } <= keys


def test_several_keeps_figures_reported_more_than_once(
    client: FlaskClient, db_session: Session
) -> None:
    _trade(db_session, "3100000000", "exact")
    several = client.get("/api/v1/figures?dyad=IRQ,RUS&several=true").get_json()["data"]
    assert several and all(f["fact_count"] > 1 for f in several)
    assert TRADE_2015 in {f["key"] for f in several}


@pytest.mark.parametrize(
    "url, status",
    [
        ("/api/v1/figures", 400),
        ("/api/v1/figures?dyad=RUS", 400),
        ("/api/v1/figures?dyad=RUS,XXX", 400),
        ("/api/v1/figures?dyad=RUS,IRQ&include_deprecated=perhaps", 400),
        ("/api/v1/figures?dyad=RUS,IRQ&type=gossip", 400),
        ("/api/v1/figures/nonsense", 404),
        ("/api/v1/figures/trade_volume:total:IRQ-RUS:1999:USD", 404),
        ("/api/v1/figures/a:b:c:d:e", 404),
        (f"/api/v1/figures/{TRADE_2015}?x=1", 400),
    ],
)
def test_bad_figure_requests(client: FlaskClient, url: str, status: int) -> None:
    problem(client.get(url), status)


@pytest.mark.parametrize(
    "values, disagree",
    [
        ([("2000000000", "approximately"), ("3100000000", "exact")], True),
        ([("2000000000", "approximately"), ("2100000000", "exact")], False),
        ([("2000000000", "at_least"), ("3100000000", "exact")], False),
        ([("2000000000", "at_most"), ("3100000000", "exact")], True),
        ([("5", "exact"), ("5", "exact")], False),
        ([("5", "exact"), ("6", "exact")], True),
    ],
)
def test_what_disagreement_means(values: list[tuple[str, str]], disagree: bool) -> None:
    found = agreement([(Decimal(v), q) for v, q in values])
    assert found["disagree"] is disagree
