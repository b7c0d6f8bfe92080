"""Figures: the facts that report one quantity, side by side (``services/figures.py``)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..db import cache_version, session
from ..errors import Problem
from ..jsonio import json_response
from ..schemas.args import FigureArgs, FigureListArgs
from ..schemas.output import FigureListSchema, FigureSchema
from ..services import figures
from ..services.memo import memo_key, memoized
from .common import Blueprint, resolve_codes

blp = Blueprint("figures", __name__, description="Facts that measure one quantity, side by side.")


def _summary(figure: dict[str, Any]) -> dict[str, Any]:
    facts = figure["facts"]
    return {
        **{k: v for k, v in figure.items() if k != "facts"},
        "fact_ids": [f["fact_id"] for f in facts],
    }


@blp.route("")
class FigureList(MethodView):
    @blp.arguments(FigureListArgs(), location="query", as_kwargs=False)
    @blp.response(200, FigureListSchema)
    @blp.problems(400)
    def get(self, args: dict[str, Any]) -> Any:
        """The figures of a pair of parties: each quantity its facts report, with how many
        facts report it and whether their values disagree (``several=true``: only those
        reported more than once)."""
        resolve_codes(args, "dyad")
        a, b = args["dyad"]
        everything, types = args["include_deprecated"], args.get("type")
        found = memoized(
            memo_key("figures", sorted((a, b)), {"type": types, "all": everything}),
            cache_version(),
            lambda: figures.dyad_figures(session(), a, b, types, everything),
        )
        shown = [f for f in found if not args["several"] or f["fact_count"] > 1]
        return json_response({"data": [_summary(f) for f in shown]})


@blp.route("/<path:key>")
class FigureItem(MethodView):
    @blp.arguments(FigureArgs(), location="query", as_kwargs=False)
    @blp.response(200, FigureSchema)
    @blp.problems(400, 404)
    def get(self, args: dict[str, Any], key: str) -> Any:
        """One figure: every fact that reports it, side by side (value, qualifier, unit and
        the value converted where units differ, date and precision, rank, sources with
        their outlets, quotes and independent-source count), and whether they disagree."""
        try:
            return json_response(figures.figure(session(), key, args["include_deprecated"]))
        except figures.UnknownFigure:
            raise Problem(
                404,
                f"No figure {key!r}: GET /api/v1/figures?dyad=A,B lists the keys.",
                slug="not-found",
            ) from None
