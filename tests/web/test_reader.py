"""The readers' pages, through the Flask test client on both databases: what each shows,
that quotes are highlighted at their exact offsets, that lists and filters are the API's,
that every text is escaped, and the headers that keep pages to this site."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Evidence, Fact, Source
from api.services.text import normalize_with_map
from tests.factories import make_token
from tests.web.pages import csp, marked_text, soup, texts_of

PAGES = [
    "/",
    "/facts",
    "/facts/1",
    "/sources/1",
    "/sources/3",
    "/dyads/RUS/IRQ",
    "/parties/IRQ",
    "/parties/OPEC",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_with_a_strict_policy(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    policy = csp(response)
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    doc = soup(response)
    # No inline script: every <script> is a file of this site, or a data block.
    for script in doc.find_all("script"):
        if script.get("src"):
            assert script["src"].startswith("/static/"), script
        else:
            assert script.get("type") == "application/json", script
    assert not doc.find_all(style=True), "inline style attributes are refused by the CSP"
    assert not doc.find_all("style")
    # Nothing from another host.
    for tag, attr in (("link", "href"), ("script", "src"), ("img", "src")):
        for el in doc.find_all(tag):
            value = el.get(attr) or ""
            assert not value.startswith(("http:", "https:", "//")), el
    assert doc.find("main", id="content") is not None
    assert doc.html["lang"] == "en"


def test_assets_are_served_versioned_and_scripts_are_not(client: FlaskClient) -> None:
    doc = soup(client.get("/"))
    for el in doc.find_all("script", src=True) + doc.find_all("link", rel="stylesheet"):
        url = el.get("src") or el.get("href")
        response = client.get(url)
        assert response.status_code == 200, url
        assert "immutable" in response.headers["Cache-Control"]
        response.close()
    assert client.get("/static/vendor/refresh.sh").status_code == 404
    assert client.get("/static/../__init__.py").status_code == 404


def test_home_counts_newest_and_dyads(client: FlaskClient, db_session: Session) -> None:
    doc = soup(client.get("/"))
    published = db_session.scalar(
        select(Fact.id).where(Fact.status == "published").order_by(Fact.id.desc()).limit(1)
    )
    assert published is not None
    count = len(db_session.scalars(select(Fact.id).where(Fact.status == "published")).all())
    assert doc.find("dd", attrs={"data-count": "facts"}).get_text() == f"{count:,}"
    assert doc.find("a", href="/dyads/IRQ/RUS") is not None
    assert doc.find("form", role="search")["action"] == "/facts"
    assert len(doc.select("table.facts tbody tr")) == 10


def _ids(doc: Any) -> list[int]:
    return [int(tr["data-fact-id"]) for tr in doc.select("table.facts tbody tr")]


FILTERS = [
    "",
    "q=oil",
    "type=trade_volume",
    "type=statement&type=phone_call",
    "party=IRQ",
    "dyad=RUS,IRQ",
    "dyad=irq,rus&from=2016",
    "from=2015-05&to=2015-12",
    "value_min=1000&unit=USD",
    "value_max=100",
    "sort=value&limit=5",
    "sort=date&limit=3",
    "subject=RUS&counterpart=IRQ&type=aid_offer",
    "q=military&type=arms_transfer,aid_offer",
    "linked_to=1",
]


@pytest.mark.parametrize("query", FILTERS)
def test_fact_list_is_the_apis_list(client: FlaskClient, query: str) -> None:
    page = client.get(f"/facts?{query}")
    assert page.status_code == 200, page.get_data(as_text=True)[:600]
    doc = soup(page)
    api = client.get(f"/api/v1/facts?{query}").get_json()
    assert _ids(doc) == [f["id"] for f in api["data"]]
    twin = doc.find("a", attrs={"data-twin": "json"})["href"]
    assert client.get(twin).get_json()["data"] == api["data"]
    csv_twin = doc.find("a", attrs={"data-twin": "csv"})["href"]
    assert "format=csv" in csv_twin
    csv = client.get(csv_twin)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert len(csv.get_data(as_text=True).strip().splitlines()) >= len(api["data"]) + 1


def test_pages_follow_the_apis_cursors(client: FlaskClient) -> None:
    seen: list[int] = []
    url = "/facts?limit=4&sort=date"
    api_url = "/api/v1/facts?limit=4&sort=date"
    while url:
        doc = soup(client.get(url))
        api = client.get(api_url).get_json()
        assert _ids(doc) == [f["id"] for f in api["data"]]
        seen += _ids(doc)
        nxt = doc.find("a", rel="next")
        assert (nxt is None) == (api["links"].get("next") is None)
        if nxt is None:
            break
        url = nxt["href"]
        cursor = parse_qs(urlsplit(url).query)["cursor"][0]
        # The page's cursor is the API's: the same next page either way.
        assert parse_qs(urlsplit(api["links"]["next"]).query)["cursor"][0] == cursor
        api_url = f"/api/v1/facts?limit=4&sort=date&cursor={cursor}"
    assert len(seen) == len(set(seen)) > 8


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("party=XXQ", "Unknown party code"),
        ("type=nonsense", "type"),
        ("from=2015-13", "from"),
        ("limit=0", "limit"),
        ("cursor=abc", "cursor"),
        ("dyad=RUS,RUS", "two different"),
        ("format=csv", "belong"),
        ("status=draft", "belong"),
        ("nonsense=1", "nonsense"),
    ],
)
def test_bad_filters_get_a_page_that_says_why(client: FlaskClient, query: str, says: str) -> None:
    response = client.get(f"/facts?{query}")
    assert response.status_code == 400
    text = soup(response).get_text()
    assert says in text, text


def test_a_fact_shows_its_quotes_exactly_inside_its_articles(
    client: FlaskClient, db_session: Session
) -> None:
    for fact_id in db_session.scalars(select(Fact.id).where(Fact.status == "published")):
        doc = soup(client.get(f"/facts/{fact_id}"))
        evidence = db_session.scalars(select(Evidence).where(Evidence.fact_id == fact_id)).all()
        assert evidence
        for ev in evidence:
            body = db_session.get(Source, ev.source_id).body
            shown = marked_text(doc, "data-evidence", ev.id)
            assert shown == body[ev.start : ev.end]  # the stored text at the stored offsets
            # ...which is the quote modulo typography and whitespace, as verification reads it.
            assert normalize_with_map(shown)[0] == normalize_with_map(ev.quote)[0]
            assert doc.find("mark", id=f"q-{ev.id}") is not None
            assert doc.find("a", href=f"#q-{ev.id}") is not None
        # The article's text is all there, marks and all.
        html = client.get(f"/facts/{fact_id}").get_data(as_text=True)
        boxes = [int(box["data-source-id"]) for box in doc.select(".article")]
        assert texts_of(html) == [db_session.get(Source, sid).body for sid in boxes]


def test_a_fact_page_has_its_sources_copies_links_history_and_citation(
    client: FlaskClient,
) -> None:
    doc = soup(client.get("/facts/1"))
    text = doc.get_text(" ")
    assert "Reuters" in text and "21 May 2015" in text
    assert doc.find(attrs={"data-field": "independent"}).get_text().startswith("1 independent")
    assert doc.find("a", href="/sources/2") is not None  # the syndicated copy
    assert doc.find("a", href="/facts/11") is not None  # the follow-up link
    assert "Vladimir Putin, President" in text
    assert "PLOVER AGREE" in text
    assert "Version 1" in doc.find("ol", class_="history").get_text()
    citation = doc.find(id="citation-text").get_text()
    assert "[Fact 1, revision 1]" in citation and "/api/v1/facts/1/revisions/1" in citation
    assert "@misc{" in doc.find(id="citation-bibtex").get_text()


def test_a_figure_is_shown_side_by_side(client: FlaskClient) -> None:
    doc = soup(client.get("/facts/19"))
    section = doc.find("section", attrs={"aria-labelledby": "figure-h"})
    assert section is not None
    assert section.find("tr", attrs={"aria-current": "true"}) is not None


def test_edits_show_as_a_readable_diff(client: FlaskClient, db_session: Session) -> None:
    auth = {"Authorization": make_token(db_session)}
    tag = client.get("/api/v1/facts/1").headers["ETag"]
    changed = client.patch(
        "/api/v1/facts/1",
        json={"summary": "Russia offered Iraq's visiting prime minister military aid."},
        headers={**auth, "If-Match": tag},
    )
    assert changed.status_code == 200, changed.get_json()
    doc = soup(client.get("/facts/1"))
    diff = doc.find("table", class_="diff")
    assert diff is not None
    removed = " ".join(d.get_text() for d in diff.find_all("del"))
    added = " ".join(i.get_text() for i in diff.find_all("ins"))
    assert "Iraqi Prime Minister Haidar al-Abadi" in removed and "visiting" not in removed
    assert "Iraq's" in added and "prime minister" in added


def test_drafts_and_retracted_facts_are_not_shown(client: FlaskClient, db_session: Session) -> None:
    auth = {"Authorization": make_token(db_session)}
    draft = client.post(
        "/api/v1/facts",
        json={
            "type": "phone_call",
            "subject": "RUS",
            "counterpart": "IRQ",
            "date": "2016-02-12",
            "date_basis": "stated",
            "summary": "A draft nobody may read yet.",
            "attributes": {},
        },
        headers=auth,
    )
    assert draft.status_code == 201, draft.get_json()
    draft_id = draft.get_json()["id"]
    missing = client.get(f"/facts/{draft_id}")
    assert missing.status_code == 404 and "A draft nobody" not in missing.get_data(as_text=True)
    assert "A draft nobody" not in client.get("/facts?q=draft").get_data(as_text=True)
    tag = client.get("/api/v1/facts/2").headers["ETag"]
    assert client.delete("/api/v1/facts/2", headers={**auth, "If-Match": tag}).status_code == 200
    gone = client.get("/facts/2")
    assert gone.status_code == 410
    assert "retracted" in soup(gone).get_text()
    assert client.get("/facts/99999").status_code == 404


def test_a_source_highlights_every_quote_of_a_published_fact(
    client: FlaskClient, db_session: Session
) -> None:
    for source in db_session.scalars(select(Source)):
        response = client.get(f"/sources/{source.id}")
        doc = soup(response)
        box = doc.select_one(".text")
        assert texts_of(response.get_data(as_text=True)) == [source.body]
        rows = db_session.execute(
            select(Evidence.id, Evidence.fact_id, Evidence.start, Evidence.end)
            .join(Fact)
            .where(Evidence.source_id == source.id, Fact.status == "published")
        ).all()
        for ev_id, fact_id, start, end in rows:
            assert marked_text(doc, "data-evidence", ev_id) == source.body[start:end]
            assert box.find("a", href=f"/facts/{fact_id}") is not None


def test_a_source_names_its_near_duplicates(client: FlaskClient) -> None:
    original = soup(client.get("/sources/1"))
    assert original.find("a", href="/sources/2") is not None
    copy = soup(client.get("/sources/2"))
    assert "syndicated copy" in copy.get_text()
    assert copy.find("a", href="/sources/1") is not None


def test_user_text_is_escaped(client: FlaskClient, db_session: Session) -> None:
    auth = {"Authorization": make_token(db_session)}
    body = (
        'Moscow <script>alert("x")</script> said on Monday that Russia and Iraq '
        "<img src=x onerror=alert(1)> signed a memorandum on energy cooperation."
    )
    created = client.post(
        "/api/v1/sources",
        json={"body": body, "title": "<b>bold</b> & <i>sly</i>", "outlet": "<em>Outlet</em>"},
        headers=auth,
    )
    assert created.status_code == 201, created.get_json()
    sid = created.get_json()["id"]
    quote = 'Moscow <script>alert("x")</script> said'
    fact = client.post(
        "/api/v1/facts",
        json={
            "type": "statement",
            "subject": "RUS",
            "counterpart": "IRQ",
            "date": "2016-02-15",
            "date_basis": "stated",
            "summary": "<script>alert('summary')</script> a statement",
            "attributes": {"kind": "other", "topic": "<u>x</u>"},
            "evidence": [{"source_id": sid, "quote": quote}],
            "status": "published",
        },
        headers=auth,
    )
    assert fact.status_code == 201, fact.get_json()
    for path in (f"/sources/{sid}", f"/facts/{fact.get_json()['id']}", "/facts?q=statement"):
        response = client.get(path)
        doc = soup(response)
        assert all(
            s.get("src") or s.get("type") == "application/json" for s in doc.find_all("script")
        )
        assert doc.find("img", src="x") is None and doc.find("b") is None
        assert doc.find("i") is None and doc.find("u") is None
        assert "<script>" in doc.get_text()  # shown as text


def test_dyad_page_chart_data_matches_its_tables(client: FlaskClient) -> None:
    import json

    response = client.get("/dyads/RUS/IRQ")
    doc = soup(response)
    data = json.loads(doc.find("script", id="chart-data").string)
    table = doc.find("table", id="table-counts")
    types = [th.get_text() for th in table.select("thead th")[1:-1]]
    assert len(types) == len(data["counts"]["series"])
    rows = table.select("tbody tr")
    assert [r.th.get_text() for r in rows] == data["counts"]["labels"]
    for i, series in enumerate(data["counts"]["series"]):
        assert [int(r.find_all("td")[i].get_text()) for r in rows] == series["data"]
    api = client.get("/api/v1/dyads/RUS/IRQ/timeline").get_json()
    assert [p["count"] for p in api["data"]] == [int(r.find_all("td")[-1].get_text()) for r in rows]
    for index, series in enumerate(data["values"]):
        twin = doc.find("table", attrs={"data-series": str(index)})
        values = [float(td["data-value"]) for td in twin.select("td[data-value]")]
        assert values == [p["y"] for p in series["points"]]
        links = [tr.find("a")["href"] for tr in twin.select("tbody tr")]
        assert links == [p["fact"] for p in series["points"]]
    assert client.get("/dyads/rus/irq").headers["Location"].endswith("/dyads/RUS/IRQ")
    assert client.get("/dyads/RUS/RUS").status_code == 404
    assert client.get("/dyads/RUS/XXQ").status_code == 404


def test_party_page_lists_partners(client: FlaskClient) -> None:
    doc = soup(client.get("/parties/IRQ"))
    assert doc.find("a", href="/dyads/IRQ/RUS") is not None
    assert client.get("/parties/irq").status_code == 301
    missing = client.get("/parties/XXQ")
    assert missing.status_code == 404 and missing.mimetype == "text/html"


def test_the_api_is_unchanged_beside_the_pages(client: FlaskClient) -> None:
    assert client.get("/api/v1/facts?limit=1").mimetype == "application/json"
    assert client.get("/api/v1/nothing").mimetype == "application/problem+json"


def test_pages_spend_the_read_budget_and_assets_do_not(tmp_path: Any) -> None:
    from tests.api.v1.test_limits import limited_app

    client = limited_app(tmp_path, SECRET_KEY="test").test_client()
    assert client.get("/facts").status_code == 200
    assert client.get("/api/v1/fact-types").status_code == 200  # one budget for both
    for _ in range(5):
        assert client.get("/static/explorer.css").status_code == 200
    assert client.get("/sign-in").status_code == 200
    limited = client.get("/")
    assert limited.status_code == 429 and limited.mimetype == "text/html"
    assert int(limited.headers["Retry-After"]) > 0
    assert "Too Many Requests" in soup(limited).get_text()


def test_pages_are_compressed_when_asked(client: FlaskClient) -> None:
    import gzip

    response = client.get("/facts", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"<main" in gzip.decompress(response.get_data())


def test_an_unknown_path_is_a_page_for_browsers_and_a_problem_for_others(
    client: FlaskClient,
) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for path in ("/nothing", "/facts/abc", "/sources/x"):
        page = client.get(path, headers=browser)
        assert page.status_code == 404 and page.mimetype == "text/html"
        assert "Not Found" in soup(page).get_text()
        assert client.get(path).mimetype == "application/problem+json"
        assert client.get(path, headers={"Accept": "*/*"}).mimetype == "application/problem+json"
    api = client.get("/api/v1/nothing", headers=browser)
    assert api.status_code == 404 and api.mimetype == "application/problem+json"
