"""Content negotiation for /api/v1: 406 when the Accept header admits nothing an operation
can send, and JSON (never HTML) for the redirect of a URL missing its trailing slash.

Every operation sends JSON; a list also sends CSV and NDJSON (``Blueprint.exports`` marks
those views). The Accept header is read as api/responses/media.py reads it, on both read
paths; ``request.accept_mimetypes`` is replaced by that reading, so the list views' format
choice sees the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.routing import RequestRedirect

from ..errors import Problem
from ..jsonio import json_response
from ..responses.media import JSON_MEDIA, read_accept

# The attribute ``Blueprint.exports`` sets on a view to say it sends LIST_MEDIA.
MEDIA_ATTRIBUTE = "bf_media"
_UNNEGOTIATED = ("/api/v1/docs",)  # HTML pages and their assets, outside the description


def view_media(endpoint: str | None, method: str) -> tuple[str, ...]:
    """The media types the view answering ``method`` on ``endpoint`` can send."""
    view: Any = current_app.view_functions.get(endpoint or "")
    name = "get" if method == "HEAD" else method.lower()  # as MethodView answers HEAD
    handler: Callable[..., Any] | None = getattr(getattr(view, "view_class", None), name, None)
    return tuple(getattr(handler, MEDIA_ATTRIBUTE, JSON_MEDIA))


def _slash_redirect(redirect: RequestRedirect) -> Response:
    """werkzeug's redirect to the URL with a trailing slash, as JSON instead of HTML."""
    body = {
        "status": redirect.code,
        "detail": f"This resource is at {redirect.new_url} (with a trailing slash).",
        "location": redirect.new_url,
    }
    return json_response(body, status=redirect.code, headers={"Location": redirect.new_url})


def negotiate() -> Response | None:
    """Answer a slash redirect in JSON; refuse with 406 what no view's media type fits."""
    redirect = request.routing_exception
    if isinstance(redirect, RequestRedirect) and request.path.startswith("/api/"):
        return _slash_redirect(redirect)
    if (
        request.endpoint is None
        or request.method == "OPTIONS"  # CORS preflight: api/v1/caching.py answers it
        or not request.path.startswith("/api/v1")
        or request.path.startswith(_UNNEGOTIATED)
    ):
        return None
    accept = read_accept(request.headers.get("Accept"))
    request.accept_mimetypes = accept
    if not accept:
        return None
    media = view_media(request.endpoint, request.method)
    if "format" in request.args and media != JSON_MEDIA:
        return None  # format= in the URL picks the form, whatever Accept says
    if accept.best_match(media) is None:
        raise Problem(
            406,
            f"This resource is sent as {', '.join(media)}; the Accept header admits none of them.",
            slug="not-acceptable",
            extra={"acceptable": list(media)},
        )
    return None


def init_app(app: Flask) -> None:
    """Negotiate before the credentials check and revalidation (a 406 never gets a 304)."""
    app.before_request(negotiate)
