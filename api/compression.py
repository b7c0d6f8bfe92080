"""Compressed answers (gzip, and br through Google's ``brotli``) for clients that ask.

A WSGI layer outside everything else, since the thin read path's answers never pass through
Flask. An answer in JSON, problem+json, CSV, NDJSON, or an explorer page or asset (HTML, CSS,
JavaScript) is compressed when the request's
Accept-Encoding admits br or gzip (br on a tie) and the body has at least MIN_SIZE bytes or
is streamed (exports: compressed chunk by chunk as they stream, flushed at least every
FLUSH_EVERY bytes). A request without Accept-Encoding, If-None-Match or If-Match costs a
few dictionary look-ups here and is passed on untouched.

Entity tags: a compressed representation is other bytes, so it has its own strong tag, the
app's with ``-gzip`` or ``-br`` appended. Tags sent back in If-None-Match and If-Match lose
that suffix before the app compares them, so either form matches, and a 304 carries the tag
in the form the client sent it.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any

import brotli
from flask import Flask
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header

StartResponse = Callable[..., Any]
Headers = list[tuple[str, str]]

COMPRESSIBLE = frozenset(
    {
        "application/json",
        "application/problem+json",
        "text/csv",
        "application/x-ndjson",
        # The explorer's pages and assets (api/web).
        "text/html",
        "text/css",
        "text/javascript",
    }
)
# Below this, a compressed body saves too little to be worth the work (and the gzip header).
MIN_SIZE = 1024
FLUSH_EVERY = 64 * 1024
GZIP_LEVEL = 6
# Quality 4: a page of 50 facts (34.5 kB) to 6.1 kB in 0.21 ms, a little smaller and faster
# than gzip -6 (0.28 ms); quality 11 saves another 1.3 kB for 41 ms.
BROTLI_QUALITY = 4
_SUFFIXED = re.compile(r'-(?:gzip|br)"')
_CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH")


class _Gzip:
    def __init__(self) -> None:
        self._z = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: gzip framing, mtime 0

    def compress(self, data: bytes) -> bytes:
        return self._z.compress(data)

    def flush(self) -> bytes:
        return self._z.flush(zlib.Z_SYNC_FLUSH)

    def finish(self) -> bytes:
        return self._z.flush()


class _Brotli:
    def __init__(self) -> None:
        self._c = brotli.Compressor(mode=brotli.MODE_TEXT, quality=BROTLI_QUALITY)

    def compress(self, data: bytes) -> bytes:
        return bytes(self._c.process(data))

    def flush(self) -> bytes:
        return bytes(self._c.flush())

    def finish(self) -> bytes:
        return bytes(self._c.finish())


CODINGS: dict[str, Callable[[], _Gzip | _Brotli]] = {"br": _Brotli, "gzip": _Gzip}


def choose_coding(header: str) -> str | None:
    """The content coding to answer with: the one the client rates highest, br on a tie."""
    accepted = parse_accept_header(header, Accept)
    best, best_quality = None, 0.0
    for coding in CODINGS:
        quality = accepted[coding]
        if quality > best_quality:
            best, best_quality = coding, quality
    return best


def suffixed(tag: str, coding: str) -> str:
    """The tag of the ``coding`` form of the representation tagged ``tag``."""
    return f'{tag[:-1]}-{coding}"' if tag.endswith('"') else tag


def _header(headers: Headers, name: str) -> str | None:
    name = name.lower()
    return next((v for k, v in headers if k.lower() == name), None)


class _Compressed:
    """A streamed body, compressed as it comes; closing it closes the app's."""

    def __init__(self, chunks: Iterable[bytes], compressor: _Gzip | _Brotli) -> None:
        self._chunks = chunks
        self._compressor = compressor

    def __iter__(self) -> Iterator[bytes]:
        parts: list[bytes] = []
        pending = 0
        for chunk in self._chunks:
            parts.append(self._compressor.compress(chunk))
            pending += len(chunk)
            if pending >= FLUSH_EVERY:  # the client gets what is ready, not all at the end
                parts.append(self._compressor.flush())
                yield b"".join(parts)
                parts, pending = [], 0
        parts.append(self._compressor.finish())
        yield b"".join(parts)

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


