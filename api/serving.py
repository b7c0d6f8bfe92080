"""gunicorn integration: problem+json for the server's own errors, a redacting logger, and
the process model that keeps in-memory rate limits true.

gunicorn answers some requests before the app ever sees them: a request line over
``limit_request_line`` (414), too many or too large headers (431), a request that is not
valid HTTP (400), and a few rarer ones (403, 417, 500, 501). It writes those as text/html.
Raising its limits and enforcing our own in the app would not cover a malformed request
(nothing reaches the app), and the request-line limit cannot go past 8190 bytes anyway, so
instead the workers are subclassed: gunicorn still decides the status and logs the error,
and the bytes it would send are replaced by a problem+json document of the same status.
Only the status line of gunicorn's answer is read (HTTP, stable), never its HTML.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from gunicorn import glogging, util
from gunicorn.workers.gthread import ThreadWorker as _ThreadWorker
from gunicorn.workers.sync import SyncWorker as _SyncWorker

from .redact import MASK, redact_path, redact_query, redact_request_line, redact_target, redact_text

log = logging.getLogger(__name__)

# (type slug, detail) of the statuses gunicorn answers by itself.
_DETAILS: dict[int, tuple[str | None, str]] = {
    400: (
        "malformed-request",
        "The request is not valid HTTP: check its request line, headers and body framing.",
    ),
    414: (
        "uri-too-long",
        "The request line (method, URL and version) is longer than this "
        "server accepts ({limit_request_line} bytes); shorten the URL.",
    ),
    500: (None, "An unexpected error occurred; it has been logged."),
    431: (
        "headers-too-large",
        "The request headers are too many or too large (at most "
        "{limit_request_fields} fields of {limit_request_field_size} bytes each).",
    ),
}


class _Capture:
    """Stands in for the client socket while gunicorn writes its error, and keeps the bytes."""

    def __init__(self) -> None:
        self.data = b""

    def gettimeout(self) -> float:
        return 0.0  # gunicorn then writes without toggling blocking mode

    def setblocking(self, flag: bool) -> None:
        """Nothing to toggle."""

    def sendall(self, data: bytes) -> None:
        self.data += data


def problem_bytes(status: int, reason: str, cfg: Any, target: str | None) -> bytes:
    """A complete HTTP/1.1 problem+json response for a status gunicorn chose."""
    slug, detail = _DETAILS.get(status, (None, HTTPStatus(status).description))
    limits = {
        name: getattr(cfg, name, "?")
        for name in ("limit_request_line", "limit_request_fields", "limit_request_field_size")
    }
    body = json.dumps(
        {
            "type": f"/problems/{slug}" if slug else "about:blank",
            "title": reason,
            "status": status,
            "detail": detail.format(**limits),
            "instance": redact_target(target) if target else None,
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/problem+json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Cache-Control: no-store\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "\r\n"
    )
    return head.encode("latin-1") + body


class ProblemErrors:
    """Worker mixin: gunicorn's own error answers as problem+json."""

    cfg: Any

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """Let gunicorn pick the status and log; send problem+json instead of its HTML."""
        capture = _Capture()
        super().handle_error(req, capture, addr, exc)  # type: ignore[misc]
        status_line = capture.data.split(b"\r\n", 1)[0].decode("latin-1")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            payload = capture.data  # not an answer we understand: as gunicorn wrote it
        else:
            status = int(parts[1])
            reason = parts[2] if len(parts) > 2 else HTTPStatus(status).phrase
            target = getattr(req, "uri", None) if req is not None else None
            payload = problem_bytes(status, reason, self.cfg, target)
        try:
            util.write_nonblock(client, payload)
        except Exception:  # the client is gone; gunicorn also only logs this at debug
            log.debug("failed to send an error response", exc_info=True)


class SyncWorker(ProblemErrors, _SyncWorker):
    """gunicorn's sync worker, answering its own errors as problem+json."""


class ThreadWorker(ProblemErrors, _ThreadWorker):
    """gunicorn's gthread worker, answering its own errors as problem+json."""


# Access-log atoms that may carry a secret, and how each is cleaned.
_HEADER_SECRETS = (
    "{authorization}i",
    "{proxy-authorization}i",
    "{cookie}i",
    "{x-api-key}i",
    "{http_authorization}e",
    "{http_proxy_authorization}e",
    "{http_cookie}e",
    "{http_x_api_key}e",
)
_TARGETS = ("f", "{referer}i", "{http_referer}e", "{raw_uri}e", "{request_uri}e")


class _RedactMessages(logging.Filter):
    """Error-log records with secrets masked (gunicorn quotes bad request lines in them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class RedactingLogger(glogging.Logger):
    """gunicorn's logger, never writing a credential from a URL or header."""

    def setup(self, cfg: Any) -> None:
        """Set up as gunicorn does, then mask secrets in error-log messages."""
        super().setup(cfg)
        self.error_log.addFilter(_RedactMessages())

    def atoms(self, resp: Any, req: Any, environ: Mapping[str, Any], request_time: Any) -> Any:
        """The access-log atoms with query values and tokens masked."""
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = redact_request_line(atoms["r"])
        atoms["U"] = redact_path(atoms.get("U") or "")
        atoms["q"] = redact_query(atoms.get("q") or "")
        if atoms.get("{path_info}e"):
            atoms["{path_info}e"] = redact_path(atoms["{path_info}e"])
        if atoms.get("{query_string}e"):
            atoms["{query_string}e"] = redact_query(atoms["{query_string}e"])
        for name in _TARGETS:
            if isinstance(atoms.get(name), str):
                atoms[name] = redact_target(atoms[name])
        for name in _HEADER_SECRETS:
            if atoms.get(name):
                atoms[name] = MASK
        return atoms


def shared_limits(env: Mapping[str, str] = os.environ) -> bool:
    """Whether rate limits hold across processes: off, or counted in a shared storage."""
    enabled = env.get("FACTS_RATELIMIT_ENABLED", "true").strip().lower()
    if enabled in ("false", "0", "no", "off"):
        return True
    storage = env.get("FACTS_RATELIMIT_STORAGE_URI", "memory://").strip().strip('"')
    return not storage.startswith("memory://")
