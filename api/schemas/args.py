"""Query-string schemas: unknown parameters are rejected, never ignored."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
)

from .. import fact_document
from ..dates import DateSpan, parse_date
from ..event_codes import PLOVER_EVENTS
from ..models.actor import ACTOR_KINDS
from ..models.party import PARTY_KINDS
from ..vocabulary import FACT_STATUSES, FACT_TYPES, LINK_RELATIONS
from . import catalog_output, output
from .text_checks import check_storable

# Free text in query strings: any characters but NUL (which no database stores).
TEXT = {"pattern": r"^[^\x00]*$"}
CODE_PATTERN = r"^[A-Za-z0-9+]{2,16}$"
CODE = validate.Regexp(
    CODE_PATTERN, error="Not a party code (alpha-3, alpha-2, numeric or OPEC/OPEC+)."
)
MAX_LIMIT = 500
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"


def _sorts(*names: str) -> validate.OneOf:
    return validate.OneOf([v for n in names for v in (n, f"-{n}")])


class QueryArgs(Schema):
    class Meta:
        unknown = RAISE

    @pre_load
    def _storable(self, data: Any, **_: Any) -> Any:
        check_storable(dict(data))
        return data


class CommaList(fields.List):
    """A list given as repeated parameters and/or comma-separated values."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[Any]:
        items = value if isinstance(value, list) else [value]
        split = [part.strip() for item in items for part in str(item).split(",") if part.strip()]
        if not split:
            raise ValidationError("Give at least one value.")
        return super()._deserialize(split, attr, data, **kwargs)


DATE_PATTERN = (
    r"^(?!0000)[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|1[0-9]|2[0-9]))?"
    r"|-(0[13-9]|1[0-2])-30|-(0[13578]|1[02])-31)?$"
)


class DateParam(fields.String):
    """A date of any precision (YYYY, YYYY-MM, YYYY-MM-DD), loaded as the interval it covers."""

    def __init__(self, **kwargs: Any) -> None:
        # The pattern documents the form and leaves out days no month has (02-30, 04-31);
        # 29 February passes it and is then checked against the year.
        kwargs["metadata"] = {**kwargs.get("metadata", {}), "pattern": DATE_PATTERN}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> DateSpan:  # type: ignore[override]
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse_date_param(text)
        except ValueError as err:
            raise ValidationError(str(err)) from None


def parse_date_param(text: str) -> DateSpan:
    """A date parameter (YYYY, YYYY-MM or YYYY-MM-DD) as its span; ValueError if it is not
    one (the thin read path checks its parameters with this too)."""
    if not re.match(DATE_PATTERN, text):
        raise ValueError("Not a date of the form YYYY, YYYY-MM or YYYY-MM-DD.")
    span = parse_date(text)
    if span.start is None:
        raise ValueError("Give a date: YYYY, YYYY-MM or YYYY-MM-DD.")
    return span


def sparse(names: list[str]) -> CommaList:
    """The ``fields`` parameter of a list whose items have these fields."""
    return CommaList(
        fields.String(validate=validate.OneOf(names)),
        data_key="fields",
        metadata={"description": "Sparse fieldset: comma list of field names."},
    )


def _within_1e15(value: Any) -> None:
    if value != 0 and (value.adjusted() > 15 or abs(value) > 10**15):
        raise ValidationError("Must be between -1e15 and 1e15.")


def _bound(description: str) -> fields.Decimal:
    """A bound on fact values (documented as a plain number)."""
    return fields.Decimal(
        validate=_within_1e15,
        metadata={"description": description, "minimum": -1e15, "maximum": 1e15},
    )


# How the filters answer a code, said once in every code parameter's description.
UNKNOWN_CODE = (
    " A code that names no party is a 400 that names it and the closest known codes;"
    " a known party with no matching facts gives an empty list."
)


def _code(description: str) -> fields.String:
    return fields.String(validate=CODE, metadata={"description": description + UNKNOWN_CODE})


