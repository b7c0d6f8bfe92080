"""Fact lists as answered by every view that lists facts (facts, a source's facts).

The views parse their arguments; this resolves what the caller named (codes, actor, the
statuses it may read) and answers the list: current facts through the read services, or
the data as it stood at ``as_of`` from the revisions.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from sqlalchemy.orm import Session

from .. import fact_document
from ..db import session
from ..services import as_of, fact_reads
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


def _past_list(s: Session, args: dict[str, Any], name: str) -> Response:
    """A fact list as the data stood at ``as_of``, built from revisions."""
    snaps = [x for x in as_of.snapshots_at(s, args["as_of"]) if as_of.matches(s, x, args)]
    by_id = {x["id"]: x for x in snaps}

    def page(sort: str, desc: bool, after: Any, limit: int) -> list[tuple[Any, Any]]:
        keyed = sorted(((as_of.sort_key(x, sort), x["id"]) for x in snaps), reverse=desc)
        if after is not None:
            mark = (fact_reads.FACT_SORTS[sort].parse(after[0]), after[1])
            keyed = [k for k in keyed if (k < mark if desc else k > mark)]
        return keyed[:limit]

    return keyset_list(
        args,
        sorts=fact_reads.FACT_SORTS,
        default_sort="-date",
        page=page,
        hydrate=lambda ids: [by_id[i] for i in ids],
        count=lambda: len(snaps),
        export=lambda sort, desc: (by_id[i] for _, i in page(sort, desc, None, len(snaps))),
        name=name,
        columns=fact_document.NAMES,
    )


def fact_list(args: dict[str, Any], name: str = "facts") -> Response:
    """Answer a fact list for already prepared filters."""
    s = session()
    if args.get("as_of") is not None:
        return _past_list(s, args, name)
    return keyset_list(
        args,
        sorts=fact_reads.FACT_SORTS,
        default_sort="-date",
        page=lambda sort, desc, after, limit: fact_reads.fact_ids_page(
            s, args, sort, desc, after, limit
        ),
        hydrate=lambda ids: fact_reads.facts_by_ids(s, ids),
        count=lambda: fact_reads.count_facts(s, args),
        export=lambda sort, desc: fact_reads.iter_facts(s, args, sort, desc),
        name=name,
        columns=fact_document.NAMES,
    )
