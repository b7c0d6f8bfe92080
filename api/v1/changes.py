"""The change feed for incremental sync."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request
from flask.views import MethodView
from marshmallow import fields, validate

from ..db import session
from ..jsonio import json_response
from ..schemas.args import QueryArgs
from ..schemas.output import ChangeListSchema
from ..services.changes import changes_page
from .auth import caller
from .common import Blueprint

blp = Blueprint("changes", __name__, description="Every change, in order, for syncing.")


class ChangeArgs(QueryArgs):
    since = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=2**31 - 1),
        metadata={"description": "Return changes after this sequence number (0: from the start)."},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


@blp.route("")
class Changes(MethodView):
    @blp.arguments(ChangeArgs(), location="query", as_kwargs=False)
    @blp.response(200, ChangeListSchema)
    @blp.problems(400, 401)
    def get(self, args: dict[str, Any]) -> Any:
        """List changes to facts and sources after ``since``, oldest first.

        Each page's ``meta.last_seq`` is where to resume (``since=last_seq``, which is what
        ``links.next`` asks for); ``links.next`` is null once the feed is exhausted.
        Replaying them from 0 (upsert ``data`` when a fact is published or for any source,
        remove the fact otherwise) rebuilds exactly the current public data. Without a
        token, unpublished facts appear with their id and status only.
        """
        s = session()
        since, limit = args["since"], args["limit"]
        page = changes_page(s, since, limit, full=caller() is not None)
        next_url = None
        if page.has_more:
            query = request.args.to_dict()
            query["since"] = str(page.last_seq)
            next_url = request.base_url + "?" + urlencode(query)
        response = json_response(
            {
                "data": page.items,
                "links": {"self": request.url, "next": next_url},
                "meta": {
                    "limit": limit,
                    "since": since,
                    "last_seq": page.last_seq,
                    "head_seq": page.head_seq,
                    "has_more": page.has_more,
                },
            }
        )
        if next_url:
            response.headers["Link"] = f'<{next_url}>; rel="next"'
        return response
