"""Facts: the curated statements about two parties, each with its evidence."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from flask.views import MethodView
from sqlalchemy.orm import Session

from ..db import session
from ..errors import Problem
from ..jsonio import json_response
from ..models import Fact
from ..schemas.args import CitationArgs, FactItemArgs, FactListArgs, NoArgs
from ..schemas.fact_input import FactInSchema, FactPatchSchema
from ..schemas.output import FactDetailSchema, FactListSchema, RevisionListSchema, RevisionSchema
from ..services import citations, fact_reads, fact_writes, history, links
from ..services.facts import create_fact
from .auth import caller
from .common import Blueprint
from .fact_lists import fact_by_id, fact_list, fact_response, prepare_fact_args
from .writes import check_if_match, run_write, write_view

blp = Blueprint("facts", __name__, description="Curated facts with their evidence.")


def _visible_fact(fact_id: int) -> str:
    """The fact's tag if this caller may see it: 404 unknown or draft, 410 retracted."""
    state = fact_writes.fact_state(session(), fact_id)
    if state is None or (state[0] == "draft" and caller() is None):
        raise Problem(404, f"No published fact with id {fact_id}.", slug="not-found")
    if state[0] == "retracted" and caller() is None:
        history = url_for("facts.FactHistory", fact_id=fact_id, _external=True)
        raise Problem(
            410,
            f"Fact {fact_id} was retracted; its history remains.",
            slug="retracted",
            extra={"history": history},
            headers={"Link": f'<{history}>; rel="history"'},
        )
    return state[1]


def _past_fact(fact_id: int, when: Any) -> Response:
    """A fact as it stood at ``when``, from its history."""
    s = session()
    snap = fact_reads.past_fact(s, fact_id, when)
    if snap is None or (snap["status"] == "draft" and caller() is None):
        raise Problem(
            404, f"No published fact with id {fact_id} at {when.isoformat()}.", slug="not-found"
        )
    if snap["status"] == "retracted" and caller() is None:
        raise Problem(
            410,
            f"Fact {fact_id} was retracted by {when.isoformat()}.",
            slug="retracted",
            extra={"history": url_for("facts.FactHistory", fact_id=fact_id, _external=True)},
        )
    ids = sorted({e["source_id"] for e in snap["evidence"]})
    data = {
        **snap,
        "sources": fact_reads.source_summaries(s, ids),
        "links": links.links_of(s, fact_id, ("published",), at=when),
    }
    response = json_response(data)
    response.set_etag(f"{fact_id}-{snap['version']}-{when.isoformat()}")
    return response


def _editable_fact(s: Session, fact_id: int) -> Fact:
    fact = s.get(Fact, fact_id)
    if fact is None:
        raise Problem(404, f"No fact with id {fact_id}.", slug="not-found")
    check_if_match(fact_writes.fact_etag(s, fact))
    return fact


@blp.route("")
class FactList(MethodView):
    @blp.arguments(FactListArgs(), location="query", as_kwargs=False)
    @blp.response(200, FactListSchema)
    @blp.exports()
    @blp.problems(400, 401)
    def get(self, args: dict[str, Any]) -> Any:
        """List facts (default newest first), filtered, paged by cursor."""
        return fact_list(prepare_fact_args(args))

    @write_view("application/json")
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.arguments(FactInSchema)
    @blp.response(201, FactDetailSchema)
    @blp.problems(401, 403, 409, 413, 415, 422, 429)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a fact (a draft unless status is published and evidence verifies)."""
        author = caller().name  # type: ignore[union-attr]

        def work(s: Session) -> Response:
            fact = create_fact(s, data, author)
            response = fact_response(s, fact, status=201)
            response.headers["Location"] = url_for(
                "facts.FactItem", fact_id=fact.id, _external=True
            )
            return response

        return run_write(work, idempotent=True)


@blp.route("/<int(max=2147483647):fact_id>")
class FactItem(MethodView):
    @blp.arguments(FactItemArgs(), location="query", as_kwargs=False)
    @blp.response(200, FactDetailSchema)
    @blp.problems(400, 401, 404, 410)
    def get(self, args: dict[str, Any], fact_id: int) -> Any:
        """Get one fact with its evidence, actors and sources (drafts need a token)."""
        if args.get("as_of") is not None:
            return _past_fact(fact_id, args["as_of"])
        tag = _visible_fact(fact_id)
        if request.if_none_match.contains_weak(tag):
            response = Response(status=304)
            response.set_etag(tag)
            return response
        return fact_by_id(session(), fact_id, tag)

    @write_view("application/json", "application/merge-patch+json")
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.arguments(FactPatchSchema(partial=True))
    @blp.response(200, FactDetailSchema)
    @blp.problems(401, 403, 404, 409, 412, 413, 415, 422, 428, 429)
    def patch(self, changes: dict[str, Any], fact_id: int) -> Any:
        """Change some of a fact's fields; needs If-Match with its current ETag."""
        author = caller().name  # type: ignore[union-attr]

        def work(s: Session) -> Response:
            fact = _editable_fact(s, fact_id)
            fact_writes.patch_fact(s, fact, changes, author)
            return fact_response(s, fact)

        return run_write(work)

    @write_view()
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.response(200, FactDetailSchema)
    @blp.problems(401, 403, 404, 409, 412, 428, 429)
    def delete(self, fact_id: int) -> Any:
        """Retract a fact (kept, with its history); needs If-Match with its current ETag."""
        author = caller().name  # type: ignore[union-attr]

        def work(s: Session) -> Response:
            fact = _editable_fact(s, fact_id)
            fact_writes.retract_fact(s, fact, author)
            return fact_response(s, fact)

        return run_write(work)


