"""Request bodies over MAX_CONTENT_LENGTH are refused with 413, whatever their framing.

A chunked body carries no length up front, and reading it through a stream capped at the
limit cut it short silently: the app stored the first MiB as if it were the whole article.
This WSGI layer, outermost, reads such a body itself (at most limit + 1 bytes): over the
limit it is a 413 before any view runs; otherwise the app gets the exact bytes, with their
length, as if they had come with a Content-Length. A declared Content-Length over the limit
is refused the same way, without reading the body.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

_TOO_LARGE = "bf.body_too_large"
_CHUNK = 64 * 1024
# What is read and thrown away of a refused body before answering: a client that sends all
# of its body before reading (curl, http.client, requests) then sees the 413 instead of a
# connection reset. Bounded in bytes and time; a longer body is cut off by the server.
_DISCARD_BYTES = 8 * 1024 * 1024
_DISCARD_SECONDS = 5.0
# Reads never have their body looked at; skip buffering one on the hot path.
_BODILESS = ("GET", "HEAD", "OPTIONS")


def read_at_most(stream: Any, size: int) -> bytes:
    """Up to ``size`` bytes of ``stream``: fewer only when it ends first."""
    parts: list[bytes] = []
    total = 0
    while total < size:
        chunk = stream.read(min(_CHUNK, size - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def discard(stream: Any, size: int, seconds: float) -> None:
    """Read and drop up to ``size`` bytes of ``stream`` for at most about ``seconds``."""
    deadline = time.monotonic() + seconds
    total = 0
    with contextlib.suppress(Exception):  # a client gone or a framing error: answer anyway
        while total < size and time.monotonic() < deadline:
            chunk = stream.read(min(_CHUNK, size - total))
            if not chunk:
                return
            total += len(chunk)


class BodyLimit:
    """WSGI middleware: buffer length-less bodies up to the limit; 413 beyond it."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Any]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        limit = self.app.config.get("MAX_CONTENT_LENGTH")
        if limit is None:
            return self.wsgi_app(environ, start_response)
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        declared = environ.get("CONTENT_LENGTH")
        if chunked or (
            not declared
            and environ.get("wsgi.input_terminated")
            and environ.get("REQUEST_METHOD") not in _BODILESS
        ):
            body = read_at_most(environ["wsgi.input"], int(limit) + 1)
            if len(body) > int(limit):
                discard(environ["wsgi.input"], _DISCARD_BYTES, _DISCARD_SECONDS)
                return self._too_large(environ, start_response)
            # The framing is resolved: what follows sees an ordinary body of known length.
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        elif declared and declared.isdigit() and int(declared) > int(limit):
            if int(declared) <= _DISCARD_BYTES:
                discard(environ["wsgi.input"], int(declared), _DISCARD_SECONDS)
            return self._too_large(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def _too_large(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        environ[_TOO_LARGE] = True
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input"] = io.BytesIO()
        environ["CONTENT_LENGTH"] = "0"
        # Straight to Flask (past the thin read path, which would answer a GET and ignore
        # its body): the 413 is errors.py's problem+json with every usual header.
        return Flask.wsgi_app(self.app, environ, start_response)


def _refuse_marked() -> None:
    if request.environ.get(_TOO_LARGE):
        raise RequestEntityTooLarge()


def install(app: Flask) -> None:
    """Put the body limit in front of everything else the app has (call it last)."""
    # First of the before-request hooks: no rate-limit key, token lookup or ETag is
    # computed for a request that is refused anyway.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_marked)
    app.wsgi_app = BodyLimit(app, app.wsgi_app)  # type: ignore[method-assign]
