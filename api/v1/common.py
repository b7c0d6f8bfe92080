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

from ..db import cache_version, session
from ..errors import Problem
from ..responses.media import LIST_MEDIA
from ..services.catalog import (
    closest_actor_keys,
    closest_codes,
    find_actor,
    resolve_party,
)
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


def unknown_value(what: str, raw: str, name: str, close: list[str], advice: str = "") -> Problem:
    """The 400 for a well-formed ``what`` (party, actor) in parameter ``name`` naming nothing."""
    hint = f": did you mean {' or '.join(close)}?" if close else "."
    return Problem(
        400,
        f"Unknown {what} {raw!r} in {name}{hint}",
        slug="unknown-code",
        errors={name: [f"Unknown {what} {raw!r}{hint}{advice}"]},
        extra={"suggestions": {name: close}},
    )


def party_code(raw: str, name: str) -> str:
    """Resolve a party code given in a parameter, or answer 400 naming it and the closest."""
    code = resolve_party(session(), raw, cache_version())
    if code is None:
        close = closest_codes(session(), raw, cache_version())
        raise unknown_value(
            "party code", raw, name, close, " Use an ISO 3166-1 code or OPEC / OPEC+."
        )
    return code


def actor_id(raw: str, name: str = "actor") -> int:
    """Resolve an actor id or key given in a parameter, or answer 400 naming the closest."""
    actor = find_actor(session(), raw)
    if actor is None:
        raise unknown_value("actor", raw, name, closest_actor_keys(session(), raw))
    return actor.id


def resolve_codes(args: dict[str, Any], *names: str) -> dict[str, Any]:
    """Resolve every party code among ``names`` in place (alpha-2, numeric, any case).

    A code that names no party is a 400 (a typo must not look like "no facts").
    """
    for name in names:
        value = args.get(name)
        if isinstance(value, str):
            args[name] = party_code(value, name)
        elif isinstance(value, list):
            args[name] = [party_code(v, name) for v in value]
    if args.get("dyad") and args["dyad"][0] == args["dyad"][1]:
        raise Problem(
            400,
            "A dyad needs two different parties.",
            slug="invalid-parameters",
            errors={"dyad": ["Both codes name the same party."]},
        )
    return args