@blp.route("/<int(max=2147483647):fact_id>/history")
class FactHistory(MethodView):
    @blp.arguments(NoArgs(), location="query", as_kwargs=False)
    @blp.response(200, RevisionListSchema)
    @blp.problems(400, 404)
    def get(self, _args: dict[str, Any], fact_id: int) -> Any:
        """List a fact's revisions, oldest first: who, when, what changed, full snapshot.

        Without a token only what was public: a fact never published has no history (404),
        revisions before its publication are left out, later unpublished states show only
        id and status, and authors are null. A token holder sees every revision.
        """
        revisions = history.fact_revisions(session(), fact_id)
        if revisions and caller() is not None:
            return json_response({"data": [history.revision_dict(r) for r in revisions]})
        shown = history.public_history(revisions)
        if shown is None:
            raise Problem(404, f"No published fact with id {fact_id}.", slug="not-found")
        return json_response({"data": shown})


@blp.route("/<int(max=2147483647):fact_id>/revisions/<int(max=2147483647):version>")
class FactRevision(MethodView):
    @blp.arguments(NoArgs(), location="query", as_kwargs=False)
    @blp.response(200, RevisionSchema)
    @blp.problems(400, 404)
    def get(self, _args: dict[str, Any], fact_id: int, version: int) -> Any:
        """One revision of a fact, at a permanent URL (what a citation names).

        It keeps answering after later edits. The public sees the revisions its history
        shows (published ones in full, later unpublished states as id and status).
        """
        try:
            entry = citations.revision(session(), fact_id, version, public=caller() is None)
        except citations.NotCitable:
            raise Problem(
                404, f"Fact {fact_id} has no revision {version} to show.", slug="not-found"
            ) from None
        return json_response(entry)


_CITATION_MEDIA: dict[str, dict[str, Any]] = {
    citations.CSL_JSON: {"type": "array", "items": {"type": "object"}},
    "application/json": {"type": "array", "items": {"type": "object"}},
    citations.BIBTEX: {"type": "string"},
    citations.RIS: {"type": "string"},
}


@blp.route("/<int(max=2147483647):fact_id>/citation")
class FactCitation(MethodView):
    @blp.arguments(CitationArgs(), location="query", as_kwargs=False)
    @blp.media(_CITATION_MEDIA)
    @blp.response(200)
    @blp.problems(400, 404)
    def get(self, args: dict[str, Any], fact_id: int) -> Any:
        """Cite a fact at one revision: CSL-JSON (default), BibTeX or RIS, by Accept or format.

        The citation names the revision's permanent URL, its version and date, the date of
        access, and the articles the fact quotes. Without a token only published revisions
        can be cited.
        """
        fmt = args.get("format") or _citation_format()
        try:
            cited = citations.build(
                session(), fact_id, args.get("version"), request.host_url, caller() is None
            )
        except citations.NotCitable:
            which = f"revision {args['version']} of " if args.get("version") else ""
            raise Problem(404, f"No citable {which}fact {fact_id}.", slug="not-found") from None
        body = citations.WRITERS[fmt](cited)
        media = citations.FORMATS[fmt]
        charset = "" if fmt == "csl-json" else "; charset=utf-8"
        return Response(body, content_type=media + charset)


def _citation_format() -> str:
    offered = [citations.CSL_JSON, "application/json", citations.BIBTEX, citations.RIS]
    best = request.accept_mimetypes.best_match(offered) or citations.CSL_JSON
    return {citations.BIBTEX: "bibtex", citations.RIS: "ris"}.get(best, "csl-json")
