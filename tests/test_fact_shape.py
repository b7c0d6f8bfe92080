"""Every output of a fact has the fields of the one fact document (api/fact_document.py).

A fact is written with every field filled, then read back through each way the API gives
it: JSON lists and items from the thin path and from Flask, CSV, NDJSON, a past list
(``as_of``), history, the change feed, the OpenAPI description, the stored lists on the fact
row, the input a PATCH is merged into, and the dump. Each must list the document's fields,
in its order, and nothing else: a field added to the document and forgotten anywhere fails
here.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from api import fact_document as doc
from api.models import Fact, Source
from api.schemas.fact_input import FactInSchema
from api.services.dump import export_dump
from api.services.fact_writes import fact_as_input
from tests.factories import make_token
from tests.support.wsgi_layers import thin_path

NAMES = list(doc.NAMES)
ACTOR_NAMES = [name for name, _, _ in doc.ACTOR_FIELDS]
EVIDENCE_NAMES = [name for name, _, _ in doc.EVIDENCE_FIELDS]


@pytest.fixture
def full_fact(client: FlaskClient, db_session: Session) -> dict[str, Any]:
    """A published fact with every field filled (non-ASCII attributes: the Python-built rows)."""
    auth = {"Authorization": make_token(db_session)}
    source = db_session.scalar(select(Source.id).order_by(Source.id))
    made = client.post(
        "/api/v1/facts",
        json={
            "key": "shape-walk",
            "type": "aid_offer",
            "subject": "RUS",
            "counterpart": "IRQ",
            "other_parties": ["SYR", "IRN"],
            "date": "2015-05",
            "date_basis": "inferred",
            "value": "1250000.5",
            "unit": "USD",
            "value_qualifier": "approximately",
            "summary": "Russia offered Iraq aid worth about $1.25 million (Bagdad, \u2018shape\u2019).",
            "attributes": {"aid_kind": "military"},
            "actors": [{"actor": "vladimir-putin", "role": "President"}],
            "evidence": [{"source_id": source, "quote": "Russia offered visiting Iraqi"}],
            "status": "published",
        },
        headers=auth,
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    body = made.get_json()
    return {"id": body["id"], "auth": auth}


def _item(items: list[dict[str, Any]], fact_id: int) -> dict[str, Any]:
    found = [x for x in items if x["id"] == fact_id]
    assert len(found) == 1, fact_id
    return found[0]


def _both_paths(app: Flask, client: FlaskClient, url: str) -> list[Any]:
    """The answer from the thin path (which must answer) and from Flask."""
    fast = thin_path(app)
    before = fast.served
    thin = client.get(url)
    assert fast.served == before + 1, f"the thin path did not answer {url}"
    fast.enabled = False
    try:
        full = client.get(url)
    finally:
        fast.enabled = True
    assert thin.status_code == full.status_code == 200
    return [thin, full]


def test_every_output_lists_the_document_fields(
    app: Flask, client: FlaskClient, db_session: Session, full_fact: dict[str, Any]
) -> None:
    fact_id = full_fact["id"]
    seen: dict[str, list[str]] = {}

    for n, r in enumerate(_both_paths(app, client, "/api/v1/facts?limit=500&dyad=RUS,IRQ")):
        seen[f"JSON list ({'thin' if n == 0 else 'Flask'})"] = list(
            _item(r.get_json()["data"], fact_id)
        )
    r = client.get("/api/v1/facts?limit=500&q=Russia")  # a filter only Flask answers
    seen["JSON list (search)"] = list(_item(r.get_json()["data"], fact_id))

    for n, r in enumerate(_both_paths(app, client, f"/api/v1/facts/{fact_id}")):
        item = r.get_json()
        assert list(item)[-2:] == ["sources", "links"]
        seen[f"JSON item ({'thin' if n == 0 else 'Flask'})"] = list(item)[:-2]

    for n, r in enumerate(_both_paths(app, client, "/api/v1/facts?format=csv&dyad=RUS,IRQ")):
        rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
        seen[f"CSV header ({'thin' if n == 0 else 'Flask'})"] = rows[0]
    for n, r in enumerate(_both_paths(app, client, "/api/v1/facts?format=ndjson&dyad=RUS,IRQ")):
        lines = [json.loads(line) for line in r.get_data(as_text=True).splitlines()]
        seen[f"NDJSON ({'thin' if n == 0 else 'Flask'})"] = list(_item(lines, fact_id))

    past = client.get("/api/v1/facts?limit=500&as_of=2999-01-01T00:00:00Z")
    seen["past list (as_of)"] = list(_item(past.get_json()["data"], fact_id))

    revisions = client.get(f"/api/v1/facts/{fact_id}/history").get_json()["data"]
    seen["history snapshot"] = list(revisions[-1]["snapshot"])
    feed = client.get("/api/v1/changes?limit=500").get_json()["data"]
    mine = [c for c in feed if c["entity"] == "fact" and c["id"] == fact_id]
    seen["change feed"] = list(mine[-1]["data"])

    spec = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    seen["OpenAPI FactListItem"] = list(spec["FactListItem"]["properties"])
    seen["OpenAPI FactDetail"] = list(spec["FactDetail"]["properties"])[:-2]
    assert list(spec["FactDetail"]["properties"])[-2:] == ["sources", "links"]

    bad = client.get("/api/v1/facts?fields=nonsense").get_json()
    message = bad["errors"]["fields"]["0"][0]
    seen["fields= allowed"] = message.removeprefix("Must be one of: ")[:-1].split(", ")

    wrong = {where: names for where, names in seen.items() if names != NAMES}
    assert not wrong, f"expected {NAMES}"

    # The lists inside a fact, as stored on its row, served and documented.
    item = client.get(f"/api/v1/facts/{fact_id}").get_json()
    assert [list(a) for a in item["actors"]] == [ACTOR_NAMES]
    assert [list(e) for e in item["evidence"]] == [EVIDENCE_NAMES]
    assert list(spec["FactActor"]["properties"]) == ACTOR_NAMES
    assert list(spec["Evidence"]["properties"]) == EVIDENCE_NAMES
    for actors, evidence in db_session.execute(text("SELECT actors_doc, evidence_doc FROM fact")):
        assert all(list(a) == ACTOR_NAMES for a in orjson.loads(actors))
        assert all(list(e) == EVIDENCE_NAMES for e in orjson.loads(evidence))


def test_the_input_and_the_dump_cover_the_document(
    db_session: Session, full_fact: dict[str, Any]
) -> None:
    fact = db_session.get(Fact, full_fact["id"])
    assert fact is not None
    # What a PATCH is merged into: every written field, each one the input schema takes.
    given = fact_as_input(fact)
    assert list(given) == [f.name for f in doc.FIELDS if f.input is not None]
    assert set(given) <= set(FactInSchema().fields)
    assert FactInSchema().load(given)["summary"] == fact.summary

    # The dump keeps every stored column the document reads (the rest the database derives).
    out = io.StringIO()
    export_dump(db_session, out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()[1:]]
    fact_row = next(r["row"] for r in rows if r["table"] == "fact" and r["row"]["id"] == fact.id)
    stored = {c.name for c in Fact.__table__.columns}
    derived = {c.name for c in Fact.__table__.columns if c.info.get("derived") or c.computed}
    assert set(fact_row) == stored - derived
    read_from_fact = {name for name in doc.ROW if name in stored}
    assert read_from_fact - derived <= set(fact_row)
