"""Facts as answered by every view that serves them: lists (facts, a source's facts) and
one fact after a write (facts, an accepted suggestion).

The views parse their arguments; this resolves what the caller named (codes, actor, the
statuses it may read) and answers the list: current facts through the read services, or
the data as it stood at ``as_of`` from the history of facts (the same query).
"""

from __future__ import annotations

from typing import Any

from flask import Response
from sqlalchemy.orm import Session

from .. import fact_document
from ..db import session
from ..jsonio import json_response
from ..models import Fact
from ..services import fact_query, fact_reads, fact_writes
from .auth import readable_statuses
from .common import actor_id, resolve_codes
from .listing import keyset_list


def prepare_fact_args(args: dict[str, Any]) -> dict[str, Any]:
    """Resolve party codes, the actor and the statuses a caller may read."""
    resolve_codes(args, "subject", "counterpart", "party", "dyad")
    args["status"] = readable_statuses(args)
    if args.get("actor") is not None:
        args["actor"] = actor_id(args["actor"])
    return args


def fact_list(args: dict[str, Any], name: str = "facts") -> Response:
    """Answer a fact list for already prepared filters (now, or as the data stood)."""
    s = session()
    return keyset_list(
        args,
        fact_reads.FactListing(s, fact_reads.fact_query(s, args)),
        sorts=fact_query.SORTS,
        default_sort=fact_query.DEFAULT_SORT,
        name=name,
        columns=fact_document.NAMES,
    )


ALL_STATUSES = ["draft", "published", "retracted"]


def fact_response(s: Session, fact: Fact, status: int = 200) -> Response:
    """A fact's full representation with its entity ETag."""
    return fact_by_id(s, fact.id, fact_writes.fact_etag(s, fact), status)


def fact_by_id(s: Session, fact_id: int, tag: str, status: int = 200) -> Response:
    """The fact ``fact_id`` in any status, tagged ``tag``."""
    response = json_response(fact_reads.get_fact(s, fact_id, ALL_STATUSES), status=status)
    response.set_etag(tag)
    return response
