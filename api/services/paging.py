"""Keyset pagination: sort keys, signed opaque cursors, and fetching one page.

A cursor carries the sort, the last row's sort key and id, and a fingerprint of the
filters; it is signed, so a tampered cursor or one from another query is refused.
Pages are found with ``(key, id) > (last_key, last_id)`` on an index, never OFFSET, so a
page deep in the list costs what the first one does, and rows inserted between two
requests neither repeat nor shift later pages.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, literal, tuple_
from sqlalchemy.orm import QueryableAttribute, Session

# A column or an expression to sort on.
SortExpr = ColumnElement[Any] | QueryableAttribute[Any]


class CursorError(ValueError):
    """A cursor that is malformed, tampered with, or made for another query."""


@dataclass(frozen=True)
class SortKey:
    """A sortable field: its SQL expression and how to read a key back from a cursor."""

    expr: SortExpr
    parse: Callable[[Any], Any]


def parse_date_key(value: Any) -> date:
    return date.fromisoformat(str(value))


def parse_datetime_key(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def parse_decimal_key(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(value) from None


def parse_int_key(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(value)
    return value


def parse_str_key(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def fingerprint(filters: dict[str, Any]) -> str:
    """A short digest of the filters a cursor belongs to."""
    canonical = json.dumps(filters, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


class CursorCodec:
    """Encode and verify cursors with an HMAC key."""

    MAX_LENGTH = 1000

    def __init__(self, secret: str | bytes) -> None:
        self._key = secret.encode() if isinstance(secret, str) else secret

    def _sign(self, payload: bytes) -> str:
        digest = hmac.new(self._key, payload, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def encode(self, sort: str, key: Any, row_id: Any, filters: str) -> str:
        """Make the cursor that resumes after the row (key, id)."""
        payload = json.dumps(
            {"s": sort, "k": _jsonable(key), "i": _jsonable(row_id), "f": filters},
            separators=(",", ":"),
        ).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{self._sign(payload)}"

    def decode(self, token: str, sort: str, filters: str) -> tuple[Any, Any]:
        """Return the (key, id) a cursor resumes after; raise CursorError if it is not ours."""
        if len(token) > self.MAX_LENGTH or token.count(".") != 1 or not token.isascii():
            raise CursorError("Malformed cursor.")
        body, signature = token.split(".")
        try:
            payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise CursorError("Malformed cursor.") from None
        if not hmac.compare_digest(self._sign(payload), signature):
            raise CursorError("Cursor signature does not match: it was altered or is not ours.")
        data = json.loads(payload)
        if data.get("s") != sort or data.get("f") != filters:
            raise CursorError(
                "This cursor belongs to another query: keep the same filters and sort."
            )
        return data["k"], data["i"]


def apply_keyset(
    stmt: Select[Any],
    key: SortKey,
    id_col: SortExpr,
    descending: bool,
    after: tuple[Any, Any] | None,
) -> Select[Any]:
    """Order ``stmt`` by (key, id) and start after the given position."""
    if after is not None:
        try:
            last_key = key.parse(after[0])
            last_id = after[1]
        except (ValueError, TypeError):
            raise CursorError("Malformed cursor.") from None
        bound = tuple_(literal(last_key, key.expr.type), literal(last_id, id_col.type))
        position = tuple_(key.expr, id_col)
        stmt = stmt.where(position < bound if descending else position > bound)
    if descending:
        return stmt.order_by(key.expr.desc(), id_col.desc())
    return stmt.order_by(key.expr.asc(), id_col.asc())


def iter_keyset(
    page: Callable[[tuple[Any, Any] | None, int], list[tuple[Any, Any]]],
    hydrate: Callable[[list[Any]], list[dict[str, Any]]],
    batch: int = 1000,
) -> Iterator[dict[str, Any]]:
    """Every row of a list, fetched page by page by key so memory stays constant.

    ``page(after, limit)`` gives (sort key, id) pairs after a position; ``hydrate(ids)``
    gives the rows for those ids in order.
    """
    after: tuple[Any, Any] | None = None
    while True:
        keys = page(after, batch)
        if not keys:
            return
        yield from hydrate([i for _, i in keys])
        if len(keys) < batch:
            return
        after = keys[-1]


# The list arguments that shape a page rather than say which rows: left out of a cursor's
# fingerprint, so a cursor keeps working with another limit or format.
PAGING_ARGS = ("limit", "cursor", "count", "sort", "fields_", "format")

Keys = list[tuple[Any, Any]]  # (sort key, id) of each row of a page
Items = list[dict[str, Any]]


class Listing(Protocol):
    """What a list answers from: keyset pages, a count, every row, the filters' digest."""

    def digest(self) -> str: ...

    def page(self, sort: str, descending: bool, after: Any, limit: int) -> tuple[Keys, Items]:
        """Up to ``limit`` rows after ``after`` (as a cursor gave it; CursorError if bad)."""
        ...

    def count(self) -> int: ...

    def export(self, sort: str, descending: bool) -> Iterator[dict[str, Any]]: ...


@dataclass
class KeysetListing:
    """A ``Listing`` from a service's page, hydrate and count functions of (session, args)."""

    session: Session
    args: dict[str, Any]
    keys: Callable[[Session, dict[str, Any], str, bool, Any, int], Keys]
    rows: Callable[[Session, list[Any]], Items]
    total: Callable[[Session, dict[str, Any]], int]
    batch: int = field(default=1000)

    def digest(self) -> str:
        return fingerprint({k: v for k, v in self.args.items() if k not in PAGING_ARGS})

    def page(self, sort: str, descending: bool, after: Any, limit: int) -> tuple[Keys, Items]:
        keys = self.keys(self.session, self.args, sort, descending, after, limit)
        return keys, self.rows(self.session, [i for _, i in keys])

    def count(self) -> int:
        return self.total(self.session, self.args)

    def export(self, sort: str, descending: bool) -> Iterator[dict[str, Any]]:
        return iter_keyset(
            lambda after, limit: self.keys(self.session, self.args, sort, descending, after, limit),
            lambda ids: self.rows(self.session, ids),
            self.batch,
        )


@dataclass(frozen=True)
class Page:
    """One keyset page: its rows and the cursor of the next (None on the last page)."""

    items: Items
    next_cursor: str | None


def read_page(
    listing: Listing, codec: CursorCodec, sort_arg: str, cursor: str | None, limit: int
) -> Page:
    """The page after ``cursor`` (CursorError if the cursor is not this query's)."""
    sort, descending = sort_arg.lstrip("-"), sort_arg.startswith("-")
    digest = listing.digest()
    after = codec.decode(cursor, sort_arg, digest) if cursor else None
    keys, items = listing.page(sort, descending, after, limit + 1)
    if len(keys) <= limit:
        return Page(items, None)
    last_key, last_id = keys[limit - 1]
    return Page(items[:limit], codec.encode(sort_arg, last_key, last_id, digest))
