"""Actors: people and bodies, with the roles they held and when."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..db import session
from ..errors import Problem
from ..jsonio import json_response
from ..schemas.args import ActorListArgs, NoArgs
from ..schemas.catalog_output import ActorListSchema, ActorSchema
from ..services import catalog
from ..services.paging import KeysetListing
from .common import Blueprint, resolve_codes
from .listing import keyset_list

blp = Blueprint("actors", __name__, description="People and bodies with their roles.")


@blp.route("")
class ActorList(MethodView):
    @blp.arguments(ActorListArgs(), location="query", as_kwargs=False)
    @blp.response(200, ActorListSchema)
    @blp.exports()
    @blp.problems(400)
    def get(self, args: dict[str, Any]) -> Any:
        """List actors; role, party and on=DATE find who held an office on a date."""
        s = session()
        resolve_codes(args, "party")
        return keyset_list(
            args,
            KeysetListing(s, args, catalog.actor_page, catalog.actors_by_ids, catalog.count_actors),
            sorts=catalog.ACTOR_SORTS,
            default_sort="name",
            name="actors",
            columns=list(ActorSchema().fields),
        )


@blp.route("/<actor_ref>")
class ActorItem(MethodView):
    @blp.arguments(NoArgs(), location="query", as_kwargs=False)
    @blp.response(200, ActorSchema)
    @blp.problems(400, 404)
    def get(self, _args: dict[str, Any], actor_ref: str) -> Any:
        """Get an actor by id or key, with roles."""
        actor = catalog.find_actor(session(), actor_ref) if len(actor_ref) <= 100 else None
        if actor is None:
            raise Problem(404, f"No actor {actor_ref!r}.", slug="not-found")
        return json_response(catalog.actor_dict(actor))
