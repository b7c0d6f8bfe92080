"""The thin read path (api/fastpath.py) answers exactly as Flask would, or leaves it to Flask.

Every request here is sent twice, once with the thin path on and once with it off; the
status, the headers (all but the rate-limit clock) and the body must be identical, and the
thin path must have answered (or, for the fallback cases, must not have).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from api import create_app, migrate
from api.fastpath import FastPath
from api.services.fixtures import load_fixtures
from tests.conftest import FIXTURES, problem
from tests.databases import BACKENDS, database_url
from tests.factories import make_fact, make_token
from tests.support.wsgi_layers import record_statements, thin_path

_CLOCK = {"RateLimit-Reset", "Retry-After", "RateLimit-Remaining"}


def _answer(client: FlaskClient, url: str, **kwargs: Any) -> tuple[Any, ...]:
    r = client.get(url, **kwargs)
    headers = sorted((k, v) for k, v in r.headers.items() if k not in _CLOCK)
    return r.status_code, headers, r.get_data()


def same(app: Flask, client: FlaskClient, url: str, *, served: bool = True, **kwargs: Any) -> Any:
    """Ask both ways; assert identical answers and who answered. Returns the response."""
    fast: FastPath = thin_path(app)
    before = fast.served
    fast.enabled = True
    try:
        thin = _answer(client, url, **kwargs)
        assert fast.served == before + (1 if served else 0), url
        fast.enabled = False
        full = _answer(client, url, **kwargs)
    finally:
        fast.enabled = True
    assert thin[0] == full[0], url
    assert thin[1] == full[1], url
    assert thin[2] == full[2], url
    return client.get(url, **kwargs)


PAGES = [
    "/api/v1/facts",
    "/api/v1/facts?dyad=RUS,IRQ",
    "/api/v1/facts?dyad=IRQ,RUS&sort=-date&limit=50",
    "/api/v1/facts?dyad=ru,iq&limit=3",  # alpha-2, lower case
    "/api/v1/facts?dyad=643,368&limit=3",  # numeric
    "/api/v1/facts?dyad=RUS,ISL",  # a known party with no facts: an empty page
    "/api/v1/facts?subject=RUS&limit=2",
    "/api/v1/facts?counterpart=IRQ&sort=id",
    "/api/v1/facts?party=OPEC&sort=-id&limit=4",
    "/api/v1/facts?party=SAU",
    "/api/v1/facts?type=aid_offer",
    "/api/v1/facts?type=statement,phone_call&sort=date",
    "/api/v1/facts?from=2015&to=2016",
    "/api/v1/facts?from=2015-05&to=2015-05-21&dyad=RUS,IRQ",
    "/api/v1/facts?to=2000",
    "/api/v1/facts?limit=1&sort=-date",
    "/api/v1/facts?limit=500",
    "/api/v1/facts?format=json&limit=5",
    "/api/v1/facts?format=ndjson",
    "/api/v1/facts?format=ndjson&dyad=RUS,IRQ&sort=date",
    "/api/v1/facts?format=csv",
    "/api/v1/facts?format=csv&dyad=RUS,IRQ&from=1991&to=2016",
    "/api/v1/facts?format=csv&type=aid_offer&sort=id",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_and_exports_match_flask(app: Flask, client: FlaskClient, url: str) -> None:
    r = same(app, client, url)
    assert r.status_code == 200


@pytest.mark.parametrize("query", ["dyad=RUS,XXX", "party=IRK", "subject=QQ&format=csv"])
def test_unknown_codes_get_flasks_400_from_both_paths(
    app: Flask, client: FlaskClient, query: str
) -> None:
    r = same(app, client, f"/api/v1/facts?{query}", served=False)
    assert r.status_code == 400 and r.get_json()["type"] == "/problems/unknown-code"


@pytest.mark.parametrize("accept", ["text/csv", "application/x-ndjson", "*/*", "application/json"])
def test_accept_negotiation_matches_flask(app: Flask, client: FlaskClient, accept: str) -> None:
    same(app, client, "/api/v1/facts?dyad=RUS,IRQ", headers={"Accept": accept})


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("url", "accept", "status"),
    [
        ("/api/v1/facts?dyad=RUS,IRQ", "text/html", 406),  # nothing a list can send
        ("/api/v1/facts?dyad=RUS,IRQ", BROWSER, 200),  # */* admits JSON
        ("/api/v1/facts?dyad=RUS,IRQ", "text/csv; charset=utf-8", 200),
        ("/api/v1/facts?dyad=RUS,IRQ", "", 200),
        ("/api/v1/facts/2", "text/csv", 406),  # one fact is JSON only
        ("/api/v1/facts/2", BROWSER, 200),
    ],
)
def test_other_accept_values_are_negotiated_by_flask(
    app: Flask, client: FlaskClient, url: str, accept: str, status: int
) -> None:
    r = same(app, client, url, served=False, headers={"Accept": accept})
    assert r.status_code == status


@pytest.mark.parametrize("sort", ["-date", "date", "id", "-id"])
def test_following_every_cursor_matches_flask(app: Flask, client: FlaskClient, sort: str) -> None:
    url: str | None = f"/api/v1/facts?sort={sort}&limit=4"
    seen: list[int] = []
    while url:
        r = same(app, client, url)
        seen += [f["id"] for f in r.get_json()["data"]]
        url = r.get_json()["links"]["next"]
    total = client.get("/api/v1/facts?count=true&limit=1").get_json()["meta"]["total"]
    assert len(seen) == len(set(seen)) == total


def test_every_fact_matches_flask(app: Flask, client: FlaskClient) -> None:
    ids = [f["id"] for f in client.get("/api/v1/facts?limit=500").get_json()["data"]]
    assert len(ids) > 20
    linked = 0
    for fact_id in ids:
        url = f"/api/v1/facts/{fact_id}"
        # A fact with links is Flask's to answer (services/links.py shows them).
        links = client.get(url).get_json()["links"]
        linked += bool(links)
        same(app, client, url, served=not links)
    assert 0 < linked < len(ids)


def test_revalidation_matches_flask(app: Flask, client: FlaskClient) -> None:
    for url in ("/api/v1/facts?dyad=RUS,IRQ&limit=5", "/api/v1/facts/2"):
        tag = client.get(url).headers["ETag"]
        r = same(app, client, url, headers={"If-None-Match": tag})
        assert r.status_code == 304 and r.headers["ETag"] == tag
        # A list of tags, a weak form, and a tag that no longer matches.
        same(app, client, url, headers={"If-None-Match": f'"other", W/{tag}'})
        same(app, client, url, headers={"If-None-Match": '"stale"'})
        star = same(app, client, url, headers={"If-None-Match": "*"})  # any current one
        assert star.status_code == 304 and star.headers["ETag"] == tag


def test_a_write_is_seen_at_once(app: Flask, client: FlaskClient, db_session: Session) -> None:
    url = "/api/v1/facts/2"
    before = client.get(url)
    token = make_token(db_session, scopes=("write",))
    patched = client.patch(
        url,
        json={"summary": "Changed for the thin-path test."},
        headers={"Authorization": token, "If-Match": before.headers["ETag"]},
    )
    assert patched.status_code == 200
    r = same(app, client, url, headers={"If-None-Match": before.headers["ETag"]})
    assert r.status_code == 200 and r.get_json()["summary"] == "Changed for the thin-path test."
    assert r.headers["ETag"] == patched.headers["ETag"] != before.headers["ETag"]
    listed = same(app, client, "/api/v1/facts?sort=id&limit=2")
    assert listed.get_json()["data"][1]["summary"] == "Changed for the thin-path test."


def test_a_plain_postgresql_page_reads_its_version_in_the_same_statement(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    backend: str,
    request: pytest.FixtureRequest,
) -> None:
    """On PostgreSQL a page without If-None-Match is one statement (the data state read
    with it); a write in between still shows at once, with the new ETag. (A page kept by
    the page cache is read differently: tests/test_page_cache.py; off here.)"""
    if backend != "postgresql":
        pytest.skip("one statement per page is PostgreSQL's (SQLite reads in process)")
    fast: FastPath = thin_path(app)
    pages, fast.pages = fast.pages, None
    request.addfinalizer(lambda: setattr(fast, "pages", pages))
    url = "/api/v1/facts?sort=id&limit=2"
    first = same(app, client, url)
    executed = record_statements(fast)
    try:
        assert client.get(url).headers["ETag"] == first.headers["ETag"]
        assert len(executed) == 1 and "data_state" in executed[0], executed
        token = make_token(db_session, scopes=("write",))
        patched = client.patch(
            "/api/v1/facts/1",
            json={"summary": "Seen by the one-statement page."},
            headers={
                "Authorization": token,
                "If-Match": client.get("/api/v1/facts/1").headers["ETag"],
            },
        )
        assert patched.status_code == 200
        executed.clear()
        after = client.get(url)
        assert len(executed) == 1, executed
    finally:
        del fast._connection
    assert after.get_json()["data"][0]["summary"] == "Seen by the one-statement page."
    assert after.headers["ETag"] != first.headers["ETag"]
    assert same(app, client, url).get_data() == after.get_data()


FALLBACKS = [
    "/api/v1/facts?fields=id",
    "/api/v1/facts?count=true",
    "/api/v1/facts?q=oil",
    "/api/v1/facts?sort=value",
    "/api/v1/facts?sort=--date",
    "/api/v1/facts?status=all",
    "/api/v1/facts?limit=0",
    "/api/v1/facts?limit=501",
    "/api/v1/facts?limit=050",
    "/api/v1/facts?limit=ten",
    "/api/v1/facts?dyad=RUS",
    "/api/v1/facts?dyad=RUS,RUS",
    "/api/v1/facts?dyad=RUS,RU",  # two spellings of one party
    "/api/v1/facts?dyad=RUS,%20IRQ",
    "/api/v1/facts?subject=R",
    "/api/v1/facts?subject=RUS%0A",  # "$" in a pattern would let the newline in
    "/api/v1/facts?subject=RUS&subject=IRQ",
    "/api/v1/facts?type=no_such_type",
    "/api/v1/facts?type=aid_offer,",
    "/api/v1/facts?from=2015-02-30",
    "/api/v1/facts?from=15",
    "/api/v1/facts?format=xml",
    "/api/v1/facts?cursor=nonsense",
    "/api/v1/facts?format=csv&cursor=x",
    "/api/v1/facts?unknown=1",
    "/api/v1/facts?as_of=2020-01-01T00:00:00Z",
    "/api/v1/facts/0",
    "/api/v1/facts/01",
    "/api/v1/facts/99999",
    "/api/v1/facts/2147483648",
    "/api/v1/facts/1?as_of=2020-01-01T00:00:00Z",
    "/api/v1/facts/1?x=1",
    "/api/v1/facts/1/history",
]


@pytest.mark.parametrize("url", FALLBACKS)
def test_everything_else_is_left_to_flask(app: Flask, client: FlaskClient, url: str) -> None:
    same(app, client, url, served=False)


def test_foreign_cursor_is_left_to_flask(app: Flask, client: FlaskClient) -> None:
    nxt = client.get("/api/v1/facts?limit=2").get_json()["links"]["next"]
    cursor = nxt.split("cursor=")[1]
    r = same(app, client, f"/api/v1/facts?limit=2&dyad=RUS,IRQ&cursor={cursor}", served=False)
    problem(r, 400)


def test_drafts_tokens_and_head_are_left_to_flask(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    draft = make_fact(db_session, status="draft")
    db_session.flush()
    problem(same(app, client, f"/api/v1/facts/{draft.id}", served=False), 404)
    auth = {"Authorization": make_token(db_session, scopes=("read",))}
    assert (
        same(app, client, f"/api/v1/facts/{draft.id}", served=False, headers=auth).status_code
        == 200
    )
    same(app, client, "/api/v1/facts?limit=2", served=False, headers=auth)
    fast: FastPath = thin_path(app)
    before = fast.served
    assert client.head("/api/v1/facts?limit=2").status_code == 200
    assert fast.served == before


def test_sqlite_writes_json_as_orjson_does() -> None:
    """The thin path embeds SQLite's JSON text as is; every character must come out alike."""
    conn = sqlite3.connect(":memory:")
    text = "".join(chr(c) for c in range(0x1, 0xD800)) + "".join(
        chr(c) for c in (0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF)
    )
    for start in range(0, len(text), 4096):
        chunk = '\\"' + text[start : start + 4096] + "\x00"
        (written,) = conn.execute("SELECT json_quote(?)", (chunk,)).fetchone()
        assert written == orjson.dumps(chunk).decode()


