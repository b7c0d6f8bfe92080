"""Fact lists as answered by every view that lists facts (facts, a source's facts).

The views parse their arguments; this resolves what the caller named (codes, actor, the
statuses it may read) and answers the list: current facts through the read services, or
the data as it stood at ``as_of`` from the history of facts (the same query).
"""

from __future__ import annotations

from typing import Any

from flask import Response

from .. import fact_document
from ..db import session
from ..services import fact_query, fact_reads
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
