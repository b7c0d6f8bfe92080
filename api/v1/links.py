"""Links between facts: make one, remove one, a fact's links both ways, and its chain."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask.views import MethodView
from sqlalchemy.orm import Session

from ..db import session
from ..errors import Problem
from ..jsonio import json_response
from ..models import Fact, FactLink
from ..schemas.args import NoArgs
from ..schemas.fact_input import LinkInSchema
from ..schemas.output import ChainSchema, FactLinkListSchema, FactLinkSchema
from ..services import fact_writes, links
from ..services.snapshots import link_snapshot
from .auth import caller
from .common import Blueprint
from .writes import check_if_match, run_write, write_view

blp = Blueprint("links", __name__, description="Typed links between facts, and their chains.")
FACT = "/<int(max=2147483647):fact_id>"
PUBLIC = ("published",)
EVERY = ("draft", "published", "retracted")


def _readable(fact_id: int) -> tuple[str, ...]:
    """The statuses of linked facts this caller sees; 404 if the fact itself is hidden."""
    state = fact_writes.fact_state(session(), fact_id)
    public = caller() is None
    if state is None or (public and state[0] != "published"):
        raise Problem(404, f"No published fact with id {fact_id}.", slug="not-found")
    return PUBLIC if public else EVERY


def _link_response(link: FactLink, status: int = 200) -> Response:
    response = json_response(link_snapshot(link), status=status)
    response.set_etag(links.link_tag(link))
    return response


@blp.route(f"{FACT}/links")
class FactLinks(MethodView):
    @blp.arguments(NoArgs(), location="query", as_kwargs=False)
    @blp.response(200, FactLinkListSchema)
    @blp.problems(400, 404)
    def get(self, _args: dict[str, Any], fact_id: int) -> Any:
        """A fact's active links both ways, each with the other fact in brief.

        Without a token only links between published facts; with one, every link.
        """
        statuses = _readable(fact_id)
        return json_response({"data": links.links_of(session(), fact_id, statuses)})

    @write_view("application/json")
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.arguments(LinkInSchema)
    @blp.response(201, FactLinkSchema)
    @blp.problems(401, 403, 404, 409, 413, 415, 422, 429)
    def post(self, data: dict[str, Any], fact_id: int) -> Any:
        """Link this fact to another: "this fact <relation> fact `to`".

        Both facts exist and are not retracted; no self-links; one active link per
        relation and pair (409); ``supersedes`` never closes a cycle; a fact ``fulfils``
        only what is not dated after it (422). The link is a revision and a change-feed
        row. Idempotency-Key replays the first answer.
        """
        author = caller().name  # type: ignore[union-attr]

        def work(s: Session) -> Response:
            fact = s.get(Fact, fact_id)
            if fact is None:
                raise Problem(404, f"No fact with id {fact_id}.", slug="not-found")
            link = links.create_link(s, fact, data, author)
            response = _link_response(link, 201)
            response.headers["Location"] = url_for(
                "links.FactLinkItem", fact_id=fact_id, link_id=link.id, _external=True
            )
            return response

        return run_write(work, idempotent=True)


def _link(s: Session, fact_id: int, link_id: int) -> FactLink:
    link = s.get(FactLink, link_id)
    if link is None or fact_id not in (link.from_fact_id, link.to_fact_id):
        raise Problem(404, f"Fact {fact_id} has no link {link_id}.", slug="not-found")
    return link


@blp.route(f"{FACT}/links/<int(max=2147483647):link_id>")
class FactLinkItem(MethodView):
    @blp.arguments(NoArgs(), location="query", as_kwargs=False)
    @blp.response(200, FactLinkSchema)
    @blp.problems(400, 404)
    def get(self, _args: dict[str, Any], fact_id: int, link_id: int) -> Any:
        """One link (removed ones too, with who removed it and when)."""
        statuses = _readable(fact_id)
        s = session()
        link = _link(s, fact_id, link_id)
        other = s.get(Fact, link.to_fact_id if link.from_fact_id == fact_id else link.from_fact_id)
        if other is None or other.status not in statuses:
            raise Problem(404, f"Fact {fact_id} has no link {link_id}.", slug="not-found")
        return _link_response(link)

    @write_view()
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.response(200, FactLinkSchema)
    @blp.problems(401, 403, 404, 409, 412, 428, 429)
    def delete(self, fact_id: int, link_id: int) -> Any:
        """Remove a link; needs If-Match with its ETag. It stays readable, marked removed."""
        author = caller().name  # type: ignore[union-attr]

        def work(s: Session) -> Response:
            link = _link(s, fact_id, link_id)
            check_if_match(links.link_tag(link))
            if link.removed_at is not None:
                raise fact_writes.Conflict(f"Link {link_id} was already removed.")
            return _link_response(links.remove_link(s, link, author))

        return run_write(work)


@blp.route(f"{FACT}/chain")
class FactChain(MethodView):
    @blp.arguments(NoArgs(), location="query", as_kwargs=False)
    @blp.response(200, ChainSchema)
    @blp.problems(400, 404)
    def get(self, _args: dict[str, Any], fact_id: int) -> Any:
        """The facts joined to this one by ``fulfils`` and ``follows_up``, oldest first:
        offered 2015 → promised again 2016 → delivered 2019. Each step lists its links to
        the steps it answers."""
        statuses = _readable(fact_id)
        return json_response({"data": links.chain(session(), fact_id, statuses)})
