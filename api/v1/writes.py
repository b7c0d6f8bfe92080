"""Plumbing shared by write views: auth and media type first, If-Match, Idempotency-Key,
one transaction per request, and domain errors turned into problems."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Response, request, url_for
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import write_transaction
from ..errors import Problem
from ..services import idempotency
from ..services.fact_writes import Conflict
from ..services.facts import KeyTaken
from ..services.importer import ArticleError
from ..services.suggestions import AlreadyDecided
from .auth import require


def write_view(
    *media: str, scope: str = "write", body_optional: bool = False
) -> Callable[[Any], Any]:
    """Check the token (401/403) and the Content-Type (415) before the body is parsed; with
    ``body_optional`` a request without a body needs no Content-Type."""

    def decorator(func: Any) -> Any:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            require(scope)
            empty = body_optional and not request.get_data(cache=True)
            if media and not empty and request.mimetype not in media:
                raise Problem(
                    415,
                    f"Send the body as {' or '.join(media)}, not {request.mimetype or 'nothing'}.",
                    slug="unsupported-media-type",
                )
            return func(*args, **kwargs)

        return wrapper

    return decorator


def check_if_match(current: str) -> None:
    """Optimistic concurrency: If-Match is required (428) and must be current (412)."""
    header = request.headers.get("If-Match")
    if not header:
        raise Problem(
            428,
            "Send If-Match with the ETag you last read; it guards against "
            "overwriting a change you have not seen.",
            slug="precondition-required",
        )
    if not (request.if_match.contains(current) or request.if_match.star_tag):
        raise Problem(
            412,
            "The resource changed since you read it: GET it again, re-apply "
            "your change, and send the new ETag.",
            slug="precondition-failed",
        )


def _problem_from(err: Exception) -> Problem:
    if isinstance(err, ValidationError):
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        return Problem(
            422,
            "The request body is not valid: " + ", ".join(map(str, messages)) + ".",
            slug="invalid-body",
            errors=messages,
        )
    if isinstance(err, AlreadyDecided):
        extra = {"decision": err.status}
        if err.fact_id is not None:
            extra["fact"] = url_for("facts.FactItem", fact_id=err.fact_id, _external=True)
        return Problem(409, str(err), slug="already-decided", extra=extra)
    if isinstance(err, Conflict):
        return Problem(409, str(err), slug="conflict")
    if isinstance(err, KeyTaken):
        return Problem(
            409,
            str(err),
            slug="key-taken",
            errors={"key": [str(err)]},
            extra={"existing": url_for("facts.FactItem", fact_id=err.fact_id, _external=True)},
        )
    if isinstance(err, ArticleError):
        return Problem(422, err.problem, slug="invalid-article", errors={"body": [err.problem]})
    if isinstance(err, idempotency.KeyReused):
        return Problem(
            422, str(err), slug="idempotency-key-reused", errors={"Idempotency-Key": [str(err)]}
        )
    raise err


def run_write(work: Callable[[Session], Response], *, idempotent: bool = False) -> Response:
    """Run ``work`` in one write transaction; replay or remember an Idempotency-Key."""
    caller = require("write")
    key = request.headers.get("Idempotency-Key") if idempotent else None
    if key is not None and not 1 <= len(key) <= 200:
        raise Problem(
            400,
            "Idempotency-Key must have 1 to 200 characters.",
            slug="invalid-parameters",
            errors={"Idempotency-Key": ["1 to 200 characters."]},
        )
    digest = idempotency.request_digest(
        request.method, request.full_path, request.mimetype, request.get_data()
    )
    try:
        with write_transaction() as s:
            if key is not None:
                stored = idempotency.find(s, caller.name, key, digest)
                if stored is not None:
                    replay = Response(stored.body, status=stored.status, headers=stored.headers)
                    replay.headers["Idempotent-Replayed"] = "true"
                    return replay
            response = work(s)
            if key is not None and response.status_code < 300:
                kept = {
                    k: v
                    for k, v in response.headers.items()
                    if k in ("Location", "ETag", "Content-Type")
                }
                idempotency.remember(
                    s,
                    caller.name,
                    key,
                    request.method,
                    request.path,
                    digest,
                    idempotency.StoredResponse(
                        response.status_code, response.get_data(as_text=True), kept
                    ),
                )
            return response
    except (ValidationError, Conflict, KeyTaken, ArticleError, idempotency.KeyReused) as err:
        raise _problem_from(err) from None
    except IntegrityError:
        if key is not None:  # another request with the same key won the race: replay it
            with write_transaction() as s:
                stored = idempotency.find(s, caller.name, key, digest)
            if stored is not None:
                return Response(stored.body, status=stored.status, headers=stored.headers)
        raise
