"""Curators' pages through the Flask test client on both databases: token sign-in kept in
a strict session cookie, CSRF and cross-site refusals, an article pasted and its
suggestions decided, a fact started from selected words, publishing with If-Match and the
page that shows both versions when someone else changed the fact first."""

from __future__ import annotations

import base64
import json
import re
import zlib
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Fact, Suggestion
from api.services.tokens import create_token, revoke_token
from tests.conftest import read_seed
from tests.web.pages import soup

ARTICLE = (
    "MOSCOW, March 3 (Reuters) - Russia and Iraq signed an agreement on Tuesday to expand "
    "cooperation in the oil and gas sector, Russian Energy Minister Alexander Novak said "
    "after talks in Moscow with Iraq's oil minister.\n"
    "Novak said Russian companies would invest $4 billion in Iraqi oil fields over five years."
)


def _csrf(page: Any) -> str:
    found = soup(page).find("input", attrs={"name": "csrf_token"})
    assert found is not None and found["value"], page.get_data(as_text=True)[:500]
    return str(found["value"])


@pytest.fixture
def secret(db_session: Session) -> str:
    return create_token(db_session, "curator-ana", ["write"])


def _sign_in(client: FlaskClient, secret: str) -> str:
    page = client.get("/sign-in")
    response = client.post("/sign-in", data={"token": secret, "csrf_token": _csrf(page)})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return _csrf(client.get("/curate"))


def _session_cookie(response: Any) -> str:
    cookies = response.headers.getlist("Set-Cookie")
    found = [c for c in cookies if c.startswith("bf_session=")]
    assert found, cookies
    return found[-1]


def _payload(cookie: str) -> dict[str, Any]:
    """What Flask's signed (not encrypted) session cookie carries."""
    value = cookie.split(";")[0].split("=", 1)[1]
    compressed = value.startswith(".")
    data = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return dict(json.loads(zlib.decompress(raw) if compressed else raw))


