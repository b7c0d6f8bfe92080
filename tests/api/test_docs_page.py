"""The Swagger UI page at /api/v1/docs: served offline, under a strict CSP, and renders."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask, Response, request
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from api import create_app

PAGE = "/api/v1/docs"
HOST = "docs.test"  # the browser resolves it to the loopback server
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)
CONTENT_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


class _Page(HTMLParser):
    """Collects every src/href and the text of every script element."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("src", "href") and v is not None]
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def _docs_app(tmp_path: Path) -> Flask:
    """An app with the docs page; neither the page nor openapi.json touches the database."""
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'docs.db'}"})
    return app


@pytest.fixture(scope="module")
def docs_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The docs app shared by the tests without a browser."""
    app = _docs_app(tmp_path_factory.mktemp("docs"))
    yield app
    app.extensions["db_engine"].dispose()


def test_page_is_self_contained_and_its_assets_are_served(docs_app: Flask) -> None:
    client = docs_app.test_client()
    r = client.get(PAGE)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert r.headers["Content-Security-Policy"] == CSP
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    html = r.get_data(as_text=True)
    assert not re.search(r"https?://", html)
    page = _Page()
    page.feed(html)
    assert page.inline_scripts == []  # script-src 'self' would block them
    for url in page.urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, url
    names = {Path(urlsplit(u).path).name for u in page.urls}
    assert {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"} <= names
    assert "init.js" in names
    for url in page.urls:
        _assert_asset(client, url)


def _assert_asset(client: FlaskClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, url
    assert CONTENT_TYPES[Path(urlsplit(url).path).suffix] in r.content_type, (url, r.content_type)
    if url.endswith("init.js"):
        body = r.get_data(as_text=True)
        assert '"/api/v1/openapi.json"' in body and not re.search(r"https?://", body)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/docs/static/../../etc/passwd",
        "/api/v1/docs/static/%2e%2e/setup.cfg",
        "/api/v1/docs/static/..%2f..%2fsetup.cfg",
        "/api/v1/docs/static/%2fetc%2fpasswd",
        # in the dist but not served: it would load the external Petstore demo spec
        "/api/v1/docs/static/index.html",
    ],
)
def test_static_route_serves_only_swagger_ui_assets(docs_app: Flask, path: str) -> None:
    r = docs_app.test_client().get(path)
    assert r.status_code != 200
    assert "root:" not in r.get_data(as_text=True)
    assert "[metadata]" not in r.get_data(as_text=True)


@pytest.fixture
def chromium() -> str:
    """Path of a Chromium binary, or skip."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    return found


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[tuple[int, list[str]]]:
    """The docs app on a free loopback port, and the CSP violations the browser reports."""
    app = _docs_app(tmp_path)
    reports: list[str] = []

    @app.after_request
    def _report_csp_violations(response: Response) -> Response:
        if "Content-Security-Policy" in response.headers:
            response.headers["Content-Security-Policy"] += "; report-uri /csp-report"
        return response

    @app.post("/csp-report")
    def _csp_report() -> tuple[str, int]:
        reports.append(request.get_data(as_text=True))
        return "", 204

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port, reports
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["db_engine"].dispose()


def test_page_renders_the_operations_in_a_browser(
    chromium: str, live_server: tuple[int, list[str]], tmp_path: Path
) -> None:
    port, csp_reports = live_server
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        # Offline: every host but ours fails to resolve. Ours is not named 127.0.0.1, as
        # Swagger UI hides its external validator badge on loopback addresses only.
        f"--host-resolver-rules=MAP {HOST} 127.0.0.1, MAP * ~NOTFOUND",
        f"--user-data-dir={tmp_path / 'chromium'}",
        "--virtual-time-budget=15000",
        "--dump-dom",
        f"http://{HOST}:{port}{PAGE}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    text = re.sub(r"<[^>]+>", "", dom)  # Swagger UI puts <wbr> between path segments
    assert 'class="opblock ' in dom, dom[-2000:]
    assert "/api/v1/facts" in text and "/api/v1/sources/{source_id}" in text
    assert re.search(r'<h2 class="title">\s*bilateral-facts', dom)
    assert "validator.swagger.io" not in dom
    assert csp_reports == []
