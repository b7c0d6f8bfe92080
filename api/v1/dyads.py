"""Dyads: pairs of parties with facts, their summaries and timelines."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..db import session
from ..errors import Problem
from ..jsonio import json_response
from ..schemas.args import DyadListArgs, NoArgs, TimelineArgs
from ..schemas.catalog_output import DyadListSchema, DyadSchema, DyadSummarySchema, TimelineSchema
from ..services import dyads
from ..services.catalog import resolve_party
from ..services.memo import memoized
from .common import Blueprint, data_version_seen, memo_key, resolve_codes
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
    found = resolve_party(session(), code, data_version_seen()) if len(code) <= 16 else None
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
        rows: dict[str, dict[str, Any]] = {}

        def page(sort: str, desc: bool, after: Any, limit: int) -> list[tuple[Any, Any]]:
            found = memoized(
                memo_key("dyads", args, sort, desc, after, limit),
                data_version_seen(),
                lambda: dyads.dyad_page(s, args, sort, desc, after, limit),
            )
            rows.update({r["pair"]: r for r in found})
            return [(r["_key"], r["pair"]) for r in found]

        def export(sort: str, desc: bool) -> Any:
            after = None
            while True:
                keys = page(sort, desc, after, 1000)
                yield from (_public(rows.pop(p)) for _, p in keys)
                if len(keys) < 1000:
                    return
                after = keys[-1]

        return keyset_list(
            args,
            sorts=dyads.DYAD_SORTS,
            default_sort="-facts",
            page=page,
            hydrate=lambda pairs: [_public(rows[p]) for p in pairs],
            count=lambda: memoized(
                memo_key("dyad-count", args),
                data_version_seen(),
                lambda: dyads.count_dyads(s, args),
            ),
            export=export,
            name="dyads",
            columns=list(DyadSchema().fields),
            id_field="pair",
        )


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


@blp.route("/<a>/<b>")
class DyadItem(MethodView):
    @blp.arguments(NoArgs(), location="query", as_kwargs=False)
    @blp.response(200, DyadSummarySchema)
    @blp.problems(400, 404)
    def get(self, _args: dict[str, Any], a: str, b: str) -> Any:
        """Summarize a dyad: counts by type, year and direction, latest values, sources."""
        code_a, code_b = _pair(a, b)
        summary = memoized(
            memo_key("dyad", sorted((code_a, code_b))),
            data_version_seen(),
            lambda: dyads.dyad_summary(session(), code_a, code_b),
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
            timeline = memoized(
                memo_key("timeline", sorted((code_a, code_b)), args),
                data_version_seen(),
                lambda: dyads.dyad_timeline(
                    session(), code_a, code_b, args["bucket"], args.get("type"), span_from, span_to
                ),
            )
        except ValueError as err:
            raise Problem(
                400,
                str(err),
                slug="invalid-parameters",
                errors={"from": [str(err)], "to": [str(err)]},
            ) from None
        return json_response(timeline)
