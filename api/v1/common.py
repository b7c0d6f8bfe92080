"""Helpers shared by the v1 views: the blueprint class, party codes, statuses, docs."""

from __future__ import annotations

import http
from collections.abc import Callable
from typing import Any

import flask_smorest
import orjson
from flask_smorest.arguments import ArgumentsMixin
from marshmallow import missing
from webargs.flaskparser import is_json_request

from ..arguments import actor_id, party_code, resolve_codes, unknown_value  # noqa: F401
from ..responses.media import LIST_MEDIA
from .negotiation import MEDIA_ATTRIBUTE


class _Parser(type(ArgumentsMixin.ARGUMENTS_PARSER)):  # type: ignore[misc]
    """webargs parser: each schema's ``unknown = RAISE`` stands for every location, and JSON
    bodies are read by orjson (bounded nesting, no lone surrogates) instead of ``json``."""

    DEFAULT_UNKNOWN_BY_LOCATION: dict[str, str | None] = {}

    def _raw_load_json(self, req: Any) -> Any:
        if not is_json_request(req):
            return missing
        data = req.get_data(cache=True)
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as err:
            # webargs reads an error without a document as "no body"; a body that is not
            # UTF-8 gives such an error, and must be refused, not taken for {}.
            if data.strip():
                return self._handle_invalid_json_error(err, req)
            raise


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint whose query schemas reject unknown parameters."""

    ARGUMENTS_PARSER = _Parser()

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Any:
        """Like flask-smorest's, but bad query strings and paths are documented as 400."""
        if location in ("query", "path", "headers"):
            kwargs.setdefault("error_status_code", 400)
        return super().arguments(schema, location=location, **kwargs)

    def problems(self, *statuses: int) -> Callable[[Any], Any]:
        """Document problem+json answers for ``statuses`` (shared response components)."""

        def decorator(func: Any) -> Any:
            for status in statuses:
                func = self.alt_response(status, response=http.HTTPStatus(status).name)(func)
            return func

        return decorator

    def media(self, types: dict[str, dict[str, Any]]) -> Callable[[Any], Any]:
        """Document a view's answer in these media types (name: schema), and offer exactly
        them (and problem+json) in negotiation."""
        document = self.doc(
            responses={
                200: {"content": {name: {"schema": schema} for name, schema in types.items()}}
            }
        )

        def decorator(func: Any) -> Any:
            func = document(func)
            setattr(func, MEDIA_ATTRIBUTE, (*types, "application/problem+json"))
            return func

        return decorator

    def exports(self) -> Callable[[Any], Any]:
        """Document the CSV and NDJSON forms of a list, and offer them in negotiation."""
        document = self.doc(
            responses={
                200: {
                    "content": {
                        "text/csv": {"schema": {"type": "string"}},
                        "application/x-ndjson": {"schema": {"type": "string"}},
                    }
                }
            }
        )

        def decorator(func: Any) -> Any:
            func = document(func)
            setattr(func, MEDIA_ATTRIBUTE, LIST_MEDIA)  # copied outward by functools.wraps
            return func

        return decorator
