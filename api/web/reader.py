"""Readers' pages: the dataset, the fact list, one fact in its article, a source with its
quotes, a pair's summary and timeline, a party. Public, published facts only."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, redirect, request, url_for
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from ..arguments import actor_id, resolve_codes
from ..db import cache_version, session
from ..errors import Problem
from ..models import Fact, Source
from ..responses import lists
from ..schemas.args import FactListArgs
from ..services import (
    catalog,
    citations,
    dyads,
    fact_query,
    fact_reads,
    figures,
    history,
    overview,
    passages,
    source_reads,
)
from ..services.paging import CursorError, read_page
from ..vocabulary import FACT_TYPES, LINK_RELATIONS
from . import bp, page
from .present import label, query

PUBLIC = ["published"]
# Parameters the API's list has that a page has no use for (the page is HTML, all fields).
NOT_ON_PAGES = ("format", "fields", "status")


def _loaded(raw: MultiDict[str, str]) -> dict[str, Any]:
    """The API's list arguments from a page's query string (empty form fields left out)."""
    data: dict[str, Any] = {}
    for key in raw:
        values = [v for v in raw.getlist(key) if v.strip()]
        if values:
            data[key] = values if len(values) > 1 else values[0]
    refused = [k for k in NOT_ON_PAGES if k in data]
    if refused:
        raise Problem(
            400,
            f"{', '.join(refused)} belong(s) to the API: use the JSON or CSV link of this page.",
            slug="invalid-parameters",
        )
    try:
        return FactListArgs().load(data)
    except ValidationError as err:
        raise Problem(
            400,
            "Some filters are not valid.",
            slug="invalid-parameters",
            errors=err.normalized_messages(),
        ) from None


def _resolve(args: dict[str, Any]) -> dict[str, Any]:
    """Codes and the actor resolved as the API resolves them; readers see published facts."""
    resolve_codes(args, "subject", "counterpart", "party", "dyad")
    if args.get("actor") is not None:
        args["actor"] = actor_id(args["actor"])
    args["status"] = PUBLIC
    return args


def _api_url(path: str, **changes: Any) -> str:
    qs = query(request.args, **changes)
    return f"{path}?{qs}" if qs else path


@bp.get("/")
def home() -> Response:
    s, version = session(), cache_version()
    return page(
        "home.html",
        counts=overview.counts(s, version),
        newest=overview.newest_facts(s, version),
        dyads=overview.top_dyads(s, version),
        types=FACT_TYPES,
    )


@bp.get("/facts")
def facts() -> Response:
    args = _resolve(_loaded(request.args))
    s = session()
    listing = fact_reads.FactListing(s, fact_reads.fact_query(s, args))
    sort_arg = args.get("sort") or fact_query.DEFAULT_SORT
    try:
        found = read_page(
            listing,
            lists.cursor_codec(current_app.config),
            sort_arg,
            args.get("cursor"),
            int(args["limit"]),
        )
    except CursorError as err:
        raise Problem(400, str(err), slug="invalid-cursor") from None
    return page(
        "facts.html",
        facts=found.items,
        next_url=_api_url(url_for("web.facts"), cursor=found.next_cursor)
        if found.next_cursor
        else None,
        first_url=_api_url(url_for("web.facts"), cursor=None) if args.get("cursor") else None,
        total=listing.count() if args.get("count") else None,
        json_url=_api_url("/api/v1/facts"),
        csv_url=_api_url("/api/v1/facts", format="csv", cursor=None, limit=None),
        form=request.args,
        types=FACT_TYPES,
        relations=LINK_RELATIONS,
    )


def _visible(fact_id: int) -> dict[str, Any]:
    fact = fact_reads.get_fact(session(), fact_id, ["published", "retracted"])
    if fact is None:
        raise Problem(404, f"No published fact with id {fact_id}.", slug="not-found")
    if fact["status"] == "retracted":
        raise Problem(410, f"Fact {fact_id} was retracted; its history remains in the API.")
    return fact


def _groups(s: Any, source_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each source's syndicated copies (the other members of its canonical group)."""
    rows = s.query(Source.id, Source.canonical_id).filter(Source.id.in_(source_ids)).all()
    roots = {sid: canon or sid for sid, canon in rows}
    members = (
        s.query(Source)
        .filter(
            (Source.id.in_(set(roots.values()))) | (Source.canonical_id.in_(set(roots.values())))
        )
        .order_by(Source.id)
        .all()
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for sid, root in roots.items():
        out[sid] = [
            {"id": m.id, "outlet": m.outlet, "title": m.title, "url": m.url}
            for m in members
            if (m.canonical_id or m.id) == root and m.id != sid
        ]
    return out


@bp.get("/facts/<int(max=2147483647):fact_id>")
def fact(fact_id: int) -> Response:
    s = session()
    data = _visible(fact_id)
    source_ids = [src["id"] for src in data["sources"]]
    bodies = dict(s.query(Source.id, Source.body).filter(Source.id.in_(source_ids)).all())
    articles = []
    for src in data["sources"]:
        quotes = [e for e in data["evidence"] if e["source_id"] == src["id"]]
        spans = [passages.Span(e["start"], e["end"], e) for e in quotes]
        articles.append(
            {
                "source": src,
                "quotes": quotes,
                "passages": passages.passages(bodies.get(src["id"], ""), spans),
            }
        )
    independent = len({src["canonical_id"] or src["id"] for src in data["sources"]})
    row = s.get(Fact, fact_id)
    key = figures.figure_key(row) if row is not None else None
    figure = None
    if key is not None:
        try:
            figure = figures.figure(s, key, include_deprecated=True)
        except figures.UnknownFigure:
            figure = None
    shown = history.public_history(history.fact_revisions(s, fact_id)) or []
    try:
        cited = citations.build(s, fact_id, None, request.host_url, public=True)
        citation = {
            "text": citations.plain_text(cited),
            "bibtex": citations.bibtex(cited).decode(),
        }
    except citations.NotCitable:
        citation = None
    return page(
        "fact.html",
        fact=data,
        articles=articles,
        copies=_groups(s, source_ids),
        independent=independent,
        figure=figure,
        figure_key=key,
        revisions=shown,
        citation=citation,
        relations=LINK_RELATIONS,
        json_url=f"/api/v1/facts/{fact_id}",
    )


@bp.get("/sources/<int(max=2147483647):source_id>")
def source(source_id: int) -> Response:
    s = session()
    data = source_reads.get_source(s, source_id, include_raw=False)
    if data is None:
        raise Problem(404, f"No source with id {source_id}.", slug="not-found")
    quotes = overview.source_quotes(s, source_id)
    spans = [passages.Span(q["start"], q["end"], q) for q in quotes]
    original = s.get(Source, data["canonical_id"]) if data["canonical_id"] else None
    return page(
        "source.html",
        source=data,
        quotes=quotes,
        passages=passages.passages(data["body"], spans),
        original=original,
        json_url=f"/api/v1/sources/{source_id}",
    )


def _pair_codes(a: str, b: str) -> tuple[str, str]:
    codes = []
    for raw in (a, b):
        code = catalog.resolve_party(session(), raw, cache_version()) if len(raw) <= 16 else None
        if code is None:
            raise Problem(404, f"No party with code {raw!r}.", slug="not-found")
        codes.append(code)
    if codes[0] == codes[1]:
        raise Problem(404, "A dyad is two different parties.", slug="not-found")
    return codes[0], codes[1]


@bp.get("/dyads/<a>/<b>")
def dyad(a: str, b: str) -> Response | Any:
    code_a, code_b = _pair_codes(a, b)
    if (code_a, code_b) != (a, b):
        return redirect(url_for("web.dyad", a=code_a, b=code_b), 301)
    s, version = session(), cache_version()
    summary = dyads.cached_summary(s, code_a, code_b, False, version)
    timeline = dyads.cached_timeline(s, code_a, code_b, version)
    values = overview.dyad_values(s, code_a, code_b, version)
    chart = {
        "counts": {
            "labels": [p["period"] for p in timeline["data"]],
            "series": [
                {
                    "type": t,
                    "label": label(t),
                    "data": [p["by_type"].get(t, 0) for p in timeline["data"]],
                }
                for t in timeline["meta"]["types"]
            ],
        },
        "values": [
            {
                "label": f"{label(v['type'])} ({v['unit']})" if v["unit"] else label(v["type"]),
                "points": [
                    {
                        "x": p["x"],
                        "y": p["value"],
                        "fact": url_for("web.fact", fact_id=p["fact_id"]),
                    }
                    for p in v["points"]
                ],
            }
            for v in values
        ],
    }
    return page(
        "dyad.html",
        a=code_a,
        b=code_b,
        summary=summary,
        timeline=timeline,
        values=values,
        chart=chart,
        json_url=f"/api/v1/dyads/{code_a}/{code_b}",
        timeline_url=f"/api/v1/dyads/{code_a}/{code_b}/timeline",
        figures_url=f"/api/v1/figures?dyad={code_a},{code_b}",
    )


@bp.get("/parties/<code>")
def party(code: str) -> Response | Any:
    s = session()
    resolved = catalog.resolve_party(s, code, cache_version()) if len(code) <= 16 else None
    if resolved is None:
        raise Problem(404, f"No party with code {code!r}.", slug="not-found")
    if resolved != code:
        return redirect(url_for("web.party", code=resolved), 301)
    data = overview.party(s, resolved, cache_version())
    if data is None:
        raise Problem(404, f"No party with code {code!r}.", slug="not-found")
    return page("party.html", party=data, json_url=f"/api/v1/parties/{resolved}")
