"""Helpers shared by the v1 views: list envelopes and party codes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import flask_smorest
from flask import Response, request
from flask_smorest.arguments import ArgumentsMixin

from ..jsonio import json_response


class _Parser(type(ArgumentsMixin.ARGUMENTS_PARSER)):  # type: ignore[misc]
    """webargs parser that lets each schema's ``unknown = RAISE`` stand for every location."""

    DEFAULT_UNKNOWN_BY_LOCATION: dict[str, str | None] = {}


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint whose query schemas reject unknown parameters."""

    ARGUMENTS_PARSER = _Parser()


# The problem responses every view may answer, documented once.
PROBLEM_RESPONSES = {
    400: {"description": "Bad query parameter (problem+json)"},
    404: {"description": "Not found (problem+json)"},
}


def upper_codes(args: dict[str, Any], *names: str) -> dict[str, Any]:
    """Upper-case party codes given in any case."""
    for name in names:
        value = args.get(name)
        if isinstance(value, str):
            args[name] = value.upper()
        elif isinstance(value, list):
            args[name] = [v.upper() for v in value]
    return args


def list_response(items: list[dict[str, Any]], limit: int) -> Response:
    """The list envelope: data, links, meta."""
    self_link = request.path + ("?" + urlencode(request.args, doseq=True) if request.args else "")
    return json_response(
        {"data": items, "links": {"self": self_link, "next": None}, "meta": {"limit": limit}}
    )
