"""GET /api/v1/sources/{id}."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Source
from api.schemas.output import SourceSchema
from tests.conftest import SEEDS, problem, read_seed


def _by_file(session: Session, prefix: str) -> Source:
    (name,) = [n for n in SEEDS if n.startswith(prefix)]
    source = session.scalar(select(Source).where(Source.file_name == name))
    assert source is not None
    return source


def test_source_withholds_raw_by_default(client: FlaskClient, db_session: Session) -> None:
    src = _by_file(db_session, "001_")
    body = client.get(f"/api/v1/sources/{src.id}").get_json()
    assert SourceSchema().validate(body) == {}
    assert "raw" not in body
    assert body["body"].startswith("Russia offered visiting Iraqi")
    assert body["dateline"] == "MOSCOW May 21"
    assert body["published"] == "2015-05-21" and body["published_basis"] == "stated"
    assert {"name": "Denis Dyomkin", "credit": "reporting"} in body["authors"]


def test_include_raw_gives_the_exact_text_received(
    client: FlaskClient, db_session: Session
) -> None:
    src = _by_file(db_session, "001_")
    body = client.get(f"/api/v1/sources/{src.id}?include=raw").get_json()
    assert body["raw"] == read_seed("001_")


def test_duplicates_and_canonical_link(client: FlaskClient, db_session: Session) -> None:
    original, copy = _by_file(db_session, "000_"), _by_file(db_session, "001_")
    a = client.get(f"/api/v1/sources/{original.id}").get_json()
    b = client.get(f"/api/v1/sources/{copy.id}").get_json()
    assert a["canonical_id"] is None and [d["id"] for d in a["duplicates"]] == [copy.id]
    assert b["canonical_id"] == original.id and b["duplicates"] == []
    assert b["similarity"] >= 0.9


def test_inferred_and_unknown_publication_dates(client: FlaskClient, db_session: Session) -> None:
    web = client.get(f"/api/v1/sources/{_by_file(db_session, '002_').id}").get_json()
    assert web["published_basis"] == "inferred"
    assert web["title"] == "Russia is Making a Huge Effort to Challenge US Influence in Iraq"


def test_bad_include_and_unknown_source(client: FlaskClient) -> None:
    assert "include" in problem(client.get("/api/v1/sources/1?include=everything"), 400)["errors"]
    problem(client.get("/api/v1/sources/424242"), 404)
