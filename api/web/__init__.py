"""The explorer: HTML pages for people, served by the same app beside /api/v1.

Readers' pages (``reader.py``) are public and show only published facts; curators' pages
(``curator.py``) need a token sign-in. Pages are rendered on the server (Jinja, escaping
every value), work without JavaScript where the content is text, and load nothing from
other hosts: the only scripts and styles are the vendored packages under
``static/vendor/`` (refreshed by ``static/vendor/refresh.sh``) and the page glue
``static/explorer.js``, all allowed by a strict Content-Security-Policy (no inline script
or style).

The views read through the services, as the API's views do; they never call the API over
HTTP. Every list or item page links to its JSON (and CSV) twin, the API URL with the same
parameters.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from ..errors import Problem, problem_from_http
from . import present

STATIC = Path(__file__).parent / "static"

# No inline script or style; nothing from another host; forms post only here.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
ASSET_MAX_AGE = 365 * 24 * 3600

bp = Blueprint("web", __name__, template_folder="templates", static_folder=None)


@lru_cache(maxsize=64)
def _asset_digest(filename: str) -> str:
    path = (STATIC / filename).resolve()
    if STATIC.resolve() not in path.parents or not path.is_file():
        return "missing"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset(filename: str) -> str:
    """The URL of a static file, versioned by its content (cached for a year)."""
    return url_for("web.static", filename=filename, v=_asset_digest(filename))


@bp.get("/static/<path:filename>")
def static(filename: str) -> Response:
    """A file of the explorer's own or vendored assets (send_from_directory refuses ../)."""
    from flask import send_from_directory

    if filename.endswith(".sh"):
        raise Problem(404, "No such asset.", slug="not-found")
    response = send_from_directory(STATIC, filename, max_age=ASSET_MAX_AGE)
    if request.args.get("v") == _asset_digest(filename):
        response.cache_control.immutable = True
    else:
        response.cache_control.max_age = 0
        response.cache_control.no_cache = True
    return response


def page(template: str, status: int = 200, **context: Any) -> Response:
    """Render a page of the explorer."""
    return Response(render_template(template, **context), status=status, mimetype="text/html")


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if response.mimetype == "text/html":
        # Pages show the data as it is now, and curators' pages who is signed in.
        response.headers["Cache-Control"] = "no-cache, private"
        response.vary.add("Cookie")
    return response


def _error_page(
    status: int, title: str, detail: str, errors: dict[str, Any] | None = None
) -> Response:
    return page(
        "error.html", status=status, status_code=status, title=title, detail=detail, errors=errors
    )


@bp.errorhandler(Problem)
def _problem(err: Problem) -> Response:
    response = _error_page(err.status, err.title, err.detail, err.errors)
    for name, value in (err.headers or {}).items():
        if name.lower() in ("retry-after", "allow"):
            response.headers[name] = value
    return response


@bp.errorhandler(HTTPException)
def _http(err: HTTPException) -> Response:
    return _error_page(err.code or 500, err.name, err.description or err.name)


def _session_secret(app: Flask) -> str:
    """FACTS_SECRET_KEY, else a random key kept in the instance folder (made once, 0600),
    which every worker of this deployment shares."""
    configured = app.config.get("SECRET_KEY")
    if configured:
        return str(configured)
    path = Path(app.instance_path) / "session-secret"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(fresh)
    return fresh


def init_app(app: Flask) -> None:
    """Register the pages (after the API, whose paths they never shadow)."""
    from . import curator, reader, session  # noqa: F401  (their routes join the blueprint)

    app.secret_key = _session_secret(app)
    app.config.update(
        SESSION_COOKIE_NAME="bf_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=app.config.get("CURATOR_SESSION_SECONDS", 8 * 3600),
    )
    present.init_app(app)
    _limit(app)
    app.register_blueprint(bp)

    @app.errorhandler(404)
    def _not_found(err: HTTPException) -> Response:
        # A path no route matches: a page for a browser (it asks for text/html by name),
        # problem+json for the API's paths and for every other client.
        if request.path.startswith("/api/") or "text/html" not in request.headers.get("Accept", ""):
            return problem_from_http(err)
        return _http(err)


def _limit(app: Flask) -> None:
    """Pages spend the API's read budget (the same scope, per client address); their assets
    do not. Forms spend the write budget."""
    limiter = app.extensions.get("limiter")
    if limiter is None:
        return
    limiter.shared_limit(
        app.config["RATE_LIMIT_READS"],
        scope="reads",
        exempt_when=lambda: (
            request.method not in ("GET", "HEAD") or request.endpoint == "web.static"
        ),
    )(bp)
    limiter.shared_limit(
        app.config["RATE_LIMIT_WRITES"],
        scope="writes",
        exempt_when=lambda: request.method != "POST",
    )(bp)
