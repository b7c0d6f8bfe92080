"""PLOVER and CAMEO codes on facts: in every served form, filterable, shown per fact type.

The codes are derived from a fact's type and attributes (``api/event_codes.py``); the
database computes them with SQL generated from the same tables, which must agree with the
Python mapping for every type and attribute value on both databases.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from api import event_codes
from api.fact_document import EVENT_PARTS, event_code_sql
from api.vocabulary import FACT_TYPES
from tests.conftest import problem


def _cases() -> list[tuple[str, dict[str, Any]]]:
    """Every type with no attributes, odd ones, and each value of its refining attribute."""
    cases: list[tuple[str, dict[str, Any]]] = []
    for name in FACT_TYPES:
        cases += [(name, {}), (name, {"x": 1})]
        refine = event_codes.REFINEMENTS.get(name)
        if refine:
            key, table = refine
            cases += [(name, {key: value}) for value in table]
            # Not the JSON type the table means (a string "true", the number 1), unknown.
            cases += [(name, {key: "true"}), (name, {key: 1}), (name, {key: "unheard-of"})]
            cases += [(name, {key: None}), (name, {key: ["economic"]})]
    return cases


def test_the_databases_code_facts_as_the_python_mapping_does(db_session: Session) -> None:
    dialect = db_session.get_bind().dialect.name
    cases = _cases()
    for part in EVENT_PARTS:
        sql = event_code_sql(dialect, part)
        attributes = ":a" if dialect == "sqlite" else "CAST(:a AS json)"
        statement = text("SELECT " + sql.format(":t", attributes))
        for fact_type, attrs in cases:
            found = db_session.execute(statement, {"t": fact_type, "a": json.dumps(attrs)})
            expected = getattr(event_codes.codes_for(fact_type, attrs), part)
            assert found.scalar() == expected, (part, fact_type, attrs)


def _facts(client: FlaskClient, query: str = "") -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/facts?limit=500{query}")
    assert r.status_code == 200, r.get_data(as_text=True)
    data: list[dict[str, Any]] = r.get_json()["data"]
    return data


def test_every_fact_carries_its_codes(client: FlaskClient) -> None:
    facts = _facts(client)
    assert facts
    for fact in facts:
        codes = event_codes.codes_for(fact["type"], fact["attributes"])
        for part in EVENT_PARTS:
            assert fact[part] == getattr(codes, part), (fact["id"], part)
        one = client.get(f"/api/v1/facts/{fact['id']}").get_json()
        assert {p: one[p] for p in EVENT_PARTS} == {p: fact[p] for p in EVENT_PARTS}
    calls = [f for f in facts if f["type"] == "phone_call"]
    assert calls and all(
        (f["plover"], f["plover_mode"], f["cameo"]) == ("CONSULT", "phone", "041") for f in calls
    )
    trade = [f for f in facts if f["type"] == "trade_volume"]
    assert trade and all(f["plover"] is None and f["cameo"] is None for f in trade)


def test_csv_and_ndjson_carry_the_codes(client: FlaskClient) -> None:
    by_id = {f["id"]: f for f in _facts(client)}
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/facts?format=csv").text)))
    assert rows and all(set(EVENT_PARTS) <= set(row) for row in rows)
    for row in rows:
        for part in EVENT_PARTS:
            assert row[part] == (by_id[int(row["id"])][part] or "")
    lines = client.get("/api/v1/facts?format=ndjson").text.splitlines()
    for line in lines:
        fact = json.loads(line)
        assert {p: fact[p] for p in EVENT_PARTS} == {p: by_id[fact["id"]][p] for p in EVENT_PARTS}


@pytest.mark.parametrize("category", ["CONSULT", "AGREE", "COOPERATE", "SUPPORT", "ACCUSE"])
def test_plover_filters_facts(client: FlaskClient, category: str) -> None:
    everything = _facts(client)
    expected = sorted(f["id"] for f in everything if f["plover"] == category)
    found = sorted(f["id"] for f in _facts(client, f"&plover={category}"))
    assert found == expected
    if category in ("CONSULT", "AGREE"):
        assert found, f"the fixtures hold {category} facts"


def test_plover_filters_combine_and_page(client: FlaskClient) -> None:
    everything = [f for f in _facts(client) if f["plover"] == "CONSULT"]
    first = client.get("/api/v1/facts?plover=CONSULT&limit=1&sort=id")
    assert first.status_code == 200 and first.get_json()["data"][0]["id"] == min(
        f["id"] for f in everything
    )
    nxt = first.get_json()["links"]["next"] if len(everything) > 1 else None
    if nxt:
        second = client.get(nxt)
        assert second.get_json()["data"][0]["id"] == sorted(f["id"] for f in everything)[1]
    calls = _facts(client, "&plover=CONSULT&type=phone_call")
    assert calls and all(f["type"] == "phone_call" for f in calls)


@pytest.mark.parametrize("value", ["agree", "INTEND", "", "AGREE,CONSULT"])
def test_an_unknown_plover_category_is_a_400(client: FlaskClient, value: str) -> None:
    body = problem(client.get(f"/api/v1/facts?plover={value}"), 400)
    assert "plover" in json.dumps(body)


def test_plover_over_history_as_of_now(client: FlaskClient) -> None:
    now = "2100-01-01T00:00:00Z"
    expected = sorted(f["id"] for f in _facts(client, "&plover=CONSULT"))
    found = sorted(f["id"] for f in _facts(client, f"&plover=CONSULT&as_of={now}"))
    assert found == expected


def test_fact_types_show_the_codes(app: Flask, client: FlaskClient) -> None:
    types = {t["name"]: t for t in client.get("/api/v1/fact-types").get_json()["data"]}
    assert set(types) == set(FACT_TYPES)
    aid = types["aid_offer"]["event_codes"]
    assert aid["refined_by"] == "aid_kind"
    military = [v for v in aid["values"] if v["value"] == "military"]
    assert military and military[0]["cameo"] == "0332" and military[0]["plover"] == "AGREE"
    trade = types["trade_volume"]["event_codes"]
    assert trade["default"]["plover"] is None and trade["default"]["note"]
    assert types["phone_call"]["event_codes"]["values"] == []
