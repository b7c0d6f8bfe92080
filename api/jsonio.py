"""Fast JSON with orjson, for Flask's own JSON and for the API's responses."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from flask import Flask, Response
from flask.json.provider import JSONProvider

from .fact_document import format_decimal

_OPTIONS = orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_decimal(value)  # exact decimal text: the API documents values as strings
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def dumps(value: Any) -> bytes:
    """Serialize to JSON bytes."""
    return orjson.dumps(value, default=_default, option=_OPTIONS)


class OrjsonProvider(JSONProvider):
    """Flask JSON provider backed by orjson."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return dumps(obj).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)


def json_response(
    data: Any,
    status: int = 200,
    headers: dict[str, str] | list[tuple[str, str]] | None = None,
    mimetype: str = "application/json",
) -> Response:
    """Build a JSON response from plain data."""
    return Response(dumps(data), status=status, headers=headers, mimetype=mimetype)


def init_app(app: Flask) -> None:
    """Use orjson for every JSON body Flask produces or parses."""
    app.json = OrjsonProvider(app)
