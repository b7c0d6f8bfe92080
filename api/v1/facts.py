"""Facts: the curated statements about two parties, each with its evidence."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from ..db import session
from ..errors import Problem
from ..jsonio import json_response
from ..schemas.args import FactListArgs, NoArgs
from ..schemas.output import FactDetailSchema, FactListSchema, FactSchema
from ..services import fact_reads
from ..services.catalog import find_actor
from .common import Blueprint, public_statuses, resolve_codes
from .listing import keyset_list

blp = Blueprint("facts", __name__, description="Curated facts with their evidence.")
FACT_FIELDS = list(FactSchema().fields)


def prepare_fact_args(args: dict[str, Any]) -> dict[str, Any]:
    """Resolve codes, actor and statuses; check that value bounds come with a unit."""
    resolve_codes(args, "subject", "counterpart", "party", "dyad")
    args["status"] = public_statuses(args)
    if args.get("actor") is not None:
        actor = find_actor(session(), args["actor"])
        if actor is None:
            raise Problem(400, f"Unknown actor {args['actor']!r}.", slug="invalid-parameters",
                          errors={"actor": ["Give an actor id or key."]})  # fmt: skip
        args["actor"] = actor.id
    if (args.get("value_min") is not None or args.get("value_max") is not None) and not args.get(
        "unit"
    ):
        raise Problem(400, "value_min and value_max need a unit (values in different units "
                      "do not compare).", slug="invalid-parameters",
                      errors={"unit": ["Required with value_min or value_max."]})  # fmt: skip
    return args


def fact_list(args: dict[str, Any], name: str = "facts") -> Response:
    """Answer a fact list for already prepared filters."""
    s = session()
    return keyset_list(
        args,
        sorts=fact_reads.FACT_SORTS,
        default_sort="-date",
        page=lambda sort, desc, after, limit: fact_reads.fact_ids_page(
            s, args, sort, desc, after, limit
        ),
        hydrate=lambda ids: fact_reads.facts_by_ids(s, ids),
        count=lambda: fact_reads.count_facts(s, args),
        export=lambda sort, desc: fact_reads.iter_facts(s, args, sort, desc),
        name=name,
        columns=FACT_FIELDS,
    )


@blp.route("")
class FactList(MethodView):
    @blp.arguments(FactListArgs, location="query", as_kwargs=False)
    @blp.response(200, FactListSchema)
    @blp.exports()
    @blp.problems(400, 401)
    def get(self, args: dict[str, Any]) -> Any:
        """List published facts (default newest first), filtered, paged by cursor."""
        return fact_list(prepare_fact_args(args))


@blp.route("/<int:fact_id>")
class FactItem(MethodView):
    @blp.arguments(NoArgs, location="query", as_kwargs=False)
    @blp.response(200, FactDetailSchema)
    @blp.problems(400, 404)
    def get(self, _args: dict[str, Any], fact_id: int) -> Any:
        """Get one fact with its evidence, actors and sources."""
        data = fact_reads.get_fact(session(), fact_id, ["published"])
        if data is None:
            raise Problem(404, f"No published fact with id {fact_id}.", slug="not-found")
        return json_response(data)
