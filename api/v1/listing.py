"""Flask's lists: sparse fieldsets, keyset pages, and exports, answered through the
response layer (api/responses/lists.py), as the thin read path's are."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

from flask import Response, current_app, request, stream_with_context

from ..errors import Problem
from ..jsonio import json_response
from ..responses import lists, media
from ..services.paging import CursorError, Listing, read_page


def shown_fields(fields: list[str] | None, id_field: str) -> list[str] | None:
    """The fields a sparse fieldset shows: the identifying one first, then those asked."""
    return [id_field, *[f for f in fields if f != id_field]] if fields else None


def pick_fields(item: dict[str, Any], keep: list[str] | None) -> dict[str, Any]:
    """Keep only the given fields."""
    return {k: item[k] for k in keep if k in item} if keep else item


def check_fields(fields: list[str] | None, allowed: Iterable[str]) -> None:
    """Refuse unknown names in ``fields`` with a 400 that lists the allowed ones."""
    allowed = list(allowed)
    unknown = [f for f in fields or [] if f not in allowed]
    if unknown:
        raise Problem(
            400,
            f"Unknown field(s) in fields: {', '.join(unknown)}.",
            slug="invalid-parameters",
            errors={"fields": [f"Allowed: {', '.join(allowed)}."]},
        )


def _url_with(**changes: Any) -> str:
    return lists.url_with(request.base_url, request.args, **changes)


def export_response(
    rows: Iterator[dict[str, Any]], fmt: str, name: str, columns: Sequence[str] | None = None
) -> Response:
    """Stream every row as CSV or NDJSON, in constant memory."""
    body = lists.export_body(fmt, ((row,) for row in rows), columns)
    return Response(stream_with_context(body), headers=lists.export_headers(fmt, name))


def envelope(
    items: list[dict[str, Any]], limit: int, next_cursor: str | None, total: int | None
) -> Response:
    """The JSON list envelope with its Link header."""
    next_url = _url_with(cursor=next_cursor) if next_cursor else None
    document = lists.list_document(items, request.url, next_url, limit, total)
    return json_response(document, headers=lists.page_headers(next_url))


def keyset_list(
    args: dict[str, Any],
    listing: Listing,
    *,
    sorts: Collection[str],
    default_sort: str,
    name: str,
    columns: Sequence[str],
    id_field: str = "id",
) -> Response:
    """Answer a list request: a keyset page as JSON, or every row as CSV / NDJSON."""
    sort_arg = args.get("sort") or default_sort
    sort, descending = sort_arg.lstrip("-"), sort_arg.startswith("-")
    assert sort in sorts, sort  # the args schema admits only these
    check_fields(args.get("fields_"), columns)
    fields = shown_fields(args.get("fields_"), id_field)
    fmt = media.negotiate_format(args, request.accept_mimetypes)
    if fmt in ("csv", "ndjson"):
        rows = (pick_fields(r, fields) for r in listing.export(sort, descending))
        return export_response(rows, fmt, name, fields or columns)

    codec = lists.cursor_codec(current_app.config)
    limit = int(args["limit"])
    try:
        page = read_page(listing, codec, sort_arg, args.get("cursor"), limit)
    except CursorError as err:
        raise Problem(400, str(err), slug="invalid-cursor", errors={"cursor": [str(err)]}) from None
    shown = [pick_fields(item, fields) for item in page.items]
    return envelope(shown, limit, page.next_cursor, listing.count() if args.get("count") else None)
