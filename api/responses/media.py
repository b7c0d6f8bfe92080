"""Media types of the API and the reading of ``Accept`` (both read paths).

Every operation sends JSON (application/json, or application/problem+json for errors); a
list also sends CSV and NDJSON. The Accept header is read leniently, as werkzeug reads it
but with media-type parameters dropped (a charset must not make JSON unacceptable), a bare
``*`` taken for ``*/*`` and malformed ranges ignored; a header with no usable range counts
as absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

NDJSON = "application/x-ndjson"
CSV = "text/csv"
JSON_MEDIA = ("application/json", "application/problem+json")
LIST_MEDIA = (*JSON_MEDIA, CSV, NDJSON)
# Accept values the thin read path answers itself: with them, what is sent needs no
# negotiating beyond the obvious. Any other value is negotiated by Flask (406 when nothing
# fits).
PLAIN_ITEM_ACCEPT = frozenset({"*/*", "application/json"})
PLAIN_LIST_ACCEPT = PLAIN_ITEM_ACCEPT | {CSV, NDJSON}
LIST_FORMATS = ("json", "csv", "ndjson")


def read_accept(header: str | None) -> MIMEAccept:
    """The Accept header's media ranges with their qualities, read leniently (see above)."""
    ranges = []
    for value, quality in parse_accept_header(header, MIMEAccept):
        media = value.split(";", 1)[0].strip().lower()
        if media == "*":
            media = "*/*"
        kind, _, subtype = media.partition("/")
        if kind and subtype and "/" not in subtype:
            ranges.append((media, quality))
    return MIMEAccept(ranges)


def negotiate_format(args: Mapping[str, Any], accept: MIMEAccept) -> str:
    """A list's form: ``format=`` wins; else Accept picks CSV or NDJSON; else JSON."""
    if args.get("format"):
        return str(args["format"])
    best = accept.best_match(["application/json", CSV, NDJSON])
    if best == CSV:
        return "csv"
    if best == NDJSON:
        return "ndjson"
    return "json"
