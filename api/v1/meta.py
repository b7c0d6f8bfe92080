"""The API index and the fact-type vocabulary."""

from __future__ import annotations

from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import OpenAPIConverter
from flask import url_for
from flask.views import MethodView

from .. import __version__, event_codes
from ..db import data_version
from ..fact_document import format_timestamp
from ..jsonio import json_response
from ..schemas.args import NoArgs
from ..schemas.catalog_output import FactTypeListSchema, IndexSchema
from ..vocabulary import FACT_TYPES
from .common import Blueprint

blp = Blueprint("meta", __name__, description="The index and the vocabulary.")


@blp.route("/")
class Index(MethodView):
    @blp.arguments(NoArgs(), location="query", as_kwargs=False)
    @blp.response(200, IndexSchema)
    @blp.problems(400)
    def get(self, _args: dict[str, Any]) -> Any:
        """Link to every collection; say the version and when the data last changed."""
        version, changed_at = data_version()

        def link(endpoint: str) -> str:
            return url_for(endpoint, _external=True)

        return json_response(
            {
                "api": "v1",
                "version": __version__,
                "data_version": version,
                "data_changed_at": format_timestamp(changed_at) if changed_at else None,
                "links": {
                    "facts": link("facts.FactList"),
                    "sources": link("sources.SourceList"),
                    "parties": link("parties.PartyList"),
                    "actors": link("actors.ActorList"),
                    "dyads": link("dyads.DyadList"),
                    "changes": link("changes.Changes"),
                    "fact_types": link("meta.FactTypes"),
                    "openapi": link("api-docs.openapi_json"),
                    "docs": url_for("api-docs.openapi_json", _external=True).replace(
                        "openapi.json", "docs"
                    ),
                },
            }
        )


def _attribute_schema(schema: Any) -> dict[str, Any]:
    spec = APISpec("fact-type attributes", "1", "3.0.3")
    converter = OpenAPIConverter(
        openapi_version="3.0.3", schema_name_resolver=lambda _: None, spec=spec
    )
    result: dict[str, Any] = converter.schema2jsonschema(schema)
    result["additionalProperties"] = False
    return result


@blp.route("/fact-types")
class FactTypes(MethodView):
    @blp.arguments(NoArgs(), location="query", as_kwargs=False)
    @blp.response(200, FactTypeListSchema)
    @blp.problems(400)
    def get(self, _args: dict[str, Any]) -> Any:
        """List the fact types: definition, direction, and the JSON Schema of attributes."""
        return json_response(_vocabulary())


@cache
def _vocabulary() -> dict[str, Any]:
    """The vocabulary document (it only changes with the code)."""
    return {
        "data": [
            {
                "name": t.name,
                "definition": t.definition,
                "direction": t.direction,
                "attributes": _attribute_schema(t.attributes),
                "event_codes": event_codes.type_summary(t.name),
            }
            for t in FACT_TYPES.values()
        ]
    }
