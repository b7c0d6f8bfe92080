"""The header policy of every answer: ETag / 304, Cache-Control, Vary, CORS and nosniff.

The ETag of a read is derived from the data version (bumped by every write transaction),
the API description and the exact request (path, query, Accept, caller kind), so a
revalidation is answered with 304 from one primary-key lookup, before any query runs.
Output is deterministic for a given data version, so the tag is strong. Views that tag
their own entity (a fact, a source: version-based tags, used by If-Match on writes) pass
their tag instead.

CORS (the Fetch standard's CORS protocol) is answered here for every path under /api/:
``FACTS_CORS_ORIGINS`` is ``"*"`` (any origin may read: ``Access-Control-Allow-Origin: *``
on every answer) or one origin or a list of them, compared exactly (the request's
``Origin`` is echoed when listed, and ``Vary`` names ``Origin``, as the answer then depends
on it). A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is
told the methods, the request headers asked for that the API reads, and how long to
remember that (``Access-Control-Max-Age``).

One ``HeaderPolicy`` per app, built from its configuration; the Flask hooks and the thin
read path both take their headers from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from werkzeug.datastructures import ETags
from werkzeug.http import parse_etags

Headers = list[tuple[str, str]]

# Response headers a browser script may read (CORS).
EXPOSE_HEADERS = (
    "ETag",
    "Idempotent-Replayed",
    "Link",
    "Location",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Retry-After",
)
# Methods and request headers a browser script may use (answered to a preflight).
ALLOW_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST")
ALLOW_HEADERS = (
    "Accept",
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",
)
PREFLIGHT_MAX_AGE = 600
# A read's representation varies with these request headers (Accept-Encoding: see
# api/compression.py, which compresses only when the client asks).
VARY = ("Accept", "Accept-Encoding", "Authorization")
NO_STORE = ("Cache-Control", "no-store")
NOSNIFF = ("X-Content-Type-Options", "nosniff")
PRIVATE = "private, no-cache"
_ALLOWED = {name.lower(): name for name in ALLOW_HEADERS}


def spec_digest(spec: Mapping[str, Any]) -> str:
    """A digest of the OpenAPI description: part of every read's tag."""
    return hashlib.sha256(orjson.dumps(spec, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def read_etag(version: str, digest: str, full_path: str, accept: str, authed: bool) -> str:
    """The strong tag of a read: data version, API description, exact request, caller kind."""
    seed = "|".join((version, digest, full_path, accept, "auth" if authed else "public"))
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def _parsed(if_none_match: ETags | str | None) -> ETags:
    return if_none_match if isinstance(if_none_match, ETags) else parse_etags(if_none_match)


def revalidated(if_none_match: ETags | str | None, tag: str) -> bool:
    """Whether ``If-None-Match`` (parsed, or as sent) names ``tag`` (weak comparison,
    RFC 9110 section 13.1.2).

    ``*`` names no particular tag: it matches any current representation, so it is
    answered (with 304) only once the request has succeeded, never for a bad one. The
    header as sent is first compared with the tag exactly as this API sends it, the common
    case, without parsing it.
    """
    if isinstance(if_none_match, str) and if_none_match == f'"{tag}"':
        return True
    etags = _parsed(if_none_match)
    return bool(etags) and not etags.star_tag and etags.contains_weak(tag)


def current(if_none_match: ETags | str | None, tag: str) -> bool:
    """Whether ``If-None-Match`` (parsed, or as sent) names ``tag`` or is ``*``: for an
    answer known to succeed."""
    if isinstance(if_none_match, str) and if_none_match == f'"{tag}"':
        return True
    etags = _parsed(if_none_match)
    return bool(etags) and etags.contains_weak(tag)


class HeaderPolicy:
    """The headers of the app's answers, from its configuration."""

    def __init__(self, *, max_age: int, origins: str | Sequence[str], digest: str) -> None:
        self.digest = digest  # of the API description, for read tags
        self.public = f"public, max-age={int(max_age)}"
        self.any_origin = origins == "*"
        listed = () if self.any_origin else (origins,) if isinstance(origins, str) else origins
        self.origins = frozenset(listed)
        self.vary = ", ".join(VARY if self.any_origin else (*VARY, "Origin"))
        self._expose = ("Access-Control-Expose-Headers", ", ".join(EXPOSE_HEADERS))
        self._public_read = [("Cache-Control", self.public), ("Vary", self.vary)]
        self._anywhere = [("Access-Control-Allow-Origin", "*"), self._expose, NOSNIFF]

    @classmethod
    def from_config(cls, config: Mapping[str, Any], digest: str) -> HeaderPolicy:
        """The policy of an app with this configuration and API description digest."""
        return cls(
            max_age=int(config["CACHE_MAX_AGE"]), origins=config["CORS_ORIGINS"], digest=digest
        )

    # -- caching ----------------------------------------------------------------------

    def etag(self, version: str, full_path: str, accept: str, authed: bool) -> str:
        """The tag of a read (see ``read_etag``) under this app's API description."""
        return read_etag(version, self.digest, full_path, accept, authed)

    def caching(self, *, authed: bool) -> Headers:
        """Cache-Control and Vary of a successful read (200 or 304)."""
        if authed:
            return [("Cache-Control", PRIVATE), ("Vary", self.vary)]
        return self._public_read

    def cache(self, tag: str, *, authed: bool) -> Headers:
        """ETag, Cache-Control and Vary of a successful read (200 or 304)."""
        return [("ETag", f'"{tag}"'), *self.caching(authed=authed)]

    # -- CORS -------------------------------------------------------------------------

    def cors(self, origin: str | None) -> Headers:
        """The CORS headers of an answer under /api/ to a request from ``origin``."""
        if self.any_origin:
            return [("Access-Control-Allow-Origin", "*"), self._expose]
        if origin in self.origins:
            return [("Access-Control-Allow-Origin", origin), self._expose]
        return []

    def preflight(self, origin: str | None, requested_headers: str | None) -> Headers:
        """What a preflight from ``origin`` is told besides ``cors``: methods, headers, age."""
        if not (self.any_origin or origin in self.origins):
            return []
        asked = [_ALLOWED.get(h.strip().lower()) for h in (requested_headers or "").split(",")]
        granted = sorted({h for h in asked if h})
        headers = [
            ("Access-Control-Allow-Methods", ", ".join(ALLOW_METHODS)),
            ("Access-Control-Max-Age", str(PREFLIGHT_MAX_AGE)),
        ]
        if granted:
            headers.append(("Access-Control-Allow-Headers", ", ".join(granted)))
        return headers

    # -- a whole answer ---------------------------------------------------------------

    def public_read(self, tag: str, origin: str | None) -> Headers:
        """Every policy header of a token-less read under /api/ (200 or 304)."""
        if self.any_origin:
            return [("ETag", f'"{tag}"'), *self._public_read, *self._anywhere]
        return [*self.cache(tag, authed=False), *self.cors(origin), NOSNIFF]
