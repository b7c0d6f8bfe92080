"""The OpenAPI description's shared parts: operation ids, conditional and idempotency headers,
response headers, 304s, the errors every operation can get, and problem+json error bodies.

One plugin (``ContractPlugin``) completes every operation flask-smorest documents, so a
generated client gets stable method names, the headers it must send (If-Match is required
on PATCH and DELETE: the server answers 428 without it) and those it can read back.
"""

from __future__ import annotations

import http
from typing import Any

from apispec import APISpec, BasePlugin
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from ..schemas.output import ProblemSchema

# The name of every operation (a generated client's method names): the one place they are
# decided. A new operation must be named here; building the description fails otherwise.
OPERATION_IDS = {
    ("get", "/api/v1/"): "getIndex",
    ("get", "/api/v1/fact-types"): "listFactTypes",
    ("get", "/api/v1/facts"): "listFacts",
    ("post", "/api/v1/facts"): "createFact",
    ("get", "/api/v1/facts/{fact_id}"): "getFact",
    ("patch", "/api/v1/facts/{fact_id}"): "updateFact",
    ("delete", "/api/v1/facts/{fact_id}"): "retractFact",
    ("get", "/api/v1/facts/{fact_id}/history"): "getFactHistory",
    ("get", "/api/v1/facts/{fact_id}/revisions/{version}"): "getFactRevision",
    ("get", "/api/v1/facts/{fact_id}/citation"): "citeFact",
    ("get", "/api/v1/facts/{fact_id}/links"): "listFactLinks",
    ("post", "/api/v1/facts/{fact_id}/links"): "createFactLink",
    ("get", "/api/v1/facts/{fact_id}/links/{link_id}"): "getFactLink",
    ("delete", "/api/v1/facts/{fact_id}/links/{link_id}"): "removeFactLink",
    ("get", "/api/v1/facts/{fact_id}/chain"): "getFactChain",
    ("get", "/api/v1/figures"): "listFigures",
    ("get", "/api/v1/figures/{key}"): "getFigure",
    ("get", "/api/v1/sources"): "listSources",
    ("post", "/api/v1/sources"): "createSource",
    ("get", "/api/v1/sources/{source_id}"): "getSource",
    ("patch", "/api/v1/sources/{source_id}"): "updateSource",
    ("get", "/api/v1/sources/{source_id}/facts"): "listSourceFacts",
    ("get", "/api/v1/sources/{source_id}/suggestions"): "listSourceSuggestions",
    ("get", "/api/v1/sources/{source_id}/suggestions/{suggestion_id}"): "getSuggestion",
    ("post", "/api/v1/sources/{source_id}/suggestions/{suggestion_id}/accept"): "acceptSuggestion",
    ("post", "/api/v1/sources/{source_id}/suggestions/{suggestion_id}/reject"): "rejectSuggestion",
    ("get", "/api/v1/suggestions/stats"): "getSuggestionStats",
    ("get", "/api/v1/parties"): "listParties",
    ("get", "/api/v1/parties/{code}"): "getParty",
    ("get", "/api/v1/actors"): "listActors",
    ("get", "/api/v1/actors/{actor_ref}"): "getActor",
    ("get", "/api/v1/dyads"): "listDyads",
    ("get", "/api/v1/dyads/{a}/{b}"): "getDyad",
    ("get", "/api/v1/dyads/{a}/{b}/timeline"): "getDyadTimeline",
    ("get", "/api/v1/changes"): "listChanges",
}

# Errors any request can get, whatever the operation: malformed HTTP (400, from gunicorn), an
# Accept header that admits nothing the operation produces (406), a body over
# MAX_CONTENT_LENGTH (413), a URL or headers over the server's limits (414, 431), a rate limit
# (429), an unexpected error (500), a database that does not answer (503: every operation
# reads at least the data version).
EVERY_OPERATION = (400, 406, 413, 414, 429, 431, 500, 503)

