"""Interactive API documentation: Swagger UI at /api/v1/docs, served offline from the app."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    render_template_string,
    send_from_directory,
    url_for,
)
from swagger_ui_bundle import swagger_ui_path

from . import PREFIX

ASSET_DIR = str(swagger_ui_path)
# The directory name carries the Swagger UI version; it busts the assets' long-lived caches.
ASSET_VERSION = swagger_ui_path.name.removeprefix("swagger-ui-")
# Only what the page loads: the dist's index.html and swagger-initializer.js point at an
# external demo spec, and oauth2-redirect.html carries inline scripts.
ASSETS = frozenset(
    {
        "swagger-ui.css",
        "index.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "favicon-32x32.png",
    }
)
ASSET_MAX_AGE = 365 * 24 * 3600
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{ title }}: API documentation</title>
  <link rel="stylesheet" href="{{ asset('swagger-ui.css') }}">
  <link rel="stylesheet" href="{{ asset('index.css') }}">
  <link rel="icon" type="image/png" href="{{ asset('favicon-32x32.png') }}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{{ asset('swagger-ui-bundle.js') }}"></script>
  <script src="{{ asset('swagger-ui-standalone-preset.js') }}"></script>
  <script src="{{ url_for('docs.init_js') }}"></script>
</body>
</html>
"""

# validatorUrl: null, or Swagger UI shows a badge fetched from validator.swagger.io.
INIT_JS = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: %s,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    queryConfigEnabled: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
  });
});
"""

bp = Blueprint("docs", __name__, url_prefix=f"{PREFIX}/docs")


def _asset_url(filename: str) -> str:
    """URL of a Swagger UI asset, versioned for caching."""
    return url_for("docs.asset", filename=filename, v=ASSET_VERSION)


@bp.get("")
def page() -> Response:
    """The Swagger UI page."""
    html = render_template_string(PAGE, title=current_app.config["API_TITLE"], asset=_asset_url)
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP
    response.cache_control.no_cache = True
    return response


@bp.get("/init.js")
def init_js() -> Response:
    """The script that starts Swagger UI on the app's OpenAPI document."""
    body = INIT_JS % json.dumps(url_for("api-docs.openapi_json"))
    response = Response(body, mimetype="text/javascript")
    response.cache_control.no_cache = True
    return response


@bp.get("/static/<path:filename>")
def asset(filename: str) -> Response:
    """A file of the Swagger UI distribution; send_from_directory refuses traversal."""
    if filename not in ASSETS:
        abort(404)
    response = send_from_directory(ASSET_DIR, filename, max_age=ASSET_MAX_AGE)
    response.cache_control.immutable = True
    return response


@bp.after_request
def _nosniff(response: Response) -> Response:
    """Browsers must not guess the content type of anything the docs serve."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_app(app: Flask) -> None:
    """Serve the documentation page and its assets."""
    app.register_blueprint(bp)
