"""Parties: every ISO 3166-1 country and the organizations facts name."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..db import session
from ..errors import Problem
from ..jsonio import json_response
from ..schemas.args import NoArgs, PartyListArgs
from ..schemas.catalog_output import PartyDetailSchema, PartyListSchema, PartySchema
from ..services import catalog
from ..services.paging import KeysetListing
from .common import Blueprint
from .listing import keyset_list

blp = Blueprint("parties", __name__, description="Countries and organizations.")


@blp.route("")
class PartyList(MethodView):
    @blp.arguments(PartyListArgs(), location="query", as_kwargs=False)
    @blp.response(200, PartyListSchema)
    @blp.exports()
    @blp.problems(400)
    def get(self, args: dict[str, Any]) -> Any:
        """List parties with their published fact and partner counts."""
        s = session()
        return keyset_list(
            args,
            KeysetListing(
                s, args, catalog.party_page, catalog.parties_by_codes, catalog.count_parties
            ),
            sorts=catalog.PARTY_SORTS,
            default_sort="code",
            name="parties",
            columns=list(PartySchema().fields),
            id_field="code",
        )


@blp.route("/<code>")
class PartyItem(MethodView):
    @blp.arguments(NoArgs(), location="query", as_kwargs=False)
    @blp.response(200, PartyDetailSchema)
    @blp.problems(400, 404)
    def get(self, _args: dict[str, Any], code: str) -> Any:
        """Get a party (alpha-3, alpha-2 or numeric code) with memberships and partners."""
        s = session()
        resolved = catalog.resolve_party(s, code) if len(code) <= 16 else None
        data = catalog.get_party(s, resolved) if resolved else None
        if data is None:
            raise Problem(404, f"No party with code {code!r}.", slug="not-found")
        return json_response(data)
