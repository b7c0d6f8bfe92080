"""Conditional GETs and response headers: ETag / 304, Cache-Control, Vary, CORS, nosniff.

The ETag of a read is derived from the data version (bumped by every write transaction),
the API description and the exact request (path, query, Accept), so a revalidation is
answered with 304 from one primary-key lookup, before any query runs. Output is
deterministic for a given data version, so the tag is strong.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from flask import Flask, Response, current_app, request
from flask_cors import CORS
from flask_smorest import Api

from ..db import read_version

_STATIC = ("/api/v1/openapi.json", "/api/v1/docs")
# Views that tag their own entity (version-based ETags, used by If-Match on writes).
OWN_ETAG = {"facts.FactItem", "sources.SourceItem"}
# Response headers a browser script may read (CORS).
EXPOSE_HEADERS = (
    "ETag",
    "Idempotent-Replayed",
    "Link",
    "Location",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
)


def spec_digest(api: Api) -> str:
    """A digest of the OpenAPI description (part of every read's ETag), computed once."""
    digest = current_app.extensions.get("api_spec_digest")
    if digest is None:
        spec = orjson.dumps(api.spec.to_dict(), option=orjson.OPT_SORT_KEYS)
        digest = hashlib.sha256(spec).hexdigest()[:16]
        current_app.extensions["api_spec_digest"] = digest
    return str(digest)


def read_etag(version: str, spec_digest: str, full_path: str, accept: str, authed: bool) -> str:
    """The strong tag of a read: data version, API description, exact request, caller kind."""
    seed = "|".join((version, spec_digest, full_path, accept, "auth" if authed else "public"))
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def _etag(api: Api) -> str:
    static = request.path.startswith(_STATIC)
    version = "static" if static else str(read_version())
    return read_etag(
        version,
        spec_digest(api),
        request.full_path,
        request.headers.get("Accept", ""),
        bool(request.headers.get("Authorization")),
    )


# A read's representation varies with these request headers (Accept-Encoding: see
# api/compression.py, which compresses only when the client asks).
VARY = ("Accept", "Accept-Encoding", "Authorization")


def public_cache_control(max_age: int) -> str:
    """Cache-Control of a public (token-less) read."""
    return f"public, max-age={max_age}"


def _cache_headers(response: Response) -> None:
    if request.headers.get("Authorization"):
        response.headers["Cache-Control"] = "private, no-cache"
    else:
        response.headers["Cache-Control"] = public_cache_control(
            int(current_app.config["CACHE_MAX_AGE"])
        )
    response.vary.update(VARY)


def init_app(app: Flask, api: Api) -> None:
    """Register the conditional-GET hooks and CORS for /api/."""

    @app.before_request
    def _revalidate() -> Response | None:
        if request.method not in ("GET", "HEAD") or not request.path.startswith("/api/v1"):
            return None
        if request.endpoint in OWN_ETAG:
            return None
        tag = _etag(api)
        request.bf_etag = tag  # type: ignore[attr-defined]
        # A tag of ours names a request that succeeded; "*" names none, so it is matched only
        # once the request has succeeded (in _headers), never for a bad or unknown one.
        sent = request.if_none_match
        if sent and not sent.star_tag and sent.contains_weak(tag):
            response = Response(status=304)
            response.set_etag(tag)
            _cache_headers(response)
            return response
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.mimetype == "application/problem+json":
            response.headers["Cache-Control"] = "no-store"
        elif request.method in ("GET", "HEAD") and response.status_code in (200, 304):
            tag = getattr(request, "bf_etag", None)
            if tag and "ETag" not in response.headers:
                response.set_etag(tag)
            if "ETag" in response.headers:
                _cache_headers(response)
                if response.status_code == 200 and request.if_none_match.star_tag:
                    # "*": any current representation matches (RFC 9110 section 13.1.2).
                    response.status_code = 304
                    response.response = []
                    for name in ("Link", "Content-Disposition"):  # as the early 304 has none
                        response.headers.pop(name, None)
        return response

    origins: Any = app.config["CORS_ORIGINS"]
    CORS(
        app,
        resources={r"/api/*": {"origins": origins}},
        send_wildcard=origins == "*",
        methods=["GET", "HEAD", "OPTIONS", "POST", "PATCH", "DELETE"],
        expose_headers=list(EXPOSE_HEADERS),
        allow_headers=[
            "Accept",
            "Authorization",
            "Content-Type",
            "If-None-Match",
            "If-Match",
            "Idempotency-Key",
        ],
    )