def test_curator_pages_need_a_sign_in(client: FlaskClient) -> None:
    for path in ("/curate", "/curate/sources/1", "/curate/facts/1"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/sign-in?next=")


def test_sign_in_keeps_only_a_digest_in_a_strict_cookie(client: FlaskClient, secret: str) -> None:
    page = client.get("/sign-in")
    assert page.status_code == 200
    field = soup(page).find("input", attrs={"name": "token"})
    assert field["type"] == "password"
    response = client.post(
        "/sign-in", data={"token": secret, "csrf_token": _csrf(page), "next": "/curate"}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/curate"
    assert secret not in response.headers["Location"]
    cookie = _session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert secret not in cookie
    payload = _payload(cookie)
    assert secret not in json.dumps(payload) and set(payload) >= {"token", "csrf"}
    home = client.get("/curate")
    assert home.status_code == 200 and "curator-ana" in home.get_data(as_text=True)
    # Sign out ends it.
    out = client.post("/sign-out", data={"csrf_token": _csrf(home)})
    assert out.status_code == 303
    assert client.get("/curate").status_code == 303


def test_a_bad_token_is_refused_and_an_offsite_next_ignored(
    client: FlaskClient, secret: str
) -> None:
    page = client.get("/sign-in")
    bad = client.post("/sign-in", data={"token": "bf_nope", "csrf_token": _csrf(page)})
    assert bad.status_code == 401 and "not a valid API token" in bad.get_data(as_text=True)
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={"token": secret, "csrf_token": _csrf(page), "next": "//evil.example/x"},
    )
    assert response.headers["Location"] == "/curate"


def test_posts_need_the_csrf_token_and_this_sites_origin(client: FlaskClient, secret: str) -> None:
    token = _sign_in(client, secret)
    no_token = client.post("/curate/articles", data={"body": ARTICLE})
    assert no_token.status_code == 403
    wrong = client.post("/curate/articles", data={"body": ARTICLE, "csrf_token": "x" * 43})
    assert wrong.status_code == 403
    cross = client.post(
        "/curate/articles",
        data={"body": ARTICLE, "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403
    assert "only from this site" in cross.get_data(as_text=True)
    # A sign-in form posted from elsewhere (no session, so no CSRF token) is refused too.
    other = client.application.test_client()
    assert other.post("/sign-in", data={"token": secret}).status_code == 403


def test_a_revoked_token_ends_the_session(
    client: FlaskClient, secret: str, db_session: Session
) -> None:
    _sign_in(client, secret)
    assert client.get("/curate").status_code == 200
    revoke_token(db_session, "curator-ana")
    db_session.flush()
    assert client.get("/curate").status_code == 303


def _paste(client: FlaskClient, token: str, body: str = ARTICLE) -> int:
    response = client.post(
        "/curate/articles",
        data={"body": body, "csrf_token": token, "outlet": "Reuters", "published": "2020-03-03"},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    match = re.fullmatch(r"/curate/sources/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def test_a_pasted_article_shows_its_suggestions_in_the_text(
    client: FlaskClient, secret: str, db_session: Session
) -> None:
    token = _sign_in(client, secret)
    source_id = _paste(client, token)
    page = client.get(f"/curate/sources/{source_id}")
    doc = soup(page)
    rows = db_session.scalars(select(Suggestion).where(Suggestion.source_id == source_id)).all()
    assert rows, "the extractor suggests something for this article"
    for row in rows:
        card = doc.find(attrs={"data-suggestion-id": str(row.id)})
        assert card is not None
        marks = [m for m in doc.find_all("mark") if str(row.id) in m["data-suggestion"].split()]
        assert marks, f"suggestion {row.id} is highlighted"
        assert card.find("form", attrs={"aria-label": f"Accept suggestion {row.id}"})
        assert "cues" in card.get_text()


def test_upload_a_file_and_refuse_empty_or_bad_articles(client: FlaskClient, secret: str) -> None:
    from io import BytesIO

    token = _sign_in(client, secret)
    upload = client.post(
        "/curate/articles",
        data={"csrf_token": token, "file": (BytesIO(read_seed("002").encode()), "002.txt")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 303  # the seed is stored already: its page
    empty = client.post("/curate/articles", data={"csrf_token": token, "body": "  "})
    assert empty.status_code == 422 and "Paste the article" in empty.get_data(as_text=True)
    bad = client.post(
        "/curate/articles",
        data={"csrf_token": token, "file": (BytesIO(b"\xff\xfe\x00bad"), "x.txt")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    bad_url = client.post(
        "/curate/articles", data={"csrf_token": token, "body": ARTICLE, "url": "javascript:1"}
    )
    assert bad_url.status_code == 422 and "url" in bad_url.get_data(as_text=True)


def _first_open(db_session: Session, source_id: int) -> Suggestion:
    row = db_session.scalar(
        select(Suggestion)
        .where(Suggestion.source_id == source_id, Suggestion.status == "open")
        .order_by(Suggestion.confidence.desc(), Suggestion.id)
    )
    assert row is not None
    return row


def test_accept_with_edits_publish_and_read_it_anonymously(
    app: Flask, client: FlaskClient, secret: str, db_session: Session
) -> None:
    token = _sign_in(client, secret)
    source_id = _paste(client, token)
    row = _first_open(db_session, source_id)
    form = soup(client.get(f"/curate/sources/{source_id}")).find(
        "form", attrs={"aria-label": f"Accept suggestion {row.id}"}
    )
    fields = {
        el["name"]: el.get("value", "")
        for el in form.find_all("input")
        if el.get("name") and el.get("type") != "submit"
    }
    for select_el in form.find_all("select"):
        chosen = select_el.find("option", selected=True)
        fields[select_el["name"]] = chosen.get("value", chosen.get_text()) if chosen else ""
    fields["summary"] = "Russia and Iraq signed an oil and gas cooperation agreement."
    accepted = client.post(form["action"], data=fields)
    assert accepted.status_code == 303, accepted.get_data(as_text=True)[:1500]
    fact_id = int(accepted.headers["Location"].rsplit("/", 1)[1])
    fact = db_session.get(Fact, fact_id)
    assert fact is not None and fact.status == "draft"
    assert fact.summary == fields["summary"]
    assert fact.created_by == "curator-ana"
    anonymous = app.test_client()
    assert anonymous.get(f"/facts/{fact_id}").status_code == 404  # a draft
    page = client.get(f"/curate/facts/{fact_id}")
    publish = soup(page).find("form", action=f"/curate/facts/{fact_id}/publish")
    data = {el["name"]: el["value"] for el in publish.find_all("input")}
    done = client.post(publish["action"], data=data)
    assert done.status_code == 303 and done.headers["Location"] == f"/facts/{fact_id}"
    shown = anonymous.get(f"/facts/{fact_id}")
    assert shown.status_code == 200
    assert fields["summary"] in shown.get_data(as_text=True)
    assert db_session.get(Suggestion, row.id).status == "accepted"
    # Deciding again is refused with a message, nothing written.
    again = client.post(form["action"], data=fields)
    assert again.status_code == 409


def test_publishing_a_fact_someone_changed_shows_both_versions(
    client: FlaskClient, secret: str, db_session: Session
) -> None:
    token = _sign_in(client, secret)
    source_id = _paste(client, token)
    row = _first_open(db_session, source_id)
    accepted = client.post(
        f"/curate/sources/{source_id}/suggestions/{row.id}/accept", data={"csrf_token": token}
    )
    assert accepted.status_code == 303, accepted.get_data(as_text=True)[:1500]
    fact_id = int(accepted.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/curate/facts/{fact_id}")
    publish = soup(page).find("form", action=f"/curate/facts/{fact_id}/publish")
    seen = {el["name"]: el["value"] for el in publish.find_all("input")}
    # Someone else edits the draft through the API meanwhile.
    other = {"Authorization": "Bearer " + create_token(db_session, "curator-ben", ["write"])}
    tag = client.get(f"/api/v1/facts/{fact_id}", headers=other).headers["ETag"]
    edited = client.patch(
        f"/api/v1/facts/{fact_id}",
        json={"summary": "Ben's better summary of the agreement."},
        headers={**other, "If-Match": tag},
    )
    assert edited.status_code == 200, edited.get_json()
    refused = client.post(publish["action"], data=seen)
    assert refused.status_code == 412
    doc = soup(refused)
    assert "someone else changed this fact first" in doc.get_text()
    assert (
        doc.find(attrs={"data-now": "summary"}).get_text()
        == "Ben's better summary of the agreement."
    )
    assert (
        doc.find(attrs={"data-seen": "summary"}).get_text()
        != doc.find(attrs={"data-now": "summary"}).get_text()
    )
    assert db_session.get(Fact, fact_id).status == "draft"  # nothing published
    # The page carries the new ETag: publishing now works.
    fresh = soup(refused).find("form", action=f"/curate/facts/{fact_id}/publish")
    again = client.post(
        fresh["action"], data={el["name"]: el["value"] for el in fresh.find_all("input")}
    )
    assert again.status_code == 303


def test_a_fact_from_selected_words(client: FlaskClient, secret: str, db_session: Session) -> None:
    token = _sign_in(client, secret)
    source_id = _paste(client, token)
    quote = "Novak said Russian companies would invest $4 billion in Iraqi oil fields"
    start = ARTICLE.index(quote)
    form = {
        "csrf_token": token,
        "start": str(start),
        "end": str(start + len(quote)),
        "quote": quote,
        "type": "energy_cooperation",
        "subject": "RUS",
        "counterpart": "iq",
        "date": "2020-03",
        "date_basis": "stated",
        "summary": "Russian companies would invest in Iraqi oil fields.",
        "attributes": "",
    }
    missing = client.post(f"/curate/sources/{source_id}/facts", data={**form, "start": ""})
    assert missing.status_code == 422 and "Select the words" in missing.get_data(as_text=True)
    bad = client.post(f"/curate/sources/{source_id}/facts", data={**form, "type": "nonsense"})
    assert bad.status_code == 422
    count = db_session.scalar(select(Fact.id).order_by(Fact.id.desc()).limit(1))
    created = client.post(f"/curate/sources/{source_id}/facts", data=form)
    if created.status_code != 303:
        # Some types need attributes: the page says which.
        body = created.get_data(as_text=True)
        assert created.status_code == 422 and "attributes" in body, body[:2000]
        form["attributes"] = '{"sector": "oil"}'
        created = client.post(f"/curate/sources/{source_id}/facts", data=form)
    assert created.status_code == 303, created.get_data(as_text=True)[:2000]
    fact_id = int(created.headers["Location"].rsplit("/", 1)[1])
    assert fact_id != count
    fact = db_session.get(Fact, fact_id)
    assert fact.counterpart == "IRQ" and fact.status == "draft"
    (ev,) = fact.evidence
    assert (ev.start, ev.end, ev.verified) == (start, start + len(quote), True)


HOSTILE = [
    "\x00",
    "é" * 3,
    "x" * 5000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\ud7ff\ufffd",
    "1e999999",
    "-1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_form_values_get_a_page_never_a_500(
    client: FlaskClient, secret: str, db_session: Session, value: str
) -> None:
    token = _sign_in(client, secret)
    source_id = _paste(client, token)
    row = _first_open(db_session, source_id)
    before = db_session.scalar(select(Fact.id).order_by(Fact.id.desc()).limit(1))
    posts = [
        ("/sign-in", {"token": value, "csrf_token": token}),
        ("/curate/articles", {"csrf_token": value, "body": ARTICLE}),
        ("/curate/articles", {"csrf_token": token, "body": value, "published": value}),
        ("/curate/articles", {"csrf_token": token, "body": ARTICLE + value, "url": value}),
        (
            f"/curate/sources/{source_id}/suggestions/{row.id}/accept",
            {"csrf_token": token, "summary": value, "date": value, "value": value},
        ),
        (
            f"/curate/sources/{source_id}/suggestions/{row.id}/accept",
            {"csrf_token": token, "subject": value, "type": value},
        ),
        (f"/curate/sources/{source_id}/suggestions/{row.id}/reject", {"csrf_token": value}),
        (
            f"/curate/sources/{source_id}/facts",
            {
                "csrf_token": token,
                "start": value,
                "end": "10",
                "quote": value,
                "type": "statement",
                "summary": value,
                "attributes": value,
            },
        ),
        (
            f"/curate/sources/{source_id}/facts",
            {
                "csrf_token": token,
                "start": "0",
                "end": "6",
                "quote": value,
                "type": "statement",
                "subject": "RUS",
                "counterpart": "IRQ",
                "summary": value,
                "attributes": '{"kind": "other"}',
            },
        ),
        ("/curate/facts/1/publish", {"csrf_token": token, "if_match": value, "version": value}),
    ]
    for path, data in posts:
        response = client.post(path, data=data)
        assert response.status_code < 500, (path, response.get_data(as_text=True)[:800])
        assert response.mimetype == "text/html", path
    for path in (f"/facts?q={value}", f"/facts?party={value}", f"/parties/{value}"):
        response = client.get(path)
        assert response.status_code < 500, (path, response.get_data(as_text=True)[:800])
    assert client.get("/curate/articles").status_code == 405
    # Nothing half-written: any fact made was made whole (a verified quote, a draft).
    for fact in db_session.scalars(select(Fact).where(Fact.id > (before or 0))):
        assert fact.status == "draft" and all(e.verified for e in fact.evidence)
