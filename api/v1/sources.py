"""Sources: the articles facts come from, with duplicates and the exact text received."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request, url_for
from flask.views import MethodView
from marshmallow import ValidationError
from sqlalchemy.orm import Session, selectinload

from ..db import session
from ..errors import Problem
from ..jsonio import json_response
from ..models import Source
from ..schemas.args import SourceArgs, SourceFactListArgs, SourceListArgs
from ..schemas.output import FactListSchema, SourceListSchema, SourceSchema
from ..schemas.source_input import SourceInSchema, SourcePatchSchema, SourceQueryMetadataSchema
from ..services import fact_writes, source_reads
from ..services.importer import import_text
from ..services.paging import KeysetListing
from .auth import caller
from .common import Blueprint
from .fact_lists import fact_list, prepare_fact_args
from .listing import keyset_list
from .writes import check_if_match, run_write, write_view

blp = Blueprint("sources", __name__, description="Articles and their duplicates.")


@blp.route("")
class SourceList(MethodView):
    @blp.arguments(SourceListArgs(), location="query", as_kwargs=False)
    @blp.response(200, SourceListSchema)
    @blp.exports()
    @blp.problems(400)
    def get(self, args: dict[str, Any]) -> Any:
        """List sources (articles), without their text; canonical=true hides copies."""
        s = session()
        return keyset_list(
            args,
            KeysetListing(
                s,
                args,
                source_reads.source_page,
                source_reads.sources_by_ids,
                source_reads.count_sources,
            ),
            sorts=source_reads.SOURCE_SORTS,
            default_sort="id",
            name="sources",
            columns=list(source_reads.LIST_FIELDS),
        )

    @write_view("application/json", "text/plain")
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/json": {"schema": SourceInSchema},
                "text/plain": {"schema": {"type": "string"}},
            },
        }
    )
    @blp.response(201, SourceSchema)
    @blp.alt_response(200, schema=SourceSchema, description="The same text was imported before")
    @blp.problems(400, 401, 403, 413, 415, 422, 429)
    def post(self) -> Any:
        """Ingest an article (JSON with body, or text/plain with metadata as query parameters).

        The same text again answers 200 with the stored source; a near-duplicate of a stored
        article is created (201) with canonical_id pointing at the original.
        """
        return _ingest()


def _ingest() -> Response:
    if request.mimetype == "text/plain":
        try:
            meta = SourceQueryMetadataSchema().load(request.args.to_dict())
        except ValidationError as err:
            raise Problem(
                400, "Bad metadata parameter.", slug="invalid-parameters", errors=err.messages_dict
            ) from None
        raw_bytes = request.get_data()
        try:
            raw = raw_bytes.decode("utf-8")
        except UnicodeDecodeError as err:
            raise Problem(
                422,
                f"The body is not valid UTF-8 (byte {err.start}).",
                slug="invalid-article",
                errors={"body": ["Not UTF-8."]},
            ) from None
    else:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise Problem(400, "The body must be a JSON object.", slug="invalid-body")
        try:
            data = SourceInSchema().load(body)
        except ValidationError as err:
            raise Problem(
                422, "The request body is not valid.", slug="invalid-body", errors=err.messages_dict
            ) from None
        if request.args:
            raise Problem(
                400,
                "Send metadata in the JSON body, not as query parameters.",
                slug="invalid-parameters",
                errors={k: ["Not a parameter here."] for k in request.args},
            )
        meta = {k: v for k, v in data.items() if k != "body"}
        raw = data["body"]
    author = caller().name  # type: ignore[union-attr]

    def work(s: Session) -> Response:
        result = import_text(
            s,
            raw,
            name="request",
            metadata=meta,
            author=author,
            threshold=current_app.config["NEAR_DUPLICATE_THRESHOLD"],
        )
        response = _source_response(s, result.source.id, 201 if result.created else 200)
        response.headers["Location"] = url_for(
            "sources.SourceItem", source_id=result.source.id, _external=True
        )
        found = url_for("suggestions.SourceSuggestions", source_id=result.source.id, _external=True)
        response.headers["Link"] = f'<{found}>; rel="suggestions"'
        return response

    return run_write(work, idempotent=True)


def _load(s: Session, source_id: int) -> Source | None:
    return s.get(Source, source_id, options=[selectinload(Source.duplicates)])


def _source_response(s: Session, source_id: int, status: int = 200, raw: bool = False) -> Response:
    source = _load(s, source_id)
    assert source is not None
    response = json_response(source_reads.get_source(s, source_id, raw), status=status)
    response.set_etag(fact_writes.source_etag(source) + ("-raw" if raw else ""))
    return response


@blp.route("/<int(max=2147483647):source_id>")
class SourceItem(MethodView):
    @blp.arguments(SourceArgs(), location="query", as_kwargs=False)
    @blp.response(200, SourceSchema)
    @blp.problems(400, 404)
    def get(self, args: dict[str, Any], source_id: int) -> Any:
        """Get one source with its text; include=raw adds the exact text received."""
        s = session()
        source = _load(s, source_id)
        if source is None:
            raise Problem(404, f"No source with id {source_id}.", slug="not-found")
        raw = "raw" in args.get("include", [])
        tag = fact_writes.source_etag(source) + ("-raw" if raw else "")
        if request.if_none_match.contains_weak(tag):
            response = Response(status=304)
            response.set_etag(tag)
            return response
        return _source_response(s, source_id, raw=raw)

    @write_view("application/json", "application/merge-patch+json")
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.arguments(SourcePatchSchema)
    @blp.response(200, SourceSchema)
    @blp.problems(401, 403, 404, 412, 413, 415, 422, 428, 429)
    def patch(self, changes: dict[str, Any], source_id: int) -> Any:
        """Edit a source's metadata (never its text); needs If-Match with its ETag."""
        author = caller().name  # type: ignore[union-attr]

        def work(s: Session) -> Response:
            source = _load(s, source_id)
            if source is None:
                raise Problem(404, f"No source with id {source_id}.", slug="not-found")
            check_if_match(fact_writes.source_etag(source))
            fact_writes.patch_source(s, source, changes, author)
            return _source_response(s, source_id)

        return run_write(work)


@blp.route("/<int(max=2147483647):source_id>/facts")
class SourceFacts(MethodView):
    @blp.arguments(SourceFactListArgs(), location="query", as_kwargs=False)
    @blp.response(200, FactListSchema)
    @blp.exports()
    @blp.problems(400, 404)
    def get(self, args: dict[str, Any], source_id: int) -> Any:
        """List the published facts with evidence from this source or any copy of it."""
        if not source_reads.source_exists(session(), source_id):
            raise Problem(404, f"No source with id {source_id}.", slug="not-found")
        args["source"] = source_id
        return fact_list(prepare_fact_args(args), name=f"source-{source_id}-facts")
