"""Sources: the articles facts come from, with duplicates and the exact text received."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..db import session
from ..errors import Problem
from ..jsonio import json_response
from ..schemas.args import SourceArgs
from ..schemas.output import SourceSchema
from ..services import reads
from .common import PROBLEM_RESPONSES, Blueprint

blp = Blueprint("sources", __name__, description="Articles and their duplicates.")


@blp.route("/<int:source_id>")
class SourceItem(MethodView):
    @blp.arguments(SourceArgs, location="query", as_kwargs=False)
    @blp.response(200, SourceSchema)
    @blp.alt_response(404, description=PROBLEM_RESPONSES[404]["description"])
    def get(self, args: dict[str, Any], source_id: int) -> Any:
        """Get one source; include=raw adds the exact text received."""
        data = reads.get_source(session(), source_id, "raw" in args.get("include", []))
        if data is None:
            raise Problem(404, f"No source with id {source_id}.", slug="not-found")
        return json_response(data)
