"""Lists: format negotiation, sparse fieldsets, keyset pages, CSV and NDJSON exports."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlencode

import orjson
from flask import Response, current_app, request, stream_with_context

from ..errors import Problem
from ..jsonio import dumps, json_response
from ..services.paging import CursorCodec, CursorError, Listing

NDJSON = "application/x-ndjson"


def cursor_codec(config: Any = None) -> CursorCodec:
    """The app's cursor signer (FACTS_CURSOR_SECRET, else derived from the database URL)."""
    config = current_app.config if config is None else config
    secret = (
        config.get("CURSOR_SECRET")
        or hashlib.sha256(("bilateral-facts cursor|" + config["DATABASE_URL"]).encode()).hexdigest()
    )
    return CursorCodec(secret)


def negotiate_format(args: dict[str, Any], accept: Any = None) -> str:
    """``format=`` wins; else the Accept header picks CSV or NDJSON; else JSON."""
    if args.get("format"):
        return str(args["format"])
    accept = request.accept_mimetypes if accept is None else accept
    best = accept.best_match(["application/json", "text/csv", NDJSON])
    if best == "text/csv":
        return "csv"
    if best == NDJSON:
        return "ndjson"
    return "json"


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


def url_with(base_url: str, args: Any, **changes: Any) -> str:
    """``base_url`` with the query ``args`` (a MultiDict), some of them replaced."""
    params = [(k, v) for k, v in args.items(multi=True) if k not in changes]
    params += [(k, v) for k, v in changes.items() if v is not None]
    query = urlencode(params)
    return base_url + (f"?{query}" if query else "")


def _url_with(**changes: Any) -> str:
    return url_with(request.base_url, request.args, **changes)


def csv_cell(value: Any) -> Any:
    """Flatten one value for CSV: lists of scalars joined by ';', structures as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return ";".join(str(v) for v in value)
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return value


def csv_chunks(rows: Iterator[dict[str, Any]], columns: Sequence[str] | None) -> Iterator[str]:
    buffer = io.StringIO()
    writer: csv.DictWriter[str] | None = None
    for n, row in enumerate(rows):
        if writer is None:
            writer = csv.DictWriter(
                buffer,
                fieldnames=columns or list(row),
                extrasaction="ignore",
                lineterminator="\r\n",
            )
            writer.writeheader()
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
        if n % 200 == 199:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if writer is None and columns:
        csv.writer(buffer, lineterminator="\r\n").writerow(columns)
    yield buffer.getvalue()


def export_headers(fmt: str, name: str) -> list[tuple[str, str]]:
    """Content-Type (and for CSV, the download name) of an export, on both read paths."""
    if fmt == "ndjson":
        return [("Content-Type", NDJSON)]
    return [
        ("Content-Type", "text/csv; charset=utf-8"),
        ("Content-Disposition", f'attachment; filename="{name}.csv"'),
    ]


def export_response(
    rows: Iterator[dict[str, Any]], fmt: str, name: str, columns: Sequence[str] | None = None
) -> Response:
    """Stream every row as CSV or NDJSON, in constant memory."""
    if fmt == "ndjson":
        body: Iterator[Any] = (dumps(row) + b"\n" for row in rows)
    else:
        body = csv_chunks(rows, columns)
    return Response(stream_with_context(body), headers=export_headers(fmt, name))


def list_document(
    items: list[Any], self_url: str, next_url: str | None, limit: int, total: int | None = None
) -> dict[str, Any]:
    """The JSON list envelope (both read paths)."""
    meta: dict[str, Any] = {"limit": limit}
    if total is not None:
        meta["total"] = total
    return {"data": items, "links": {"self": self_url, "next": next_url}, "meta": meta}


def next_link(next_url: str) -> str:
    """The RFC 8288 Link header of a page that has a next one."""
    return f'<{next_url}>; rel="next"'


def envelope(
    items: list[dict[str, Any]], limit: int, next_cursor: str | None, total: int | None
) -> Response:
    """The JSON list envelope with its Link header."""
    next_url = _url_with(cursor=next_cursor) if next_cursor else None
    response = json_response(list_document(items, request.url, next_url, limit, total))
    if next_url:
        response.headers["Link"] = next_link(next_url)
    return response


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
    fmt = negotiate_format(args)
    if fmt in ("csv", "ndjson"):
        rows = (pick_fields(r, fields) for r in listing.export(sort, descending))
        return export_response(rows, fmt, name, fields or columns)

    digest = listing.digest()
    codec = cursor_codec()
    limit = int(args["limit"])
    try:
        after = codec.decode(args["cursor"], sort_arg, digest) if args.get("cursor") else None
        keys, items = listing.page(sort, descending, after, limit + 1)
    except CursorError as err:
        raise Problem(400, str(err), slug="invalid-cursor", errors={"cursor": [str(err)]}) from None
    has_next = len(keys) > limit
    keys, items = keys[:limit], items[:limit]
    next_cursor = codec.encode(sort_arg, keys[-1][0], keys[-1][1], digest) if has_next else None
    shown = [pick_fields(item, fields) for item in items]
    return envelope(shown, limit, next_cursor, listing.count() if args.get("count") else None)
