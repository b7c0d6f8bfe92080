"""The response layer's header policy (api/responses/headers.py) applied to Flask's answers.

Two hooks: before a GET, a revalidation whose ``If-None-Match`` names the read's tag is
answered with 304 before any query runs; after every answer, the policy's headers are set
(nosniff; no-store on problems; ETag, Cache-Control and Vary on successful reads; CORS
under /api/). The thin read path takes the same headers from the same policy.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_smorest import Api

from ..db import read_version
from ..responses.headers import NO_STORE, NOSNIFF, HeaderPolicy, revalidated, spec_digest

_STATIC = ("/api/v1/openapi.json", "/api/v1/docs")
# Views that tag their own entity (version-based ETags, used by If-Match on writes).
OWN_ETAG = {"facts.FactItem", "sources.SourceItem"}


def header_policy() -> HeaderPolicy:
    """The app's header policy."""
    policy: HeaderPolicy = current_app.extensions["bf_headers"]
    return policy


def _etag() -> str:
    static = request.path.startswith(_STATIC)
    return header_policy().etag(
        "static" if static else str(read_version()),
        request.full_path,
        request.headers.get("Accept", ""),
        bool(request.headers.get("Authorization")),
    )


def _caching(response: Response, policy: HeaderPolicy) -> None:
    authed = bool(request.headers.get("Authorization"))
    for name, value in policy.caching(authed=authed):
        if name == "Vary":  # added to what the view may already have said
            response.vary.update(v.strip() for v in value.split(","))
        else:
            response.headers[name] = value


def _cors(response: Response, policy: HeaderPolicy) -> None:
    if not request.path.startswith("/api/"):
        return
    origin = request.headers.get("Origin")
    response.headers.extend(policy.cors(origin))
    if not policy.any_origin:
        response.vary.add("Origin")  # the answer says whether this origin may read it
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        response.headers.extend(
            policy.preflight(origin, request.headers.get("Access-Control-Request-Headers"))
        )


def init_app(app: Flask, api: Api) -> None:
    """Build the app's header policy and register the hooks that apply it."""
    # The digest of the API description is part of every read's tag: computed once, now
    # that every blueprint is registered (an app context opened later, during a request,
    # would tear down the thread's scoped session on exit).
    with app.app_context():
        digest = spec_digest(api.spec.to_dict())
    app.extensions["bf_headers"] = HeaderPolicy.from_config(app.config, digest)

    @app.before_request
    def _revalidate() -> Response | None:
        if request.method not in ("GET", "HEAD") or not request.path.startswith("/api/v1"):
            return None
        if request.endpoint in OWN_ETAG:
            return None
        tag = _etag()
        request.bf_etag = tag  # type: ignore[attr-defined]
        if revalidated(request.if_none_match, tag):
            response = Response(status=304)
            response.set_etag(tag)
            return response  # the after-request hook adds the policy's headers
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        policy = header_policy()
        response.headers[NOSNIFF[0]] = NOSNIFF[1]
        if request.blueprint == "web":
            return response  # the explorer's pages and assets set their own (api/web)
        if response.mimetype == "application/problem+json":
            response.headers[NO_STORE[0]] = NO_STORE[1]
        elif request.method in ("GET", "HEAD") and response.status_code in (200, 304):
            tag = getattr(request, "bf_etag", None)
            if tag and "ETag" not in response.headers:
                response.set_etag(tag)
            if "ETag" in response.headers:
                _caching(response, policy)
                if response.status_code == 200 and request.if_none_match.star_tag:
                    # "*": any current representation matches (RFC 9110 section 13.1.2).
                    response.status_code = 304
                    response.response = []
                    for name in ("Link", "Content-Disposition"):  # as the early 304 has none
                        response.headers.pop(name, None)
        _cors(response, policy)
        return response
