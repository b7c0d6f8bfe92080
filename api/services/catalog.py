"""Reading parties and actors: code resolution, filters, partners, roles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, selectinload

from ..models import Actor, ActorRole, Fact, Party, PartyMembership
from .dates import DateSpan
from .paging import SortKey, apply_keyset, parse_int_key, parse_str_key

PARTY_SORTS = {
    "code": SortKey(Party.code, parse_str_key),
    "name": SortKey(Party.name, parse_str_key),
}
ACTOR_SORTS = {
    "name": SortKey(Actor.name, parse_str_key),
    "id": SortKey(Actor.id, parse_int_key),
}


def resolve_party(session: Session, raw: str) -> str | None:
    """Resolve an alpha-3, alpha-2 or numeric code (any case) to the party code."""
    code = raw.strip().upper()
    if session.get(Party, code) is not None:
        return code
    if len(code) == 2:
        return session.scalar(select(Party.code).where(Party.alpha2 == code))
    if code.isdigit():
        return session.scalar(select(Party.code).where(Party.numeric == code.zfill(3)))
    return None


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


def _sides() -> Any:
    published = Fact.status == "published"
    return union_all(
        select(Fact.subject.label("party"), Fact.counterpart.label("other")).where(published),
        select(Fact.counterpart.label("party"), Fact.subject.label("other")).where(published),
    ).subquery()


def party_counts(session: Session, codes: list[str]) -> dict[str, tuple[int, int]]:
    """(fact count, partner count) of published facts for each code."""
    sides = _sides()
    rows = session.execute(
        select(sides.c.party, func.count(), func.count(sides.c.other.distinct()))
        .where(sides.c.party.in_(codes))
        .group_by(sides.c.party)
    )
    return {r[0]: (r[1], r[2]) for r in rows}


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
    sides = _sides()
    partners = session.execute(
        select(sides.c.other, Party.name, func.count().label("n"))
        .join(Party, Party.code == sides.c.other)
        .where(sides.c.party == code)
        .group_by(sides.c.other, Party.name)
        .order_by(func.count().desc(), sides.c.other)
    )
    data["partners"] = [{"code": r[0], "name": r[1], "fact_count": r[2]} for r in partners]
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
    if ref.isdigit():
        return session.get(Actor, int(ref))
    return session.scalar(select(Actor).where(Actor.key == ref))
