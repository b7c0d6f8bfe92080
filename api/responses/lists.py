"""Lists on both read paths: the JSON envelope, the ``Link`` header, signed cursors, and
CSV / NDJSON export bodies with their headers."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import orjson

from ..jsonio import dumps
from ..services.paging import CursorCodec
from .media import NDJSON

Headers = list[tuple[str, str]]


def cursor_codec(config: Mapping[str, Any]) -> CursorCodec:
    """The app's cursor signer (FACTS_CURSOR_SECRET, else derived from the database URL)."""
    secret = (
        config.get("CURSOR_SECRET")
        or hashlib.sha256(("bilateral-facts cursor|" + config["DATABASE_URL"]).encode()).hexdigest()
    )
    return CursorCodec(secret)


def url_with(base_url: str, args: Any, **changes: Any) -> str:
    """``base_url`` with the query ``args`` (a MultiDict), some of them replaced."""
    params = [(k, v) for k, v in args.items(multi=True) if k not in changes]
    params += [(k, v) for k, v in changes.items() if v is not None]
    query = urlencode(params)
    return base_url + (f"?{query}" if query else "")


def list_document(
    items: list[Any], self_url: str, next_url: str | None, limit: int, total: int | None = None
) -> dict[str, Any]:
    """The JSON list envelope."""
    meta: dict[str, Any] = {"limit": limit}
    if total is not None:
        meta["total"] = total
    return {"data": items, "links": {"self": self_url, "next": next_url}, "meta": meta}


def next_link(next_url: str) -> str:
    """The RFC 8288 Link header of a page that has a next one."""
    return f'<{next_url}>; rel="next"'


def page_headers(next_url: str | None) -> Headers:
    """The headers a JSON page carries besides the policy's: its Link, if any."""
    return [("Link", next_link(next_url))] if next_url else []


def json_headers(body: bytes) -> Headers:
    """Content-Type and Content-Length of a JSON body."""
    return [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]


def export_headers(fmt: str, name: str) -> Headers:
    """Content-Type (and for CSV, the download name) of an export."""
    if fmt == "ndjson":
        return [("Content-Type", NDJSON)]
    return [
        ("Content-Type", "text/csv; charset=utf-8"),
        ("Content-Disposition", f'attachment; filename="{name}.csv"'),
    ]


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


def csv_body(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None) -> Iterator[bytes]:
    """Rows as CSV (a header line, CRLF line ends), in chunks of 200 rows."""
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
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if writer is None and columns:
        csv.writer(buffer, lineterminator="\r\n").writerow(columns)
    yield buffer.getvalue().encode()


def ndjson_body(batches: Iterable[Iterable[Any]]) -> Iterator[bytes]:
    """Batches of items as NDJSON, one chunk per batch."""
    for batch in batches:
        yield b"".join([dumps(item) + b"\n" for item in batch])


def export_body(
    fmt: str, batches: Iterable[Iterable[Any]], columns: Sequence[str] | None = None
) -> Iterator[bytes]:
    """Every row of ``batches`` as CSV or NDJSON, in constant memory."""
    if fmt == "ndjson":
        return ndjson_body(batches)
    return csv_body((row for batch in batches for row in batch), columns)
