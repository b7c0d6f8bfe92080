"""RFC 9457 problem+json for every error the API returns."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from .jsonio import json_response
from .redact import mask_tokens, redact_target

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


class Problem(Exception):
    """An error answered as problem+json; ``slug`` names its type under /problems/."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        title: str | None = None,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.slug = status, detail, slug
        self.title = title or HTTPStatus(status).phrase
        self.errors, self.headers, self.extra = errors, headers or {}, extra or {}


def problem_response(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """Build a problem+json response."""
    body: dict[str, Any] = {
        "type": f"/problems/{slug}" if slug else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": redact_target(request.full_path.rstrip("?")) if request else None,
    }
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    # A token sent where it does not belong (a parameter's name or value) is never echoed.
    body = mask_tokens(body)  # type: ignore[assignment]
    return json_response(body, status=status, headers=headers, mimetype=PROBLEM)


def _from_problem(exc: Problem) -> Response:
    return problem_response(
        exc.status,
        exc.detail,
        slug=exc.slug,
        title=exc.title,
        errors=exc.errors,
        headers=exc.headers,
        extra=exc.extra,
    )


def _from_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    headers = {k: v for k, v in (exc.get_headers() or []) if k.lower() != "content-type"}
    if messages:
        # webargs puts errors under their location; bad query strings and paths are 400s,
        # bad bodies 422s.
        locations = set(messages)
        errors: dict[str, Any] = {}
        for location, location_errors in messages.items():
            if isinstance(location_errors, dict):
                errors.update(location_errors)
            else:  # e.g. {"json": ["Invalid JSON body."]}
                errors["body" if location == "json" else location] = location_errors
        schema = data.get("schema")
        if schema is not None:
            allowed = ", ".join(sorted(f.data_key or n for n, f in schema.fields.items()))
            for name, problem in errors.items():
                if problem == ["Unknown field."]:
                    errors[name] = [f"Unknown parameter. Allowed: {allowed}."]
        in_params = locations <= {"query", "path", "view_args", "headers"}
        if in_params:
            status = 400
        fields = ", ".join(sorted(errors))
        return problem_response(
            status,
            f"Invalid {'request parameter' if in_params else 'request body'}: {fields}.",
            slug="invalid-parameters" if in_params else "invalid-body",
            errors=errors,
            headers=headers,
        )
    if status == 429:
        return problem_response(
            429,
            f"Rate limit exceeded ({exc.description}); retry after the Retry-After seconds.",
            slug="rate-limited",
            headers=headers,
        )
    if status == 413:
        return problem_response(
            413,
            "The request body is larger than this API accepts.",
            slug="too-large",
            headers=headers,
        )
    detail = exc.description or HTTPStatus(status).description
    return problem_response(status, detail, headers=headers)


# Operational errors that mean the database cannot be reached or is busy (answered 503);
# any other OperationalError is a bug and is answered like any unexpected error.
_UNAVAILABLE = (
    "connect",
    "connection",
    "server closed",
    "terminating",
    "timeout",
    "timed out",
    "database is locked",
    "unable to open",
    "disk i/o",
    "no such table",
    "does not exist",
    "shutting down",
    "could not receive",
    "could not send",
    "ssl",
)


def _from_database(exc: OperationalError) -> Response:
    text = str(exc.orig or exc).lower()
    if not (exc.connection_invalidated or any(mark in text for mark in _UNAVAILABLE)):
        return _from_unexpected(exc)
    log.error("database unavailable: %s", exc.__class__.__name__)
    return problem_response(
        503,
        "The database is unavailable; try again shortly.",
        slug="database-unavailable",
        headers={"Retry-After": "5"},
    )


def _from_pool_timeout(_exc: PoolTimeout) -> Response:
    # Every pooled connection is busy (each waiting on a slow or silent database).
    log.error("no free database connection in the pool")
    return problem_response(
        503,
        "The database is busy; try again shortly.",
        slug="database-unavailable",
        headers={"Retry-After": "5"},
    )


def _from_unexpected(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem_response(500, "An unexpected error occurred; it has been logged.")


def problem_from_http(exc: HTTPException) -> Response:
    """An HTTP error (abort, routing) as problem+json."""
    return _from_http(exc)


def init_app(app: Flask, _smorest: Any = None) -> None:
    """Register the handlers; call after flask-smorest so ours take precedence."""
    app.register_error_handler(Problem, _from_problem)
    app.register_error_handler(HTTPException, _from_http)
    app.register_error_handler(OperationalError, _from_database)
    app.register_error_handler(PoolTimeout, _from_pool_timeout)
    app.register_error_handler(Exception, _from_unexpected)
