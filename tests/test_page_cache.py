"""Answered pages kept per worker (api/responses/page_cache.py): sent again only while the
data version they were read at is current, byte for byte what a fresh read gives, never
across hosts or Accept values, and bounded in size."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from api import create_app, migrate
from api.responses.page_cache import Page, PageCache, page_cache
from tests.databases import database_url
from tests.factories import make_token
from tests.support.wsgi_layers import record_statements, thin_path

URL = "/api/v1/facts?dyad=RUS,IRQ&sort=-date&limit=3"
_CLOCK = {"RateLimit-Reset", "Retry-After", "RateLimit-Remaining"}


def _answer(client: FlaskClient, url: str, **kwargs: Any) -> tuple[Any, ...]:
    r = client.get(url, **kwargs)
    return r.status_code, sorted(r.headers.items()), r.get_data()


def _sent_again_reading_only_the_version(app: Flask, client: FlaskClient, url: str) -> Any:
    """Ask twice; assert the second answer is the kept one, for which the data version and
    nothing else was read. Returns the first answer."""
    fast = thin_path(app)
    assert fast.pages is not None
    first = _answer(client, url)
    hits = fast.pages.hits
    executed = record_statements(fast)
    try:
        again = _answer(client, url)
    finally:
        del fast._connection
    assert fast.pages.hits == hits + 1
    assert again == first
    assert len(executed) == 1 and "data_state" in executed[0], executed
    return first


def test_a_repeated_page_is_sent_again_unchanged_reading_only_the_version(
    app: Flask, client: FlaskClient
) -> None:
    fast = thin_path(app)
    first = _sent_again_reading_only_the_version(app, client, URL)
    # And it is what Flask answers for the same request.
    fast.enabled = False
    try:
        assert _answer(client, URL) == first
    finally:
        fast.enabled = True


def test_a_write_is_seen_at_once_on_a_kept_page(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    fast = thin_path(app)
    before = client.get(URL)
    client.get(URL)  # kept, and sent again
    fact_id = before.get_json()["data"][0]["id"]
    token = make_token(db_session, scopes=("write",))
    tag = client.get(f"/api/v1/facts/{fact_id}").headers["ETag"]
    patched = client.patch(
        f"/api/v1/facts/{fact_id}",
        json={"summary": "Changed after the page was kept."},
        headers={"Authorization": token, "If-Match": tag},
    )
    assert patched.status_code == 200
    hits = fast.pages.hits  # type: ignore[union-attr]
    after = client.get(URL)
    assert fast.pages.hits == hits  # type: ignore[union-attr]  # read again, not sent again
    assert after.get_json()["data"][0]["summary"] == "Changed after the page was kept."
    assert after.headers["ETag"] != before.headers["ETag"]
    # A revalidation with the old tag is a 200 with the new page, not a 304.
    r = client.get(URL, headers={"If-None-Match": before.headers["ETag"]})
    assert r.status_code == 200 and r.get_data() == after.get_data()
    # The new page is kept in its turn (and was the answer to that revalidation too).
    assert client.get(URL).get_data() == after.get_data()
    assert fast.pages.hits == hits + 2  # type: ignore[union-attr]


def test_revalidations_of_a_kept_page_are_304(app: Flask, client: FlaskClient) -> None:
    tag = client.get(URL).headers["ETag"]
    client.get(URL)
    for sent in (tag, "*", f'"other", W/{tag}'):
        r = client.get(URL, headers={"If-None-Match": sent})
        assert r.status_code == 304 and r.headers["ETag"] == tag and not r.get_data()
    assert client.get(URL, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_pages_are_kept_per_host_and_per_accept(app: Flask, client: FlaskClient) -> None:
    fast = thin_path(app)
    here = client.get(URL, base_url="http://127.0.0.1:8000").get_json()
    there = client.get(URL, base_url="https://facts.example").get_json()
    assert here["links"]["self"].startswith("http://127.0.0.1:8000/")
    assert there["links"]["self"].startswith("https://facts.example/")
    again = client.get(URL, base_url="https://facts.example").get_json()
    assert again == there
    hits = fast.pages.hits  # type: ignore[union-attr]
    csv = client.get(URL, headers={"Accept": "text/csv"})
    assert csv.headers["Content-Type"].startswith("text/csv")  # exports are never kept
    as_json = client.get(URL, headers={"Accept": "application/json"})
    assert as_json.headers["Content-Type"] == "application/json"
    assert fast.pages.hits == hits  # type: ignore[union-attr]  # a new Accept: read afresh


def test_following_cursors_with_kept_pages_matches_flask(app: Flask, client: FlaskClient) -> None:
    fast = thin_path(app)
    for _ in range(2):  # the second walk is answered from kept pages
        url: str | None = "/api/v1/facts?sort=-date&limit=7"
        while url:
            thin = _answer(client, url)
            fast.enabled = False
            try:
                assert _answer(client, url) == thin, url
            finally:
                fast.enabled = True
            url = client.get(url).get_json()["links"]["next"]
    assert fast.pages.hits > 0  # type: ignore[union-attr]


def test_rate_limits_count_kept_pages(backend: str, tmp_path: Any) -> None:
    limited = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url(backend, "page-cache-limits", tmp_path),
            "RATE_LIMIT_READS": "3 per minute",
        }
    )
    migrate.upgrade(limited.extensions["db_engine"])
    try:
        c = limited.test_client()
        url = "/api/v1/facts?limit=2"
        left = [c.get(url).headers.get("RateLimit-Remaining") for _ in range(3)]
        assert left == ["2", "1", "0"]
        assert thin_path(limited).pages.hits == 2  # type: ignore[union-attr]
        assert c.get(url).status_code == 429
    finally:
        limited.extensions["db_engine"].dispose()


def test_the_cache_is_bounded_by_bytes_least_recently_used_first() -> None:
    cache = PageCache(1000)
    for i in range(5):
        cache.put((f"/p{i}", ""), Page(1, b"x" * 100, []))
    assert len(cache) == 5 and cache.size == 500
    cache.get(("/p0", ""))  # used: kept longest
    for i in range(5, 11):
        cache.put((f"/p{i}", ""), Page(1, b"x" * 100, []))
    assert cache.size <= 1000
    assert cache.get(("/p0", "")) is not None
    assert cache.get(("/p1", "")) is None
    cache.put(("/p0", ""), Page(2, b"y" * 50, []))  # replaced, and accounted for
    replaced = cache.get(("/p0", ""))
    assert replaced is not None and (replaced.version, replaced.body) == (2, b"y" * 50)
    assert cache.size == sum(len(cache.get(k).body) for k in list(cache._pages))  # type: ignore[union-attr]
    cache.put(("/huge", ""), Page(1, b"z" * 126, []))  # over an eighth of the budget
    assert cache.get(("/huge", "")) is None
    cache.clear()
    assert len(cache) == 0 and cache.size == 0


@pytest.mark.parametrize(("megabytes", "expected"), [(0, None), ("0", None), (0.5, 524288)])
def test_the_budget_comes_from_the_configuration(megabytes: Any, expected: int | None) -> None:
    made = page_cache(megabytes)
    assert (made.max_bytes if made is not None else None) == expected


def test_a_kept_page_after_a_write_reads_the_version_then_the_page(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    """Two statements, once: the version (not the kept page's), then the page; the next
    request is the version alone again."""
    fast = thin_path(app)
    client.get(URL)
    token = make_token(db_session, scopes=("write",))
    tag = client.get("/api/v1/facts/1").headers["ETag"]
    patched = client.patch(
        "/api/v1/facts/1",
        json={"summary": "Bumps the data version."},
        headers={"Authorization": token, "If-Match": tag},
    )
    assert patched.status_code == 200
    executed = record_statements(fast)
    try:
        client.get(URL)
        after_write = list(executed)
        executed.clear()
        client.get(URL)
    finally:
        del fast._connection
    # (The party codes of the dyad are read again too: they are kept per version.)
    reads = [sql for sql in after_write if not sql.startswith("SELECT code, alpha2")]
    assert len(reads) == 2 and "data_state" in reads[0] and "FROM fact" in reads[1], after_write
    assert len(executed) == 1 and "data_state" in executed[0], executed


def test_postgresql_reads_the_data_state_from_a_prepared_statement(
    app: Flask, backend: str
) -> None:
    """The state read every thin-path request makes (fastpath._pg_state), on a connection
    of its own as in a server: the same answer as the plain statement, and prepared again
    when the server has dropped it."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL's prepared state read")
    from api.db import DATA_STATE_SQL
    from api.services import fact_docs

    fast = thin_path(app)
    proxied = app.extensions["db_engine"].raw_connection()
    conn = proxied.dbapi_connection
    proxied.detach()
    conn.autocommit = True
    try:
        version, shape = conn.execute(DATA_STATE_SQL).fetchone()
        expected = (int(version), shape == fact_docs.shape())
        assert fast._pg_state(conn) == expected
        name = fast._prepared[conn]
        assert fast._pg_state(conn) == expected and fast._prepared[conn] == name
        conn.execute("DEALLOCATE ALL")
        assert fast._pg_state(conn) == expected
        assert fast._prepared[conn] != name
    finally:
        conn.close()