class ListArgs(QueryArgs):
    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={
            "description": "Page size, 1 to 500 (JSON pages only; exports stream every row)."
        },
    )
    cursor = fields.String(
        # Described by the alphabet cursors are written in (base64url, a dot, base64url), so
        # a cursor never needs escaping and always fits in a URL; one outside it is refused
        # by the cursor codec, as /problems/invalid-cursor like any cursor not issued here.
        validate=validate.Length(min=1, max=1000),
        metadata={
            "description": "Opaque cursor from links.next; keep the same filters and sort.",
            "pattern": CURSOR_PATTERN,
        },
    )
    count = fields.Boolean(
        load_default=False, metadata={"description": "count=true adds meta.total."}
    )
    fields_ = CommaList(
        fields.String(validate=validate.Length(min=1, max=40)),
        data_key="fields",
        metadata={"description": "Sparse fieldset: comma list of field names."},
    )
    format = fields.String(
        validate=validate.OneOf(["json", "csv", "ndjson"]),
        metadata={"description": "json (default), csv or ndjson (csv/ndjson stream every row)."},
    )


class FactFilterArgs(QueryArgs):
    type = CommaList(
        fields.String(validate=validate.OneOf(tuple(FACT_TYPES))),
        metadata={"description": "Fact type(s); repeat or comma-separate."},
    )
    plover = fields.String(
        validate=validate.OneOf(tuple(PLOVER_EVENTS)),
        metadata={
            "description": "PLOVER event category (see /fact-types and docs/event-codes.md)."
        },
    )
    subject = _code("Party on the acting side.")
    counterpart = _code("Party on the other side.")
    party = _code("Party on either side or among the other parties.")
    dyad = CommaList(
        fields.String(validate=CODE),
        validate=validate.Length(equal=2),
        metadata={
            "description": "Two different party codes, unordered." + UNKNOWN_CODE,
            "uniqueItems": True,
        },
    )
    actor = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={
            **TEXT,
            "description": "Actor id or key. One that names no actor is a 400 that names "
            "the closest known keys; a known actor with no matching facts gives an empty list.",
        },
    )
    source = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "Source id: facts with evidence from it or any copy of it."},
    )
    linked_to = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "Facts with an active link to or from this fact."},
    )
    relation = fields.String(
        validate=validate.OneOf(tuple(LINK_RELATIONS)),
        metadata={
            "description": "Facts with an active link of this relation (with linked_to: that link)."
        },
    )
    from_ = DateParam(
        data_key="from", metadata={"description": "Facts whose date overlaps from here on."}
    )
    to = DateParam(metadata={"description": "Facts whose date overlaps up to here."})
    value_min = _bound("Smallest value; give unit too, to compare like with like.")
    value_max = _bound("Largest value; give unit too, to compare like with like.")
    unit = fields.String(validate=validate.Length(min=1, max=32), metadata=TEXT)
    status = CommaList(
        fields.String(validate=validate.OneOf([*FACT_STATUSES, "all"])),
        metadata={"description": "published (default); others need a token."},
    )
    q = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={
            **TEXT,
            "description": "Full text over summaries and evidence quotes; all words must match.",
        },
    )

    @post_load
    def _bounds_to_stored_precision(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        # Values are stored with 6 decimal places: round each bound inwards to that grid,
        # which keeps its meaning exactly (value >= 1e-19 is value >= 0.000001).
        grid = Decimal("0.000001")
        if data.get("value_min") is not None:
            data["value_min"] = data["value_min"].quantize(grid, rounding=ROUND_CEILING)
        if data.get("value_max") is not None:
            data["value_max"] = data["value_max"].quantize(grid, rounding=ROUND_FLOOR)
        return data

    @validates("dyad")
    def _two(self, value: list[str], **_: Any) -> None:
        if len(value) != 2 or value[0].upper() == value[1].upper():
            raise ValidationError("Give exactly two different party codes: dyad=RUS,IRQ.")


class AsOf(fields.AwareDateTime):
    """An RFC 3339 time with its offset, converted to UTC (out-of-range times refused)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        moment: datetime = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError("Out of range once converted to UTC.") from None


AS_OF = AsOf(
    format="iso",
    metadata={"description": "RFC 3339 time (with offset): answer as the data stood then."},
)


class FactItemArgs(QueryArgs):
    as_of = AS_OF


class FactListArgs(FactFilterArgs, ListArgs):
    as_of = AS_OF
    fields_ = sparse(list(fact_document.NAMES))
    sort = fields.String(
        validate=_sorts("date", "value", "id", "created"),
        metadata={"description": "date, value, id or created; - for descending (default -date)."},
    )


class SourceFactListArgs(FactListArgs):
    """A source's facts: the fact filters without ``source``, which the path gives."""

    class Meta:
        exclude = ("source",)


class SourceListArgs(ListArgs):
    fields_ = sparse(list(output.SourceListItemSchema().fields))
    outlet = fields.String(validate=validate.Length(min=1, max=200), metadata=TEXT)
    from_ = DateParam(data_key="from", metadata={"description": "Published on or after (overlap)."})
    to = DateParam(metadata={"description": "Published on or before (overlap)."})
    q = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={**TEXT, "description": "Words in the title or text (case-insensitive)."},
    )
    canonical = fields.Boolean(
        metadata={"description": "canonical=true hides near-duplicate copies."}
    )
    sort = fields.String(
        validate=_sorts("id", "published"), metadata={"description": "Default id."}
    )


