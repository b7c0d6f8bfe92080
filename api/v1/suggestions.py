"""Suggested facts: each source's candidates, a curator's accept or reject, and the counts."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from flask.views import MethodView
from sqlalchemy.orm import Session

from ..db import session
from ..errors import Problem
from ..jsonio import json_response
from ..models import Suggestion
from ..schemas.args import NoArgs, SuggestionStatsArgs
from ..schemas.fact_input import SuggestionAcceptSchema, SuggestionRejectSchema
from ..schemas.output import (
    FactDetailSchema,
    SuggestionListSchema,
    SuggestionSchema,
    SuggestionStatsSchema,
)
from ..services import source_reads, suggestions
from ..services.snapshots import suggestion_snapshot
from .auth import caller, require_token
from .common import Blueprint
from .fact_lists import fact_response
from .writes import run_write, write_view

blp = Blueprint(
    "suggestions", __name__, description="Facts the extractor suggests, and curators' decisions."
)
ITEM = "/sources/<int(max=2147483647):source_id>/suggestions/<int(max=2147483647):suggestion_id>"


def _suggestion(s: Session, source_id: int, suggestion_id: int) -> Suggestion:
    row = suggestions.find(s, source_id, suggestion_id)
    if row is None:
        raise Problem(
            404, f"Source {source_id} has no suggestion {suggestion_id}.", slug="not-found"
        )
    return row


def _suggestion_response(row: Suggestion) -> Response:
    response = json_response(suggestion_snapshot(row))
    response.set_etag(f"suggestion-{row.id}-{row.version}")
    response.headers["Location"] = url_for(
        "suggestions.SuggestionItem",
        source_id=row.source_id,
        suggestion_id=row.id,
        _external=True,
    )
    return response


@blp.route("/sources/<int(max=2147483647):source_id>/suggestions")
class SourceSuggestions(MethodView):
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.arguments(NoArgs(), location="query", as_kwargs=False)
    @blp.response(200, SuggestionListSchema)
    @blp.problems(400, 401, 404)
    def get(self, _args: dict[str, Any], source_id: int) -> Any:
        """The facts the extractor suggests for this source, most confident first.

        Computed when the source was stored; each is a fact in the shape of POST /facts
        with its evidence spans of this source's body, a confidence, the cues behind each
        field, and what a curator decided. Like drafts, visible only with an API token.
        """
        require_token("Suggestions")
        s = session()
        if not source_reads.source_exists(s, source_id):
            raise Problem(404, f"No source with id {source_id}.", slug="not-found")
        found = suggestions.source_suggestions(s, source_id)
        return json_response(
            {"data": found, "links": {"self": request.url}, "meta": {"total": len(found)}}
        )


@blp.route(ITEM)
class SuggestionItem(MethodView):
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.arguments(NoArgs(), location="query", as_kwargs=False)
    @blp.response(200, SuggestionSchema)
    @blp.problems(400, 401, 404)
    def get(self, _args: dict[str, Any], source_id: int, suggestion_id: int) -> Any:
        """One suggestion of a source (visible only with an API token)."""
        require_token("Suggestions")
        return _suggestion_response(_suggestion(session(), source_id, suggestion_id))


@blp.route(f"{ITEM}/accept")
class SuggestionAccept(MethodView):
    @write_view("application/json", body_optional=True)
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.arguments(SuggestionAcceptSchema(partial=True), required=False)
    @blp.response(201, FactDetailSchema)
    @blp.problems(401, 403, 404, 409, 413, 415, 422, 429)
    def post(self, overrides: dict[str, Any], source_id: int, suggestion_id: int) -> Any:
        """Accept a suggestion: it becomes a draft fact (answered 201 with that fact).

        The body is optional: fields given replace the suggested ones, as PATCH /facts
        changes a fact (a new date brings its own precision, a new type its attributes).
        The result is checked by the rules of POST /facts; any error is a 422 and the
        suggestion stays open. A suggestion already decided answers 409. Idempotency-Key
        replays the first answer.
        """
        author = caller().name  # type: ignore[union-attr]

        def work(s: Session) -> Response:
            row = _suggestion(s, source_id, suggestion_id)
            fact = suggestions.accept(s, row, overrides, author)
            response = fact_response(s, fact, status=201)
            response.headers["Location"] = url_for(
                "facts.FactItem", fact_id=fact.id, _external=True
            )
            return response

        return run_write(work, idempotent=True)


@blp.route(f"{ITEM}/reject")
class SuggestionReject(MethodView):
    @write_view("application/json", body_optional=True)
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.arguments(SuggestionRejectSchema(), required=False)
    @blp.response(200, SuggestionSchema)
    @blp.problems(401, 403, 404, 409, 413, 415, 422, 429)
    def post(self, data: dict[str, Any], source_id: int, suggestion_id: int) -> Any:
        """Reject a suggestion, with an optional reason (answered with the suggestion).

        A suggestion already decided answers 409. Idempotency-Key replays the first answer.
        """
        author = caller().name  # type: ignore[union-attr]

        def work(s: Session) -> Response:
            row = _suggestion(s, source_id, suggestion_id)
            suggestions.reject(s, row, data.get("reason"), author)
            return _suggestion_response(row)

        return run_write(work, idempotent=True)


@blp.route("/suggestions/stats")
class SuggestionStats(MethodView):
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.arguments(SuggestionStatsArgs(), location="query", as_kwargs=False)
    @blp.response(200, SuggestionStatsSchema)
    @blp.problems(400, 401)
    def get(self, args: dict[str, Any]) -> Any:
        """How curators decided on suggestions: per status, per suggested type, per cue.

        A cue is a field and the reason the extractor gave for it (``date``/``inferred``,
        ``subject``/``demonym``); for each, how many decided suggestions took it as
        suggested (accepted), changed it on accepting (corrected), or were rejected, and
        the precision that gives. Visible with any API token.
        """
        require_token("Suggestion statistics")
        return json_response({"data": suggestions.stats(session(), args.get("extractor"))})
