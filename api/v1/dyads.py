"""Dyads: pairs of parties with facts, their summaries and timelines."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..db import cache_version, session
from ..errors import Problem
from ..jsonio import json_response
from ..schemas.args import DyadListArgs, DyadSummaryArgs, TimelineArgs
from ..schemas.catalog_output import DyadListSchema, DyadSchema, DyadSummarySchema, TimelineSchema
from ..services import dyads
from ..services.catalog import resolve_party
from .common import Blueprint, resolve_codes
from .listing import keyset_list

blp = Blueprint("dyads", __name__, description="Pairs of parties: counts, summaries, timelines.")


def _pair(a: str, b: str) -> tuple[str, str]:
    code_a, code_b = _known(a), _known(b)
    if code_a == code_b:
        # Not a malformed request: a pair of one party is simply no dyad (the path names
        # a resource that cannot exist).
        raise Problem(
            404, f"No dyad {code_a}-{code_a}: a dyad is two different parties.", slug="not-found"
        )
    return code_a, code_b


def _known(code: str) -> str:
    found = resolve_party(session(), code, cache_version()) if len(code) <= 16 else None
    if found is None:
        raise Problem(404, f"No party with code {code!r}.", slug="not-found")
    return found


@blp.route("")
class DyadList(MethodView):
    @blp.arguments(DyadListArgs(), location="query", as_kwargs=False)
    @blp.response(200, DyadListSchema)
    @blp.exports()
    @blp.problems(400)
    def get(self, args: dict[str, Any]) -> Any:
        """List every pair of parties with published facts (default: most facts first)."""
        s = session()
        resolve_codes(args, "party")
        return keyset_list(
            args,
            dyads.DyadListing(s, args, cache_version()),
            sorts=dyads.DYAD_SORTS,
            default_sort="-facts",
            name="dyads",
            columns=list(DyadSchema().fields),
            id_field="pair",
        )


@blp.route("/<a>/<b>")
class DyadItem(MethodView):
    @blp.arguments(DyadSummaryArgs(), location="query", as_kwargs=False)
    @blp.response(200, DyadSummarySchema)
    @blp.problems(400, 404)
    def get(self, args: dict[str, Any], a: str, b: str) -> Any:
        """Summarize a dyad: counts by type, year and direction, latest values, sources."""
        code_a, code_b = _pair(a, b)
        summary = dyads.cached_summary(
            session(), code_a, code_b, args["include_deprecated"], cache_version()
        )
        return json_response(summary)


@blp.route("/<a>/<b>/timeline")
class DyadTimeline(MethodView):
    @blp.arguments(TimelineArgs(), location="query", as_kwargs=False)
    @blp.response(200, TimelineSchema)
    @blp.problems(400, 404)
    def get(self, args: dict[str, Any], a: str, b: str) -> Any:
        """Count a dyad's facts per year or month (empty buckets are zero), by type."""
        code_a, code_b = _pair(a, b)
        span_from, span_to = args.get("from_"), args.get("to")
        if span_from and span_to and span_from.start > span_to.end:
            raise Problem(
                400,
                "from is after to.",
                slug="invalid-parameters",
                errors={"from": ["Must not be after to."]},
            )
        try:
            timeline = dyads.cached_timeline(
                session(),
                code_a,
                code_b,
                cache_version(),
                args["bucket"],
                args.get("type"),
                span_from,
                span_to,
                args["include_deprecated"],
            )
        except ValueError as err:
            raise Problem(
                400,
                str(err),
                slug="invalid-parameters",
                errors={"from": [str(err)], "to": [str(err)]},
            ) from None
        return json_response(timeline)