# -- on an app of its own: pooled connections and rate limits ----------------------------


def _own_app(tmp_path: Path, backend: str = "sqlite", **config: Any) -> Flask:
    url = database_url(backend, "thin", tmp_path)
    app = create_app({"TESTING": True, "DATABASE_URL": url, **config})
    migrate.upgrade(app.extensions["db_engine"])
    from api import db

    with app.app_context():
        with db.write_transaction() as s:
            load_fixtures(s, FIXTURES)
        db.session.remove()
    return app


def test_rate_limits_are_counted_with_flasks(tmp_path: Path) -> None:
    app = _own_app(tmp_path, RATE_LIMIT_READS="4 per minute")
    client = app.test_client()
    fast: FastPath = thin_path(app)
    remaining = []
    for url in ("/api/v1/facts?limit=1", "/api/v1/fact-types", "/api/v1/facts/2", "/api/v1/facts"):
        r = client.get(url)
        assert r.status_code == 200
        remaining.append(r.headers["RateLimit-Remaining"])
        assert r.headers["RateLimit-Limit"] == "4"
        assert "Retry-After" not in r.headers  # only a 429 asks the client to wait
    assert remaining == ["3", "2", "1", "0"]
    assert fast.served == 3
    body = problem(client.get("/api/v1/facts?limit=1"), 429)
    assert body["type"] == "/problems/rate-limited"
    other = client.get("/api/v1/facts?limit=1", environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert other.status_code == 200 and fast.served == 4


def test_read_transactions_end_with_the_response(tmp_path: Path) -> None:
    app = _own_app(tmp_path, RATELIMIT_ENABLED=False)
    client = app.test_client()
    fast: FastPath = thin_path(app)
    for url in ("/api/v1/facts", "/api/v1/facts/2", "/api/v1/facts?format=ndjson"):
        assert client.get(url).status_code == 200
    # An export abandoned before its first row, and one abandoned half way.
    unread = client.get("/api/v1/facts?format=ndjson", buffered=False)
    unread.close()
    partial = client.get("/api/v1/facts?format=csv", buffered=False)
    next(iter(partial.response))
    partial.close()
    assert fast.served == 5
    own = fast._local.conn[1]  # the thread's connection: no transaction left open
    assert own.in_transaction is False


@pytest.mark.parametrize("backend", BACKENDS)
def test_own_connections_answer_like_flask(tmp_path: Path, backend: str) -> None:
    """Outside the tests' shared transaction: the thread's own connection (autocommit and a
    server-side cursor for exports on PostgreSQL) gives the same answers."""
    app = _own_app(tmp_path, backend, RATELIMIT_ENABLED=False)
    client = app.test_client()
    urls = [
        "/api/v1/facts?dyad=RUS,IRQ&limit=3",
        "/api/v1/facts/2",
        "/api/v1/facts?format=ndjson",
        "/api/v1/facts?format=csv&sort=id",
    ]
    for url in urls:
        same(app, client, url)
    tag = client.get(urls[0]).headers["ETag"]
    assert same(app, client, urls[0], headers={"If-None-Match": tag}).status_code == 304
    thin_path(app)._discard()
    app.extensions["db_engine"].dispose()


def test_a_broken_connection_is_dropped_and_flask_answers(tmp_path: Path) -> None:
    app = _own_app(tmp_path, RATELIMIT_ENABLED=False)
    client = app.test_client()
    fast: FastPath = thin_path(app)
    assert client.get("/api/v1/facts/2").status_code == 200
    fast._local.conn[1].close()  # as if the database went away under it
    r = client.get("/api/v1/facts/2")
    assert r.status_code == 200 and fast.served == 1  # Flask answered
    assert fast._local.conn is None
    assert client.get("/api/v1/facts/2").status_code == 200 and fast.served == 2


def test_fast_path_can_be_turned_off(tmp_path: Path) -> None:
    app = _own_app(tmp_path, FAST_PATH=False, RATELIMIT_ENABLED=False)
    assert app.test_client().get("/api/v1/facts").status_code == 200
    assert thin_path(app).served == 0


def test_origins_restricted_by_cors_get_the_same_headers_from_both_paths(tmp_path: Path) -> None:
    """The CORS headers come from the one header policy: the thin path serves these too."""
    listed = ["https://dash.example", "https://other.example"]
    app = _own_app(tmp_path, CORS_ORIGINS=listed, RATELIMIT_ENABLED=False)
    client = app.test_client()
    for url in ("/api/v1/facts?limit=2", "/api/v1/facts?format=csv", "/api/v1/facts/2"):
        for origin in ("https://dash.example", "https://evil.example", None):
            headers = {"Origin": origin} if origin else {}
            r = same(app, client, url, headers=headers)
            r.close()  # a streamed export holds its connection until read or closed
            assert r.headers.get("Access-Control-Allow-Origin") == (
                origin if origin in listed else None
            ), (url, origin)
            assert "Origin" in r.headers["Vary"]  # the answer depends on it
            tag = r.headers["ETag"]
            assert (
                same(app, client, url, headers={**headers, "If-None-Match": tag}).status_code == 304
            )


def test_rows_sqlite_cannot_write_exactly_are_built_in_python(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    """Fractional values and non-ASCII attributes take the Python route; odd text does not."""
    fractional = make_fact(
        db_session,
        type="trade_volume",
        attributes={"flow": "total", "composition": "нефть и газ"},
        value="12.5",
        unit="USD",
        value_qualifier="approximately",
        summary='Tab\there, a "quote", é and … all kept.',
    )
    plain = make_fact(
        db_session,
        type="trade_volume",
        attributes={"flow": "total"},
        value="2000000000",
        unit="USD",
        value_qualifier="exact",
        summary="Line\nbreak, \u2028, \x7f and 😀 in the summary.",
    )
    db_session.flush()
    if db_session.get_bind().dialect.name == "sqlite":
        from api.services.fact_query import FactQuery

        query = FactQuery.build({}, "-id")
        sql = query.page_statement("sqlite", "", False, True)
        found = db_session.connection().exec_driver_sql(sql, tuple(query.binds("sqlite")))
        docs = {i: d for d, i, _ in found.fetchall()}
        assert docs[fractional.id] is None and docs[plain.id] is not None
    for url in (
        "/api/v1/facts?sort=-id&limit=3",
        "/api/v1/facts?format=ndjson&type=trade_volume",
        f"/api/v1/facts/{fractional.id}",
        f"/api/v1/facts/{plain.id}",
    ):
        same(app, client, url)
    page = client.get("/api/v1/facts?sort=-id&limit=2").get_json()["data"]
    assert [f["value"] for f in page] == ["2000000000", "12.5"]


@pytest.mark.parametrize("sort", ["-date", "date"])
def test_pages_through_many_facts_on_one_date(
    app: Flask, client: FlaskClient, db_session: Session, sort: str
) -> None:
    """A cursor in the middle of facts sharing a date continues with the rest of that date,
    then the next dates (two seeks on SQLite), exactly as Flask pages."""
    made = {make_fact(db_session, date="2015-05", date_precision="month").id for _ in range(7)}
    db_session.flush()
    url: str | None = f"/api/v1/facts?sort={sort}&limit=2&dyad=RUS,IRQ"
    seen: list[int] = []
    while url:
        r = same(app, client, url)
        seen += [f["id"] for f in r.get_json()["data"]]
        url = r.get_json()["links"]["next"]
    assert made <= set(seen) and len(seen) == len(set(seen))
    total = client.get("/api/v1/facts?dyad=RUS,IRQ&count=true&limit=1").get_json()["meta"]
    assert len(seen) == total["total"]


def test_a_host_flask_does_not_serve_is_left_to_flask_even_for_a_304(tmp_path: Path) -> None:
    """With TRUSTED_HOSTS set, a request for another host is Flask's, even when it carries
    a current tag or asks for a page kept here: the thin path answers those before it makes
    a request object, so it checks the host first. (Flask gives the page's request its 400,
    and a revalidation its 304: its revalidation hook runs before anything reads the host,
    and the tag does not depend on it.)"""
    app = _own_app(tmp_path, TRUSTED_HOSTS=["api.example"], RATELIMIT_ENABLED=False)
    client = app.test_client()
    url = "/api/v1/facts?limit=2"
    ours = {"Host": "api.example"}
    tag = same(app, client, url, headers=ours).headers["ETag"]  # now kept, too
    assert same(app, client, url, headers={**ours, "If-None-Match": tag}).status_code == 304
    for headers in ({}, {"If-None-Match": tag}, {"If-None-Match": f"W/{tag}"}):
        other = {**headers, "Host": "evil.example"}
        r = same(app, client, url, served=False, headers=other)
        assert r.status_code == (304 if headers else 400), headers


def test_kept_pages_answer_every_form_of_if_none_match_as_flask(
    app: Flask, client: FlaskClient
) -> None:
    """A kept page and a 304 are answered from the raw header when it is the tag as sent,
    and from the parsed header otherwise (weak, in a list, ``*``, stale): as Flask does."""
    url = "/api/v1/facts?dyad=RUS,IRQ&limit=3"
    tag = same(app, client, url).headers["ETag"]
    fast = thin_path(app)
    for sent, status in (
        (tag, 304),
        (f"W/{tag}", 304),
        (f'"other", {tag}', 304),
        ("*", 304),
        ('"stale"', 200),
        ('W/"stale", "older"', 200),
    ):
        hits = fast.pages.hits  # type: ignore[union-attr]
        assert same(app, client, url, headers={"If-None-Match": sent}).status_code == status
        if status == 200:  # the kept page, sent again
            assert fast.pages.hits > hits, sent  # type: ignore[union-attr]
