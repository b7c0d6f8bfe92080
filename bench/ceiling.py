"""The ceilings: minimal WSGI apps that answer every request with fixed bytes (no framework,
no I/O).

``app`` returns a fixed 2 KB JSON body. ``same_bytes()`` (a factory: gunicorn
``bench.ceiling:same_bytes()``) returns the bytes of the file CEILING_BODY_FILE as
CEILING_CONTENT_TYPE: run.py gives it our API's page of 50, so it bounds that page.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

BODY = json.dumps({"data": [{"id": i, "text": "x" * 30} for i in range(40)]}).encode()[:2048]
BODY = BODY + b" " * (2048 - len(BODY))
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answer every request with the same 2 KB of JSON."""
    start_response("200 OK", HEADERS)
    return [BODY]


def same_bytes() -> Wsgi:
    """An app answering every request with the file's bytes (read once, at start-up)."""
    body = Path(os.environ["CEILING_BODY_FILE"]).read_bytes()
    headers = [
        ("Content-Type", os.environ.get("CEILING_CONTENT_TYPE", "application/json")),
        ("Content-Length", str(len(body))),
    ]

    def answer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", headers)
        return [body]

    return answer
