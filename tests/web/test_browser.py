"""The explorer in a real browser: Debian's headless Chromium, driven by Selenium through
Debian's chromedriver, against the server as `make run` starts it (gunicorn, the Makefile's
command line) on a SQLite file holding the fixtures.

Every page renders with no console error (a CSP violation is one), has no serious or
critical axe-core violation, fits a 360 px phone and a 1280 px desktop (screenshots of both
are written to build/screenshots/, or $EXPLORER_SCREENSHOTS), and works from the keyboard.
The highlighted quote is the evidence's text, the charts draw the numbers of their table
twins, search and filters give the API's answers, and a curator signs in, accepts a
suggestion, publishes it, and an anonymous reader then sees the fact.

Skipped, saying why, where Chromium or chromedriver is not installed
(`apt-get install chromium chromium-driver`).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api import db
from api.services.tokens import create_token
from tests.conftest import _make_app
from tests.support.live_server import ROOT, Server, free_port, server_env
from tests.test_make_run import run_command

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
AXE = ROOT / "tests" / "support" / "vendor" / "axe-core" / "axe.min.js"
SHOTS = Path(os.environ.get("EXPLORER_SCREENSHOTS", ROOT / "build" / "screenshots"))

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="browser tests need Debian's chromium and chromium-driver "
    "(apt-get install chromium chromium-driver); not installed here",
)

PAGES = {
    "home": "/",
    "facts": "/facts?dyad=RUS,IRQ",
    "fact": "/facts/1",
    "fact-figure": "/facts/19",
    "source": "/sources/3",
    "dyad": "/dyads/RUS/IRQ",
    "party": "/parties/IRQ",
    "sign-in": "/sign-in",
}
ARTICLE = (
    "MOSCOW, March 3 (Reuters) - Russia and Iraq signed an agreement on Tuesday to expand "
    "cooperation in the oil and gas sector, Russian Energy Minister Alexander Novak said "
    "after talks in Moscow with Iraq's oil minister.\n"
    "Novak said Russian companies would invest $4 billion in Iraqi oil fields over five years."
)


class Live:
    def __init__(self, server: Server, secret: str) -> None:
        self.server, self.secret = server, secret
        self.base = f"http://127.0.0.1:{server.port}"

    def api(self, path: str) -> Any:
        with urllib.request.urlopen(self.base + path, timeout=30) as response:
            return json.loads(response.read())


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("browser")
    app = _make_app("sqlite", "facts", tmp, fixtures=True)  # the suite's loaded database
    url = app.config["DATABASE_URL"]
    with app.app_context():
        with db.write_transaction() as s:
            secret = create_token(s, "browser-curator", ["write"])
        db.session.remove()
    app.extensions["db_engine"].dispose()
    port = free_port()
    env = server_env(
        DATABASE_URL=url, RATE_LIMIT_READS="100000 per minute", SECRET_KEY=os.urandom(24).hex()
    )
    server = Server(run_command(port), env, tmp / "gunicorn.log", port)
    yield Live(server, secret)
    server.stop()


def _driver(javascript: bool = True) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(arg)
    options.add_argument("--window-size=1280,900")
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER or ""), options=options)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = _driver()
    yield driver
    driver.quit()


def _open(browser: Any, live: Live, path: str) -> None:
    browser.get(live.base + path)
    deadline = time.monotonic() + 10
    while browser.execute_script("return document.readyState") != "complete":
        assert time.monotonic() < deadline, path
        time.sleep(0.05)


def _errors(browser: Any) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def _axe(browser: Any) -> list[dict[str, Any]]:
    browser.execute_script(AXE.read_text())
    found = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations));"
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def _shoot(browser: Any, name: str, width: int) -> Path:
    browser.set_window_size(width, 900)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(max(height, 600), 6000))
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}-{width}.png"
    browser.save_screenshot(str(path))
    browser.set_window_size(1280, 900)
    return path


@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_accessible_at_both_widths(browser: Any, live: Live, name: str) -> None:
    browser.get_log("browser")  # forget what earlier pages logged
    _open(browser, live, PAGES[name])
    _check_page(browser, name)


def _check_page(browser: Any, name: str) -> None:
    """The page now open: titled, no console error, accessible, fits both widths (shot)."""
    assert browser.title.endswith("bilateral-facts"), browser.title
    assert browser.find_element("css selector", "main h1").text.strip()
    assert _errors(browser) == []  # a CSP violation or a failed asset is an error here
    violations = _axe(browser)
    assert not violations, [(v["id"], v["help"], len(v["nodes"])) for v in violations]
    for width in (360, 1280):
        browser.set_window_size(width, 900)
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{name} scrolls sideways by {overflow}px at {width}px"
        shot = _shoot(browser, name, width)
        assert shot.stat().st_size > 5000


def test_the_highlighted_quote_is_the_evidence_and_is_scrolled_to(browser: Any, live: Live) -> None:
    fact = live.api("/api/v1/facts/23")  # its quote is 2,800 characters into the article
    _open(browser, live, "/facts/23")
    for ev in fact["evidence"]:
        body = live.api(f"/api/v1/sources/{ev['source_id']}")["body"]
        marks = browser.find_elements("css selector", f"mark[data-evidence~='{ev['id']}']")
        shown = "".join(m.get_attribute("textContent") for m in marks)
        assert shown == body[ev["start"] : ev["end"]]
    in_view = (
        "const m = document.getElementById(arguments[0]);"
        "const box = m.closest('.text').getBoundingClientRect();"
        "const r = m.getBoundingClientRect();"
        "return r.top >= box.top - 1 && r.top <= box.bottom"
        " && r.top >= 0 && r.top <= window.innerHeight;"
    )
    # Each article's box opens scrolled to its first quote...
    boxes = browser.find_elements("css selector", ".article .text")
    assert boxes
    for box in boxes:
        first = box.find_element("css selector", "mark[id]")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        assert browser.execute_script(in_view, first.get_attribute("id"))
    assert browser.execute_script("return document.querySelector('.article .text').scrollTop") > 0
    # ...and each quote's link scrolls the box (and the page) to it.
    _open(browser, live, "/facts/12")  # two quotes in one article, far apart
    for ev in live.api("/api/v1/facts/12")["evidence"]:
        browser.find_element("css selector", f"a[href='#q-{ev['id']}']").click()
        assert browser.execute_script(in_view, f"q-{ev['id']}"), ev


def test_charts_draw_the_numbers_of_their_tables(browser: Any, live: Live) -> None:
    _open(browser, live, "/dyads/RUS/IRQ")
    counts = browser.execute_script(
        "const c = Chart.getChart(document.getElementById('chart-counts'));"
        "return {labels: c.data.labels, data: c.data.datasets.map(d => d.data),"
        " drawn: c.getDatasetMeta(0).data.length, width: c.width};"
    )
    rows = browser.find_elements("css selector", "#table-counts tbody tr")
    assert counts["labels"] == [r.find_element("css selector", "th").text for r in rows]
    table = [[int(td.text) for td in r.find_elements("css selector", "td")[:-1]] for r in rows]
    assert [list(col) for col in zip(*table, strict=True)] == counts["data"]
    assert counts["drawn"] == len(rows) and counts["width"] > 200
    timeline = live.api("/api/v1/dyads/RUS/IRQ/timeline")
    assert [sum(col) for col in table] == [p["count"] for p in timeline["data"]]
    # Values: each point is a fact; selecting one opens it.
    points = browser.execute_script(
        "const c = Chart.getChart(document.getElementById('chart-values-0'));"
        "const p = c.getDatasetMeta(0).data[0];"
        "return {ys: c.data.datasets[0].data.map(d => d.y), x: p.x, y: p.y,"
        " fact: c.data.datasets[0].data[0].fact};"
    )
    twin = browser.find_elements("css selector", "table[data-series='0'] td[data-value]")
    assert [float(td.get_attribute("data-value")) for td in twin] == points["ys"]
    from selenium.webdriver.common.action_chains import ActionChains

    canvas = browser.find_element("id", "chart-values-0")
    size = canvas.size
    ActionChains(browser).move_to_element_with_offset(
        canvas, int(points["x"] - size["width"] / 2), int(points["y"] - size["height"] / 2)
    ).click().perform()
    deadline = time.monotonic() + 5
    while not browser.current_url.endswith(points["fact"]):
        assert time.monotonic() < deadline, browser.current_url
        time.sleep(0.05)


def test_without_javascript_the_chart_is_its_table(live: Live) -> None:
    driver = _driver(javascript=False)
    try:
        _open(driver, live, "/dyads/RUS/IRQ")
        # The page's scripts did not run (Chart.js never loaded)...
        assert driver.execute_script("return typeof Chart") == "undefined"
        # ...and every number of the chart is in its table.
        rows = driver.find_elements("css selector", "#table-counts tbody tr")
        assert len(rows) == len(live.api("/api/v1/dyads/RUS/IRQ/timeline")["data"])
        _shoot(driver, "dyad-no-javascript", 1280)
    finally:
        driver.quit()


def _fact_ids(browser: Any) -> list[int]:
    rows = browser.find_elements("css selector", "table.facts tbody tr")
    return [int(r.get_attribute("data-fact-id")) for r in rows]


def test_search_and_filters_round_trip_to_the_api(browser: Any, live: Live) -> None:
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    _open(browser, live, "/")
    box = browser.find_element("id", "home-q")
    box.send_keys("military", Keys.ENTER)
    _wait_path(browser, "/facts")
    assert "q=military" in browser.current_url
    assert _fact_ids(browser) == [f["id"] for f in live.api("/api/v1/facts?q=military")["data"]]
    Select(browser.find_element("name", "type")).select_by_value("aid_offer")
    browser.find_element("name", "from").send_keys("2016")
    browser.find_element("css selector", "form.filters button[type=submit]").click()
    _wait_path(browser, "/facts")
    api = live.api("/api/v1/facts?q=military&type=aid_offer&from=2016")["data"]
    assert _fact_ids(browser) == [f["id"] for f in api] and api
    twin = browser.find_element("css selector", "a[data-twin=json]").get_attribute("href")
    assert live.api(twin.removeprefix(live.base))["data"] == api


def _wait_path(browser: Any, path: str) -> None:
    deadline = time.monotonic() + 10
    while (
        not browser.current_url.removeprefix("http://")
        .split("/", 1)[1]
        .startswith(path.lstrip("/"))
        or browser.execute_script("return document.readyState") != "complete"
    ):
        assert time.monotonic() < deadline, browser.current_url
        time.sleep(0.05)


def test_keyboard_only(browser: Any, live: Live) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    _open(browser, live, "/")
    active = lambda: browser.switch_to.active_element  # noqa: E731
    ActionChains(browser).send_keys(Keys.TAB).perform()
    assert active().text == "Skip to content" and active().is_displayed()
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert active().get_attribute("id") == "content"
    # From the main content, Tab reaches the search box; typing and Enter searches.
    for _ in range(20):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if active().get_attribute("id") == "home-q":
            break
    assert active().get_attribute("id") == "home-q"
    ActionChains(browser).send_keys("oil", Keys.ENTER).perform()
    _wait_path(browser, "/facts")
    # Every link and control of a fact page (and its scrolling article boxes) is reached
    # with Tab, one after the other in the page's order.
    _open(browser, live, "/facts/1")
    total = browser.execute_script(
        "const els = Array.from(document.querySelectorAll("
        "'a[href], button, input, select, textarea, [tabindex=\"0\"], summary'))"
        ".filter(e => e.offsetParent !== null && !e.disabled"
        " && (e.tagName === 'SUMMARY' || !e.closest('details:not([open])')));"
        "els.forEach((e, i) => e.dataset.k = i); return els.length;"
    )
    order = []
    for _ in range(total + 5):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        k = active().get_attribute("data-k")
        if k is None or (order and int(k) < order[-1]):
            break
        order.append(int(k))
    missed = browser.execute_script(
        "return Array.from(document.querySelectorAll('[data-k]'))"
        ".filter(e => !arguments[0].includes(Number(e.dataset.k))).map(e => e.outerHTML.slice(0, 150));",
        order,
    )
    assert order == list(range(total)), (total, order, missed)


def test_a_curator_accepts_and_publishes_then_a_reader_sees_it(browser: Any, live: Live) -> None:
    _open(browser, live, "/curate")
    _wait_path(browser, "/sign-in")
    browser.find_element("id", "token").send_keys(live.secret)
    browser.find_element("css selector", "form button[type=submit]").click()
    _wait_path(browser, "/curate")
    assert "browser-curator" in browser.page_source
    browser.get_log("browser")
    _check_page(browser, "curate")
    browser.find_element("name", "outlet").send_keys("Reuters")
    browser.find_element("name", "published").send_keys("2020-03-03")
    browser.find_element("name", "body").send_keys(ARTICLE)
    browser.find_element("css selector", "form[action='/curate/articles'] button").click()
    _wait_path(browser, "/curate/sources/")
    source_id = int(browser.current_url.rstrip("/").rsplit("/", 1)[1])
    _check_page(browser, "curate-source")
    cards = browser.find_elements("css selector", "article.suggestion[data-status=open]")
    assert cards, "the extractor suggests facts for the article"
    card = cards[0]
    suggestion = card.get_attribute("data-suggestion-id")
    marks = browser.find_elements("css selector", f"mark[data-suggestion~='{suggestion}']")
    assert marks and all(m.is_displayed() for m in marks)
    summary = card.find_element("name", "summary")
    summary.clear()
    summary.send_keys("Russia and Iraq agreed to expand oil and gas cooperation.")
    card.find_element("css selector", "form[aria-label^='Accept'] button").click()
    _wait_path(browser, "/curate/facts/")
    fact_id = int(browser.current_url.rsplit("/", 1)[1])
    assert "Draft fact" in browser.find_element("css selector", "main h1").text
    _check_page(browser, "curate-draft")
    browser.find_element(
        "css selector", f"form[action='/curate/facts/{fact_id}/publish'] button"
    ).click()
    _wait_path(browser, f"/facts/{fact_id}")
    # A reader without the session sees the fact, with its quote in the article.
    browser.delete_all_cookies()
    _open(browser, live, f"/facts/{fact_id}")
    assert browser.find_element("css selector", "main h1").text == (
        "Russia and Iraq agreed to expand oil and gas cooperation."
    )
    assert browser.find_elements("css selector", "mark[data-evidence]")
    assert live.api(f"/api/v1/facts/{fact_id}")["status"] == "published"
    assert live.secret not in live.server.log_text()
    _ = source_id


def test_selecting_words_starts_a_fact(browser: Any, live: Live) -> None:
    _open(browser, live, "/sign-in")
    browser.find_element("id", "token").send_keys(live.secret)
    browser.find_element("css selector", "form button[type=submit]").click()
    _wait_path(browser, "/curate")
    _open(browser, live, "/curate/sources/3")
    body = live.api("/api/v1/sources/3")["body"]
    quote = "He proposed holding the next meeting in Mosul"
    start = body.index(quote)
    # Select the words as a reader's mouse would (a DOM range over the text).
    browser.execute_script(
        "const box = document.getElementById('article-text');"
        "const want = [arguments[0], arguments[0] + arguments[1]];"
        "const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);"
        "let seen = 0, range = document.createRange(), node;"
        "while ((node = walker.nextNode())) {"
        "  const n = Array.from(node.data).length;"
        "  if (seen <= want[0] && want[0] < seen + n) range.setStart(node, want[0] - seen);"
        "  if (seen < want[1] && want[1] <= seen + n) range.setEnd(node, want[1] - seen);"
        "  seen += n; }"
        "const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);",
        start,
        len(quote),
    )
    deadline = time.monotonic() + 5
    form = browser.find_element("id", "new-fact")
    while form.find_element("name", "start").get_attribute("value") != str(start):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert form.find_element("name", "end").get_attribute("value") == str(start + len(quote))
    assert browser.find_element("id", "selected-quote").text == quote
    from selenium.webdriver.support.ui import Select

    Select(form.find_element("name", "type")).select_by_value("diplomatic_visit")
    form.find_element("name", "subject").send_keys("RUS")
    form.find_element("name", "counterpart").send_keys("IRQ")
    form.find_element("name", "date").send_keys("2016-02-11")
    form.find_element("name", "summary").send_keys("Rogozin proposed the next meeting in Mosul.")
    form.find_element("name", "attributes").send_keys('{"level": "minister"}')
    form.find_element("css selector", "button[type=submit]").click()
    deadline = time.monotonic() + 10
    while "/curate/facts/" not in browser.current_url:
        if time.monotonic() > deadline:
            pytest.fail(browser.find_element("css selector", "main").text[:1500])
        time.sleep(0.05)
    fact_id = int(browser.current_url.rsplit("/", 1)[1])
    assert "Draft fact" in browser.find_element("css selector", "main h1").text
    assert browser.find_element("css selector", "ul.quotes li").text.startswith(f"“{quote}”")
    _ = fact_id
