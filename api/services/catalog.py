"""Reading parties and actors: code resolution, filters, partners, roles."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import String, cast, func, literal, or_, select
from sqlalchemy.orm import Session, selectinload

from ..dates import DateSpan
from ..models import Actor, ActorRole, Fact, Party, PartyMembership
from ..schemas.text_checks import unstorable
from .paging import SortKey, apply_keyset, parse_int_key, parse_str_key

PARTY_SORTS = {
    "code": SortKey(Party.code, parse_str_key),
    "name": SortKey(Party.name, parse_str_key),
}
ACTOR_SORTS = {
    "name": SortKey(Actor.name, parse_str_key),
    "id": SortKey(Actor.id, parse_int_key),
}


_PARTY_CODES = select(Party.code, Party.alpha2, Party.numeric)
# Every spelling of every party code, keyed by the data version it was read at.
_code_cache: dict[str, tuple[Any, dict[str, str]]] = {}


def party_codes(session: Session, version: Any = None) -> dict[str, str]:
    """Map alpha-3, alpha-2 and numeric codes (upper case) to party codes.

    Cached per database while the data version stays the same (parties change only when
    data is loaded, which bumps the version).
    """
    return cached_party_codes(
        str(session.get_bind().engine.url),
        version,
        lambda: session.connection().execute(_PARTY_CODES),
    )


_PARTY_NAMES = select(Party.code, Party.name)


def cached_party_codes(key: str, version: Any, load: Callable[[], Iterable[Any]]) -> dict[str, str]:
    """The code map of the database ``key`` at ``version``; ``load`` gives (code, alpha2,
    numeric) rows when it is not cached (the thin read path shares this cache)."""
    cached = _code_cache.get(key)
    if version is not None and cached is not None and cached[0] == version:
        return cached[1]
    mapping: dict[str, str] = {}
    for code, alpha2, numeric in load():
        mapping[code.upper()] = code
        if alpha2:
            mapping[alpha2.upper()] = code
        if numeric:
            mapping[numeric] = code
            mapping[numeric.lstrip("0") or "0"] = code
    if version is not None:
        _code_cache[key] = (version, mapping)
    return mapping


def resolve_party(session: Session, raw: str, version: Any = None) -> str | None:
    """Resolve an alpha-3, alpha-2 or numeric code (any case) to the party code."""
    return party_codes(session, version).get(raw.strip().upper())


def _code_likeness(wanted: str, code: str) -> float:
    """How alike two codes are: letters in the same place, a shared start, equal length."""
    same = sum(a == b for a, b in zip(wanted, code, strict=False))
    prefix = next(
        (i for i, (a, b) in enumerate(zip(wanted, code, strict=False)) if a != b),
        min(len(wanted), len(code)),
    )
    return same + prefix - 0.5 * abs(len(wanted) - len(code))


def closest_codes(session: Session, raw: str, version: Any = None, n: int = 3) -> list[str]:
    """The known party codes most like ``raw`` (by code, else by name), best first.

    Among equally close codes, parties that have facts come first ("IRK": IRQ before IRL).
    """
    wanted = raw.strip().upper()
    scored = [
        (score, code)
        for code in set(party_codes(session, version).values())
        if (score := _code_likeness(wanted, code.upper())) >= 0.6 * len(wanted) + 0.5
    ]
    scored.sort(key=lambda item: (-item[0], item[1]))
    top = scored[: n * 2]
    with_facts = {
        code
        for _, code in top
        if session.scalar(
            select(literal(1)).where(or_(Fact.subject == code, Fact.counterpart == code)).limit(1)
        )
    }
    top.sort(key=lambda item: (-item[0], item[1] not in with_facts, item[1]))
    found = [code for _, code in top[:n]]
    if not found:
        names = {name.upper(): code for code, name in session.execute(_PARTY_NAMES)}
        found = [names[m] for m in difflib.get_close_matches(wanted, list(names), n=n, cutoff=0.75)]
    return found


def closest_actor_keys(session: Session, raw: str, n: int = 3) -> list[str]:
    """The known actor keys most like ``raw`` (by key or name), best first."""
    rows = session.execute(select(Actor.key, Actor.name)).all()
    by_text = {k.lower(): k for k, _ in rows} | {name.lower(): k for k, name in rows}
    found: list[str] = []
    for text in difflib.get_close_matches(raw.strip().lower(), list(by_text), n=n * 2, cutoff=0.5):
        if by_text[text] not in found:
            found.append(by_text[text])
    return found[:n]


def _like(column: Any, q: str) -> Any:
    return func.lower(column).contains(q.lower(), autoescape=True)


def party_conditions(args: dict[str, Any]) -> list[Any]:
    conds: list[Any] = []
    if args.get("kind"):
        conds.append(Party.kind == args["kind"])
    if args.get("q"):
        q = args["q"]
        conds.append(
            or_(
                func.upper(Party.code) == q.upper(),
                _like(Party.name, q),
                _like(func.coalesce(Party.official_name, ""), q),
                _like(func.coalesce(Party.common_name, ""), q),
            )
        )
    return conds


def party_page(
    session: Session, args: dict[str, Any], sort: str, desc: bool, after: Any, limit: int
) -> list[tuple[Any, Any]]:
    key = PARTY_SORTS[sort]
    stmt: Any = select(key.expr, Party.code).where(*party_conditions(args))
    return [
        (r[0], r[1])
        for r in session.execute(apply_keyset(stmt, key, Party.code, desc, after).limit(limit))
    ]


def count_parties(session: Session, args: dict[str, Any]) -> int:
    return int(
        session.scalar(select(func.count()).select_from(Party).where(*party_conditions(args))) or 0
    )


def _pair_counts(session: Session, codes: list[str]) -> dict[str, dict[str, int]]:
    """Published fact counts between each code and each of its partners."""
    out: dict[str, dict[str, int]] = {c: {} for c in codes}
    conn = session.connection()
    for side, other in ((Fact.subject, Fact.counterpart), (Fact.counterpart, Fact.subject)):
        rows = conn.execute(
            select(side, other, func.count())
            .where(side.in_(codes), Fact.status == "published")
            .group_by(side, other)
        )
        for code, partner, n in rows:
            out[code][partner] = out[code].get(partner, 0) + n
    return out


def party_counts(session: Session, codes: list[str]) -> dict[str, tuple[int, int]]:
    """(fact count, partner count) of published facts for each code."""
    return {
        code: (sum(partners.values()), len(partners))
        for code, partners in _pair_counts(session, codes).items()
        if partners
    }


def party_dict(party: Party, counts: tuple[int, int] | None = None) -> dict[str, Any]:
    facts, partners = counts or (0, 0)
    return {
        "code": party.code,
        "name": party.name,
        "official_name": party.official_name,
        "kind": party.kind,
        "alpha2": party.alpha2,
        "numeric": party.numeric,
        "fact_count": facts,
        "partner_count": partners,
    }


def parties_by_codes(session: Session, codes: list[str]) -> list[dict[str, Any]]:
    parties = {p.code: p for p in session.scalars(select(Party).where(Party.code.in_(codes)))}
    counts = party_counts(session, codes)
    return [party_dict(parties[c], counts.get(c)) for c in codes if c in parties]


def get_party(session: Session, code: str) -> dict[str, Any] | None:
    """A party with its memberships, members and partners (by published fact count)."""
    party = session.get(Party, code)
    if party is None:
        return None
    data = party_dict(party, party_counts(session, [code]).get(code))

    def _span(m: PartyMembership) -> dict[str, Any]:
        return {
            "start": m.start_date.isoformat() if m.start_date else None,
            "end": m.end_date.isoformat() if m.end_date else None,
        }

    memberships = session.scalars(
        select(PartyMembership)
        .where(PartyMembership.member_code == code)
        .order_by(PartyMembership.organization_code)
    )
    data["memberships"] = [{"organization": m.organization_code, **_span(m)} for m in memberships]
    members = session.scalars(
        select(PartyMembership)
        .where(PartyMembership.organization_code == code)
        .order_by(PartyMembership.member_code)
    )
    data["members"] = [{"party": m.member_code, **_span(m)} for m in members]
    counts = _pair_counts(session, [code])[code]
    names = dict(
        session.execute(select(Party.code, Party.name).where(Party.code.in_(counts))).all()
    )
    data["partners"] = [
        {"code": other, "name": names.get(other, other), "fact_count": n}
        for other, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return data


def actor_conditions(args: dict[str, Any]) -> list[Any]:
    conds: list[Any] = []
    if args.get("kind"):
        conds.append(Actor.kind == args["kind"])
    if args.get("q"):
        conds.append(
            or_(_like(Actor.name, args["q"]), _like(cast(Actor.aliases, String), args["q"]))
        )
    role_conds: list[Any] = []
    if args.get("party"):
        role_conds.append(ActorRole.party_code == args["party"])
    if args.get("role"):
        role_conds.append(func.lower(ActorRole.title) == args["role"].strip().lower())
    span: DateSpan | None = args.get("on")
    if span is not None:
        role_conds.append(or_(ActorRole.start_date.is_(None), ActorRole.start_date <= span.end))
        role_conds.append(or_(ActorRole.end_date.is_(None), ActorRole.end_date >= span.start))
    if role_conds:
        conds.append(select(literal(1)).where(ActorRole.actor_id == Actor.id, *role_conds).exists())
    return conds


def actor_page(
    session: Session, args: dict[str, Any], sort: str, desc: bool, after: Any, limit: int
) -> list[tuple[Any, Any]]:
    key = ACTOR_SORTS[sort]
    stmt: Any = select(key.expr, Actor.id).where(*actor_conditions(args))
    return [
        (r[0], r[1])
        for r in session.execute(apply_keyset(stmt, key, Actor.id, desc, after).limit(limit))
    ]


def count_actors(session: Session, args: dict[str, Any]) -> int:
    return int(
        session.scalar(select(func.count()).select_from(Actor).where(*actor_conditions(args))) or 0
    )


def actor_dict(actor: Actor) -> dict[str, Any]:
    return {
        "id": actor.id,
        "key": actor.key,
        "name": actor.name,
        "kind": actor.kind,
        "aliases": actor.aliases or [],
        "roles": [
            {
                "title": r.title,
                "party": r.party_code,
                "start": r.start_date.isoformat() if r.start_date else None,
                "end": r.end_date.isoformat() if r.end_date else None,
            }
            for r in actor.roles
        ],
    }


def actors_by_ids(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    actors = {
        a.id: a
        for a in session.scalars(
            select(Actor).where(Actor.id.in_(ids)).options(selectinload(Actor.roles))
        )
    }
    return [actor_dict(actors[i]) for i in ids if i in actors]


def find_actor(session: Session, ref: str) -> Actor | None:
    """An actor by id (digits) or key."""
    if unstorable(ref):
        return None
    if ref.isascii() and ref.isdigit():
        number = int(ref)
        return session.get(Actor, number) if number <= 2**31 - 1 else None
    return session.scalar(select(Actor).where(Actor.key == ref))
