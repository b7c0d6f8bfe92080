"""Sources: the articles facts come from, with duplicates and the exact text received."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..db import session
from ..errors import Problem
from ..jsonio import json_response
from ..schemas.args import FactListArgs, SourceArgs, SourceListArgs
from ..schemas.output import FactListSchema, SourceListSchema, SourceSchema
from ..services import source_reads
from .common import Blueprint
from .facts import fact_list, prepare_fact_args
from .listing import keyset_list

blp = Blueprint("sources", __name__, description="Articles and their duplicates.")


@blp.route("")
class SourceList(MethodView):
    @blp.arguments(SourceListArgs, location="query", as_kwargs=False)
    @blp.response(200, SourceListSchema)
    @blp.exports()
    @blp.problems(400)
    def get(self, args: dict[str, Any]) -> Any:
        """List sources (articles), without their text; canonical=true hides copies."""
        s = session()
        return keyset_list(
            args,
            sorts=source_reads.SOURCE_SORTS,
            default_sort="id",
            page=lambda sort, desc, after, limit: source_reads.source_page(
                s, args, sort, desc, after, limit
            ),
            hydrate=lambda ids: source_reads.sources_by_ids(s, ids),
            count=lambda: source_reads.count_sources(s, args),
            export=lambda sort, desc: _export(s, args, sort, desc),
            name="sources",
            columns=list(source_reads.LIST_FIELDS),
        )


def _export(s: Any, args: dict[str, Any], sort: str, desc: bool) -> Any:
    after = None
    while True:
        keys = source_reads.source_page(s, args, sort, desc, after, 1000)
        if not keys:
            return
        yield from source_reads.sources_by_ids(s, [i for _, i in keys])
        s.expunge_all()
        if len(keys) < 1000:
            return
        after = keys[-1]


@blp.route("/<int:source_id>")
class SourceItem(MethodView):
    @blp.arguments(SourceArgs, location="query", as_kwargs=False)
    @blp.response(200, SourceSchema)
    @blp.problems(400, 404)
    def get(self, args: dict[str, Any], source_id: int) -> Any:
        """Get one source with its text; include=raw adds the exact text received."""
        data = source_reads.get_source(session(), source_id, "raw" in args.get("include", []))
        if data is None:
            raise Problem(404, f"No source with id {source_id}.", slug="not-found")
        return json_response(data)


@blp.route("/<int:source_id>/facts")
class SourceFacts(MethodView):
    @blp.arguments(FactListArgs, location="query", as_kwargs=False)
    @blp.response(200, FactListSchema)
    @blp.exports()
    @blp.problems(400, 404)
    def get(self, args: dict[str, Any], source_id: int) -> Any:
        """List the published facts with evidence from this source or any copy of it."""
        if not source_reads.source_exists(session(), source_id):
            raise Problem(404, f"No source with id {source_id}.", slug="not-found")
        if args.get("source") not in (None, source_id):
            raise Problem(400, "The source is given by the path.", slug="invalid-parameters",
                          errors={"source": ["Leave it out here."]})  # fmt: skip
        args["source"] = source_id
        return fact_list(prepare_fact_args(args), name=f"source-{source_id}-facts")
