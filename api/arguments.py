"""Codes and names a request gives in its parameters, resolved to what they name: party
codes (alpha-2, numeric, any case) and actor ids or keys. A value that names nothing is a
400 that names the closest known ones, the same for the API's views and the explorer's
pages (both use this module; it uses only the catalog service)."""

from __future__ import annotations

from typing import Any

from .db import cache_version, session
from .errors import Problem
from .services.catalog import closest_actor_keys, closest_codes, find_actor, resolve_party


def unknown_value(what: str, raw: str, name: str, close: list[str], advice: str = "") -> Problem:
    """The 400 for a well-formed ``what`` (party, actor) in parameter ``name`` naming nothing."""
    hint = f": did you mean {' or '.join(close)}?" if close else "."
    return Problem(
        400,
        f"Unknown {what} {raw!r} in {name}{hint}",
        slug="unknown-code",
        errors={name: [f"Unknown {what} {raw!r}{hint}{advice}"]},
        extra={"suggestions": {name: close}},
    )


def party_code(raw: str, name: str) -> str:
    """Resolve a party code given in a parameter, or answer 400 naming it and the closest."""
    code = resolve_party(session(), raw, cache_version())
    if code is None:
        close = closest_codes(session(), raw, cache_version())
        raise unknown_value(
            "party code", raw, name, close, " Use an ISO 3166-1 code or OPEC / OPEC+."
        )
    return code


def actor_id(raw: str, name: str = "actor") -> int:
    """Resolve an actor id or key given in a parameter, or answer 400 naming the closest."""
    actor = find_actor(session(), raw)
    if actor is None:
        raise unknown_value("actor", raw, name, closest_actor_keys(session(), raw))
    return actor.id


def resolve_codes(args: dict[str, Any], *names: str) -> dict[str, Any]:
    """Resolve every party code among ``names`` in place (alpha-2, numeric, any case).

    A code that names no party is a 400 (a typo must not look like "no facts").
    """
    for name in names:
        value = args.get(name)
        if isinstance(value, str):
            args[name] = party_code(value, name)
        elif isinstance(value, list):
            args[name] = [party_code(v, name) for v in value]
    if args.get("dyad") and args["dyad"][0] == args["dyad"][1]:
        raise Problem(
            400,
            "A dyad needs two different parties.",
            slug="invalid-parameters",
            errors={"dyad": ["Both codes name the same party."]},
        )
    return args
