"""Facts: the curated statements about two parties, each with its evidence."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..db import session
from ..errors import Problem
from ..jsonio import json_response
from ..schemas.args import FactListArgs, NoArgs
from ..schemas.output import FactDetailSchema, FactListSchema
from ..services import reads
from .common import PROBLEM_RESPONSES, Blueprint, list_response, upper_codes

blp = Blueprint("facts", __name__, description="Curated facts with their evidence.")


@blp.route("")
class FactList(MethodView):
    @blp.arguments(FactListArgs, location="query", as_kwargs=False)
    @blp.response(200, FactListSchema)
    @blp.alt_response(400, description=PROBLEM_RESPONSES[400]["description"])
    def get(self, args: dict[str, Any]) -> Any:
        """List published facts, newest first."""
        args = upper_codes(args, "subject", "counterpart", "party", "dyad")
        return list_response(reads.list_facts(session(), args), args["limit"])


@blp.route("/<int:fact_id>")
class FactItem(MethodView):
    @blp.arguments(NoArgs, location="query", as_kwargs=False)
    @blp.response(200, FactDetailSchema)
    @blp.alt_response(404, description=PROBLEM_RESPONSES[404]["description"])
    def get(self, _args: dict[str, Any], fact_id: int) -> Any:
        """Get one fact with its evidence, actors and sources."""
        data = reads.get_fact(session(), fact_id)
        if data is None:
            raise Problem(404, f"No published fact with id {fact_id}.", slug="not-found")
        return json_response(data)
