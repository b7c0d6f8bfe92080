"""Query-string schemas: unknown parameters are rejected, never ignored."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates

from ..vocabulary import FACT_TYPES

CODE = validate.Regexp(r"^[A-Za-z0-9+]{2,16}$", error="Not a party code.")


class QueryArgs(Schema):
    class Meta:
        unknown = RAISE


class CommaList(fields.List):
    """A list given as repeated parameters and/or comma-separated values."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[Any]:
        items = value if isinstance(value, list) else [value]
        split = [part.strip() for item in items for part in str(item).split(",")]
        return super()._deserialize(split, attr, data, **kwargs)


class FactListArgs(QueryArgs):
    type = CommaList(
        fields.String(validate=validate.OneOf(tuple(FACT_TYPES))),
        metadata={"description": "Fact type(s); repeat or comma-separate."},
    )
    subject = fields.String(validate=CODE)
    counterpart = fields.String(validate=CODE)
    party = fields.String(validate=CODE, metadata={"description": "Either side or among others."})
    dyad = CommaList(
        fields.String(validate=CODE),
        metadata={"description": "Two party codes, unordered: RUS,IRQ."},
    )
    limit = fields.Integer(
        load_default=50, validate=validate.Range(min=1, max=500),
        metadata={"description": "Page size, 1 to 500."},
    )  # fmt: skip

    @validates("dyad")
    def _two(self, value: list[str], **_: Any) -> None:
        if len(value) != 2 or value[0].upper() == value[1].upper():
            raise ValidationError("Give exactly two different party codes: dyad=RUS,IRQ.")


class SourceArgs(QueryArgs):
    include = CommaList(
        fields.String(validate=validate.OneOf(["raw"])),
        metadata={"description": "include=raw adds the exact text received."},
    )


class NoArgs(QueryArgs):
    """An endpoint that takes no query parameters."""