class _Prefetched:
    """An app's body whose first chunk was already taken; closing it closes the app's."""

    def __init__(self, first: list[bytes], rest: Iterator[bytes], body: Iterable[bytes]) -> None:
        self._chunks = chain(first, rest)
        self._body = body

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        close = getattr(self._body, "close", None)
        if close is not None:
            close()


class Compression:
    """WSGI middleware: compress what the client admits; tags suffixed and accepted back."""

    def __init__(self, wsgi_app: Callable[..., Any]) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        sent = environ.get("HTTP_IF_NONE_MATCH")
        stripped = False
        for key in _CONDITIONS:
            value = environ.get(key)
            if value and ("-gzip" in value or "-br" in value):
                environ[key] = _SUFFIXED.sub('"', value)
                stripped = True
        header = environ.get("HTTP_ACCEPT_ENCODING")
        coding = choose_coding(header) if header else None
        if coding is None and not stripped:
            return self.wsgi_app(environ, start_response)
        return self._answer(environ, start_response, coding, sent if stripped else None)

    def _answer(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        coding: str | None,
        sent: str | None,
    ) -> Any:
        captured: list[Any] = []
        started = False

        def capture(status: str, headers: Headers, exc_info: Any = None) -> Any:
            if started:  # headers already went out: the server decides (PEP 3333)
                return start_response(status, headers, exc_info)
            captured[:] = [status, headers, exc_info]
            return write

        def write(data: bytes) -> None:
            raise NotImplementedError("write() is not supported behind the compression layer")

        body: Iterable[bytes] = self.wsgi_app(environ, capture)
        if not captured:  # an app that starts its answer on the first chunk
            chunks = iter(body)
            first = next(chunks, None)
            body = _Prefetched([] if first is None else [first], chunks, body)
        status, headers, exc_info = captured
        code = int(status[:3])
        started = True
        if code == 304 and sent is not None:
            headers = [
                (k, self._as_sent(v, sent) if k.lower() == "etag" else v) for k, v in headers
            ]
        if coding is None or not self._compressible(code, headers):
            start_response(status, headers, exc_info)
            return body
        compressor = CODINGS[coding]()
        length = _header(headers, "Content-Length")
        out: Headers = []
        for name, value in headers:
            lower = name.lower()
            if lower == "content-length":
                continue
            if lower == "etag":
                value = suffixed(value, coding)
            elif lower == "vary" and "accept-encoding" not in value.lower() and value != "*":
                value += ", Accept-Encoding"
            out.append((name, value))
        if _header(headers, "Vary") is None:
            out.append(("Vary", "Accept-Encoding"))
        out.append(("Content-Encoding", coding))
        if environ.get("REQUEST_METHOD") == "HEAD":  # no body to measure: no length
            start_response(status, out, exc_info)
            return body
        if length is None:
            start_response(status, out, exc_info)
            return _Compressed(body, compressor)
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        compressed = compressor.compress(data) + compressor.finish()
        out.append(("Content-Length", str(len(compressed))))
        start_response(status, out, exc_info)
        return [compressed]

    @staticmethod
    def _as_sent(tag: str, sent: str) -> str:
        """A 304's tag as the client holds it (with the suffix it sent, if any)."""
        for coding in CODINGS:
            if suffixed(tag, coding) in sent:
                return suffixed(tag, coding)
        return tag

    @staticmethod
    def _compressible(code: int, headers: Headers) -> bool:
        if code < 200 or code in (204, 206, 304):
            return False
        media = (_header(headers, "Content-Type") or "").split(";", 1)[0].strip().lower()
        if media not in COMPRESSIBLE or _header(headers, "Content-Encoding") is not None:
            return False
        if "no-transform" in (_header(headers, "Cache-Control") or "").lower():
            return False
        length = _header(headers, "Content-Length")
        return length is None or not length.isdigit() or int(length) >= MIN_SIZE


def install(app: Flask) -> None:
    """Put compression outside every other layer (call it last); COMPRESSION=false skips it."""
    if app.config.get("COMPRESSION", True):
        app.wsgi_app = Compression(app.wsgi_app)  # type: ignore[method-assign]
