"""The ceiling: a minimal WSGI app returning a fixed 2 KB JSON body (no framework, no I/O)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

BODY = json.dumps({"data": [{"id": i, "text": "x" * 30} for i in range(40)]}).encode()[:2048]
BODY = BODY + b" " * (2048 - len(BODY))
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answer every request with the same 2 KB of JSON."""
    start_response("200 OK", HEADERS)
    return [BODY]