def test_a_kept_page_lives_a_few_seconds_at_most(monkeypatch: pytest.MonkeyPatch) -> None:
    """A change by hand in SQL does not bump the data version: lists show it once the page
    has expired (FACTS_PAGE_CACHE_SECONDS)."""
    now = [1000.0]
    monkeypatch.setattr("api.responses.page_cache.time.monotonic", lambda: now[0])
    cache = PageCache(10_000, max_age=5)
    cache.put(("/p", ""), Page(1, b"x" * 10, []))
    now[0] += 5
    assert cache.get(("/p", "")) is not None
    now[0] += 0.01
    assert cache.get(("/p", "")) is None
    assert len(cache) == 0 and cache.size == 0


def test_facts_db_touch_shows_a_change_by_hand_at_once(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    from sqlalchemy import text

    url = "/api/v1/facts?sort=id&limit=3"
    before = client.get(url)
    client.get(url)
    db_session.execute(text("UPDATE fact SET summary = 'Edited by hand.' WHERE id = 1"))
    kept = client.get(url)  # the page kept a moment ago, at an unchanged data version
    assert kept.get_data() == before.get_data()
    out = app.test_cli_runner().invoke(args=["db", "touch"])
    assert out.exit_code == 0 and out.output.startswith("data version "), out.output
    after = client.get(url)
    assert after.get_json()["data"][0]["summary"] == "Edited by hand."
    assert after.headers["ETag"] != before.headers["ETag"]
    # The document the edit left empty was built by the touch, as a write's would be.
    assert db_session.execute(text("SELECT doc IS NOT NULL FROM fact WHERE id = 1")).scalar()


@pytest.mark.parametrize(
    ("megabytes", "seconds", "on"), [(32, 5, True), (32, 0, False), (0, 5, False)]
)
def test_either_setting_at_zero_turns_it_off(megabytes: Any, seconds: Any, on: bool) -> None:
    assert (page_cache(megabytes, seconds) is not None) == on


def _kept_fact(app: Flask, client: FlaskClient) -> int:
    """A published fact the thin path answers (one without links), now kept."""
    fast = thin_path(app)
    for item in client.get("/api/v1/facts?sort=id&limit=50").get_json()["data"]:
        served = fast.served
        client.get(f"/api/v1/facts/{item['id']}")
        if fast.served == served + 1:
            return int(item["id"])
    raise AssertionError("no fact the thin path answers")


def test_a_repeated_fact_is_sent_again_unchanged_reading_only_the_version(
    app: Flask, client: FlaskClient
) -> None:
    fast = thin_path(app)
    url = f"/api/v1/facts/{_kept_fact(app, client)}"
    first = _sent_again_reading_only_the_version(app, client, url)
    tag = dict(first[1])["ETag"]
    for sent, status in ((tag, 304), ("*", 304), (f'"other", W/{tag}', 304), ('"stale"', 200)):
        r = client.get(url, headers={"If-None-Match": sent})
        assert r.status_code == status, sent
        assert r.headers["ETag"] == tag
    fast.enabled = False
    try:
        assert _answer(client, url) == first  # what Flask answers
    finally:
        fast.enabled = True


@pytest.mark.parametrize("change", ["fact", "source", "link"])
def test_a_write_is_seen_at_once_on_a_kept_fact(
    app: Flask, client: FlaskClient, db_session: Session, change: str
) -> None:
    """An edit of the fact, of one of its sources, or a new link to it (all in the
    fact's answer) bumps the data version: the kept fact is not sent again."""
    fact_id = _kept_fact(app, client)
    url = f"/api/v1/facts/{fact_id}"
    before = client.get(url)  # sent again from the cache
    auth = {"Authorization": make_token(db_session, scopes=("write",))}
    if change == "fact":
        r = client.patch(
            url,
            json={"summary": "Changed after it was kept."},
            headers={**auth, "If-Match": before.headers["ETag"]},
        )
    elif change == "source":
        source_id = before.get_json()["sources"][0]["id"]
        source_url = f"/api/v1/sources/{source_id}"
        r = client.patch(
            source_url,
            json={"title": "Retitled after the fact was kept"},
            headers={**auth, "If-Match": client.get(source_url).headers["ETag"]},
        )
    else:
        other = next(
            f["id"]
            for f in client.get("/api/v1/facts?sort=id&limit=50").get_json()["data"]
            if f["id"] != fact_id
        )
        r = client.post(
            f"/api/v1/facts/{other}/links",
            json={"relation": "follows_up", "to": fact_id},
            headers=auth,
        )
    assert r.status_code in (200, 201), r.get_data(as_text=True)
    fast = thin_path(app)
    after = _answer(client, url)
    assert after[2] != before.get_data() and dict(after[1])["ETag"] != before.headers["ETag"]
    got = client.get(url).get_json()
    if change == "fact":
        assert got["summary"] == "Changed after it was kept."
    elif change == "source":
        assert got["sources"][0]["title"] == "Retitled after the fact was kept"
    else:
        assert [ln["relation"] for ln in got["links"]] == ["follows_up"]
    r = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert r.status_code == 200
    fast.enabled = False
    try:
        assert _answer(client, url) == after  # what Flask answers
    finally:
        fast.enabled = True


def test_a_fact_for_a_host_flask_does_not_serve_is_flasks(backend: str, tmp_path: Any) -> None:
    """With TRUSTED_HOSTS set, a kept fact is not sent to a host Flask refuses (its 400)."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url(backend, "page-cache-hosts", tmp_path),
            "TRUSTED_HOSTS": ["api.example"],
            "RATELIMIT_ENABLED": False,
        }
    )
    migrate.upgrade(app.extensions["db_engine"])
    from api import db
    from api.services.fixtures import load_fixtures
    from tests.conftest import FIXTURES

    with app.app_context():
        with db.write_transaction() as s:
            load_fixtures(s, FIXTURES)
        db.session.remove()
    client = app.test_client()
    fast = thin_path(app)
    ids = [
        f["id"]
        for f in client.get("/api/v1/facts?limit=5", headers={"Host": "api.example"}).get_json()[
            "data"
        ]
    ]
    for fact_id in ids:
        url = f"/api/v1/facts/{fact_id}"
        ours = client.get(url, headers={"Host": "api.example"})
        assert client.get(url, headers={"Host": "api.example"}).get_data() == ours.get_data()
        served = fast.served
        r = client.get(url, headers={"Host": "evil.example"})
        assert r.status_code == 400 and fast.served == served
