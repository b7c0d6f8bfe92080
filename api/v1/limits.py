"""Rate limits (Flask-Limiter): reads per client address, writes per token."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from flask import Blueprint, Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

WRITES = ("POST", "PATCH", "PUT", "DELETE")


def _token_key() -> str:
    header = request.headers.get("Authorization", "")
    if not header:
        return "addr:" + get_remote_address()
    # A digest, so the token never sits in the limiter's storage or logs.
    return "token:" + hashlib.sha256(header.encode()).hexdigest()[:24]


def init_app(app: Flask, blueprints: Sequence[Blueprint]) -> Limiter:
    """Apply the read and write limits to every API blueprint."""
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_HEADER_LIMIT", "RateLimit-Limit")
    app.config.setdefault("RATELIMIT_HEADER_REMAINING", "RateLimit-Remaining")
    app.config.setdefault("RATELIMIT_HEADER_RESET", "RateLimit-Reset")
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
