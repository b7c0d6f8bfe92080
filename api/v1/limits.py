"""Rate limits (Flask-Limiter): reads per client address, writes per token."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from flask import Blueprint, Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from ..errors import Problem
from .auth import caller

WRITES = ("POST", "PATCH", "PUT", "DELETE")
# Flask-Limiter writes its Retry-After here; it becomes Retry-After on a 429 only.
_COMPUTED_RETRY_AFTER = "X-BF-Limiter-Retry-After"


def _token_key() -> str:
    """The write budget's key: the authenticated token, else the caller's address."""
    try:
        found = caller()
    except Problem:
        # A bad token spends its address's budget (so guessing is limited too); the view
        # then answers its 401.
        found = None
    if found is None:
        return "addr:" + get_remote_address()
    # Token names are unique and never reused, whatever way the header was spelt; a digest
    # keeps names out of the limiter's storage.
    return "token:" + hashlib.sha256(found.name.encode()).hexdigest()[:24]


def _retry_after_only_when_limited(response: Response) -> Response:
    computed = response.headers.pop(_COMPUTED_RETRY_AFTER, None)
    if response.status_code == 429 and computed is not None:
        response.headers["Retry-After"] = computed
    return response


def init_app(app: Flask, blueprints: Sequence[Blueprint]) -> Limiter:
    """Apply the read and write limits to every API blueprint."""
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_HEADER_LIMIT", "RateLimit-Limit")
    app.config.setdefault("RATELIMIT_HEADER_REMAINING", "RateLimit-Remaining")
    app.config.setdefault("RATELIMIT_HEADER_RESET", "RateLimit-Reset")
    # Flask-Limiter sets Retry-After on every response it counts (and raises a 503's own
    # value to the window's reset). Waiting is asked for only by a 429 (and a 503, which
    # sets its own), so its value goes to a header of its own, moved or dropped by the
    # hook below. Registered before the Limiter: after-request hooks run last-registered
    # first, so this one sees the limiter's headers.
    app.config.setdefault("RATELIMIT_HEADER_RETRY_AFTER", _COMPUTED_RETRY_AFTER)
    app.after_request(_retry_after_only_when_limited)
    limiter = Limiter(get_remote_address, app=app)
    reads = limiter.shared_limit(
        app.config["RATE_LIMIT_READS"],
        scope="reads",
        exempt_when=lambda: request.method not in ("GET", "HEAD"),
    )
    writes = limiter.shared_limit(
        app.config["RATE_LIMIT_WRITES"],
        scope="writes",
        key_func=_token_key,
        exempt_when=lambda: request.method not in WRITES,
    )
    for bp in blueprints:
        reads(bp)
        writes(bp)
    return limiter