class SourceArgs(QueryArgs):
    include = CommaList(
        fields.String(validate=validate.OneOf(["raw"])),
        metadata={"description": "include=raw adds the exact text received."},
    )


class PartyListArgs(ListArgs):
    fields_ = sparse(list(catalog_output.PartySchema().fields))
    kind = fields.String(validate=validate.OneOf(PARTY_KINDS))
    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={**TEXT, "description": "Words in the names."},
    )
    sort = fields.String(validate=_sorts("code", "name"), metadata={"description": "Default code."})


class ActorListArgs(ListArgs):
    fields_ = sparse(list(catalog_output.ActorSchema().fields))
    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={**TEXT, "description": "Words in the name or aliases."},
    )
    kind = fields.String(validate=validate.OneOf(ACTOR_KINDS))
    party = _code("Actors with a role for this party.")
    role = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={**TEXT, "description": "Role title, case-insensitive (prime minister)."},
    )
    on = DateParam(metadata={"description": "Who held the role (or any role) on this date."})
    sort = fields.String(validate=_sorts("name", "id"), metadata={"description": "Default name."})


_INCLUDE_DEPRECATED = {
    "description": "Count facts a curator ranked deprecated too (default: left out)."
}


class DyadListArgs(ListArgs):
    fields_ = sparse(list(catalog_output.DyadSchema().fields))
    party = _code("Only dyads that include this party.")
    type = CommaList(fields.String(validate=validate.OneOf(tuple(FACT_TYPES))))
    sort = fields.String(
        validate=_sorts("facts", "pair"), metadata={"description": "Default -facts."}
    )
    include_deprecated = fields.Boolean(load_default=False, metadata=_INCLUDE_DEPRECATED)


class DyadSummaryArgs(QueryArgs):
    include_deprecated = fields.Boolean(load_default=False, metadata=_INCLUDE_DEPRECATED)


class TimelineArgs(QueryArgs):
    bucket = fields.String(load_default="year", validate=validate.OneOf(["year", "month"]))
    type = CommaList(fields.String(validate=validate.OneOf(tuple(FACT_TYPES))))
    from_ = DateParam(data_key="from")
    to = DateParam()
    include_deprecated = fields.Boolean(load_default=False, metadata=_INCLUDE_DEPRECATED)


class FigureArgs(QueryArgs):
    include_deprecated = fields.Boolean(
        load_default=False,
        metadata={"description": "Count deprecated facts in the disagreement too."},
    )


class FigureListArgs(FigureArgs):
    dyad = CommaList(
        fields.String(validate=CODE),
        required=True,
        validate=validate.Length(equal=2),
        metadata={
            "description": "Two different party codes, unordered." + UNKNOWN_CODE,
            "uniqueItems": True,
        },
    )
    type = CommaList(fields.String(validate=validate.OneOf(tuple(FACT_TYPES))))
    several = fields.Boolean(
        load_default=False,
        metadata={"description": "Only figures that more than one fact reports."},
    )


class CitationArgs(QueryArgs):
    format = fields.String(
        validate=validate.OneOf(("csl-json", "bibtex", "ris")),
        metadata={"description": "Instead of Accept: csl-json, bibtex or ris."},
    )
    version = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The revision to cite (default: the latest one you may read)."},
    )


class NoArgs(QueryArgs):
    """An endpoint that takes no query parameters."""


class SuggestionStatsArgs(QueryArgs):
    extractor = fields.String(
        validate=validate.Length(min=1, max=40),
        metadata={**TEXT, "description": "Only suggestions made by these rules (e.g. rules-1)."},
    )