_INT = {"type": "integer", "minimum": 0}
_STRING = {"type": "string"}
HEADERS: dict[str, dict[str, Any]] = {
    "ETAG": {
        "description": "The representation's strong entity tag: send it back in If-None-Match "
        "(304 while unchanged) or, for a fact or source, in If-Match on a write. A compressed "
        "answer's tag ends in -gzip or -br; either form is accepted in both headers.",
        "schema": _STRING,
    },
    "LINK": {
        "description": 'RFC 8288: the next page, `<URL>; rel="next"` (the same URL as '
        "links.next); absent on the last page.",
        "schema": _STRING,
    },
    "LOCATION": {
        "description": "The URL of the created (or existing) resource.",
        "schema": _STRING,
    },
    "IDEMPOTENT_REPLAYED": {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same Idempotency-Key and body.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "RATELIMIT_LIMIT": {"description": "Requests allowed in the window.", "schema": _INT},
    "RATELIMIT_REMAINING": {"description": "Requests left in the window.", "schema": _INT},
    "RATELIMIT_RESET": {
        "description": "When the window resets, in seconds since the Unix epoch.",
        "schema": _INT,
    },
    "RETRY_AFTER": {"description": "Seconds to wait before trying again.", "schema": _INT},
    "WWW_AUTHENTICATE": {"description": "The Bearer challenge (RFC 6750).", "schema": _STRING},
}
_RATE_LIMITS = {
    "RateLimit-Limit": "RATELIMIT_LIMIT",
    "RateLimit-Remaining": "RATELIMIT_REMAINING",
    "RateLimit-Reset": "RATELIMIT_RESET",
}
PARAMETERS: dict[str, dict[str, Any]] = {
    "IF_NONE_MATCH": {
        "name": "If-None-Match",
        "required": False,
        "description": "ETags you hold: 304 Not Modified (no body) while one is current.",
        "schema": _STRING,
    },
    "IF_MATCH": {
        "name": "If-Match",
        "required": True,
        "description": "The ETag you last read (or `*` for whatever is current): 412 when it "
        "is stale, 428 without it.",
        "schema": {"type": "string", "minLength": 1},  # an empty one is none: 428
    },
    "IDEMPOTENCY_KEY": {
        "name": "Idempotency-Key",
        "required": False,
        "description": "Any 1-200 characters: the same key with the same body answers the "
        "stored response again (Idempotent-Replayed: true); with another body, 422.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    },
}


_SUCCESS_HEADERS = {
    "ETag": "ETAG",
    "Link": "LINK",
    "Location": "LOCATION",
    "Idempotent-Replayed": "IDEMPOTENT_REPLAYED",
    **_RATE_LIMITS,
}


def _headers(*names: str, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """Response headers by name; those in ``required`` are always sent."""
    found: dict[str, Any] = {}
    for header, component in _SUCCESS_HEADERS.items():
        if header in names or header in required:
            # A $ref cannot carry "required" (OpenAPI 3.0 ignores its siblings): inline then.
            found[header] = (
                {**HEADERS[component], "required": True} if header in required else component
            )
    return found


class ContractPlugin(BasePlugin):
    """apispec plugin: complete every operation (id, headers, 304, shared errors)."""

    spec: APISpec

    def init_spec(self, spec: APISpec) -> None:
        """Keep the spec: lists are told apart by their schemas."""
        self.spec = spec

    def _has_next_link(self, response: dict[str, Any]) -> bool:
        """Whether the answer's JSON body has ``links.next`` (the Link header's twin)."""
        ref = response.get("content", {}).get("application/json", {}).get("schema", {})
        name = str(ref.get("$ref", "")).rsplit("/", 1)[-1]
        links = self.spec.components.schemas.get(name, {}).get("properties", {}).get("links")
        if not links:
            return False
        target = self.spec.components.schemas.get(str(links.get("$ref", "")).rsplit("/", 1)[-1])
        return "next" in (target or {}).get("properties", {})

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        """Name the operation; add its headers, its 304 and the shared error responses."""
        for method, operation in (operations or {}).items():
            if not isinstance(operation, dict):
                continue
            try:
                operation["operationId"] = OPERATION_IDS[(method, str(path))]
            except KeyError:
                raise KeyError(
                    f"{method.upper()} {path} has no operationId: name it in "
                    "api/v1/openapi.py OPERATION_IDS"
                ) from None
            responses = operation.setdefault("responses", {})
            params = operation.setdefault("parameters", [])
            for status, response in responses.items():
                if not isinstance(response, dict) or not str(status).startswith("2"):
                    continue
                headers = response.setdefault("headers", {})
                if method == "get":
                    link = ("Link",) if self._has_next_link(response) else ()
                    headers.update(_headers(*_RATE_LIMITS, *link, required=("ETag",)))
                elif method == "post":
                    headers.update(
                        _headers(
                            *_RATE_LIMITS, "Idempotent-Replayed", required=("ETag", "Location")
                        )
                    )
                else:
                    headers.update(_headers(*_RATE_LIMITS, required=("ETag",)))
            if method == "get":
                params.append("IF_NONE_MATCH")
                responses.setdefault(304, "NOT_MODIFIED")
            elif method == "post":
                params.append("IDEMPOTENCY_KEY")
            else:
                params.append("IF_MATCH")
            for status in EVERY_OPERATION:
                if status not in responses and str(status) not in responses:
                    responses[str(status)] = http.HTTPStatus(status).name


class ProblemApi(Api):
    """flask-smorest Api with the shared parts above; errors are RFC 9457 problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        for name, header in HEADERS.items():
            self.spec.components.header(name, header, lazy=True)  # listed once referenced
        for name, parameter in PARAMETERS.items():
            self.spec.components.parameter(name, "header", parameter)
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, "application/problem+json")
                response["headers"] = dict(_RATE_LIMITS)
            if status in (429, 503):
                response["headers"]["Retry-After"] = "RETRY_AFTER"
            if status == 401:
                response["headers"]["WWW-Authenticate"] = {
                    **HEADERS["WWW_AUTHENTICATE"],
                    "required": True,
                }
            if status == 304:
                response["description"] = "Not Modified: the ETag sent in If-None-Match is current."
                response["headers"] = _headers(*_RATE_LIMITS, required=("ETag",))
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Problem (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, "application/problem+json")
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)

    def _register_etag_headers(self) -> None:
        """flask-smorest's own ETag parameters: replaced by PARAMETERS and HEADERS above."""

    def _register_pagination_header(self) -> None:
        """flask-smorest's page-number pagination: lists here are paged by cursor."""
