"""Input schema of a fact, shared by the fixture loader and the write API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from ..models.base import DATE_BASES, DATE_PRECISIONS
from ..vocabulary import FACT_RANKS, FACT_STATUSES, FACT_TYPES, LINK_RELATIONS, VALUE_QUALIFIERS
from .text_checks import check_storable

CODE = validate.Regexp(r"^[A-Za-z0-9+]{2,16}$", error="Not a party code.")
MAX_SIGNIFICANT_DIGITS = 15  # stored exactly on both SQLite (REAL) and PostgreSQL (NUMERIC)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE

    @pre_load
    def _storable(self, data: Any, **_: Any) -> Any:
        check_storable(data)
        return data


class ExactDecimal(fields.Decimal):
    """A decimal given as a JSON string or number, kept exact, of bounded precision."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, float):
            value = repr(value)  # shortest round-trip text of a JSON number
        result: Decimal = super()._deserialize(value, attr, data, **kwargs)
        if not result.is_finite():
            raise ValidationError("Not a finite number.")
        # Inspect the digits without normalize(), which overflows on exponents like 1E+999999999.
        _sign, digit_tuple, exponent = result.as_tuple()
        digit_list = list(digit_tuple)
        while len(digit_list) > 1 and digit_list[-1] == 0 and isinstance(exponent, int):
            digit_list.pop()
            exponent += 1
        zero = not any(digit_list)
        too_precise = not zero and (
            len(digit_list) > MAX_SIGNIFICANT_DIGITS
            or (isinstance(exponent, int) and exponent < -6)
        )
        if too_precise or (not zero and result.adjusted() >= MAX_SIGNIFICANT_DIGITS):
            raise ValidationError(
                f"At most {MAX_SIGNIFICANT_DIGITS} significant digits, 6 decimal places, "
                f"and less than 10^{MAX_SIGNIFICANT_DIGITS} in size."
            )
        return result


class EvidenceInSchema(StrictSchema):
    source_id = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1)
    )
    quote = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    start = fields.Integer(strict=True, validate=validate.Range(min=0))
    end = fields.Integer(strict=True, validate=validate.Range(min=0))


class FactActorInSchema(StrictSchema):
    actor = fields.Raw(required=True, metadata={"description": "Actor key or id."})
    role = fields.String(required=True, validate=validate.Length(min=1, max=200))


class FactInSchema(StrictSchema):
    key = fields.String(allow_none=True, validate=validate.Length(min=1, max=200))
    type = fields.String(required=True, validate=validate.OneOf(tuple(FACT_TYPES)))
    subject = fields.String(required=True, validate=CODE)
    counterpart = fields.String(required=True, validate=CODE)
    other_parties = fields.List(fields.String(validate=CODE), load_default=list)
    date = fields.String(allow_none=True, load_default=None)
    date_precision = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(DATE_PRECISIONS)
    )
    date_basis = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(DATE_BASES)
    )
    value = ExactDecimal(allow_none=True, load_default=None)
    unit = fields.String(allow_none=True, load_default=None, validate=validate.Length(1, 32))
    value_qualifier = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(VALUE_QUALIFIERS)
    )
    summary = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    attributes = fields.Dict(keys=fields.String(), load_default=dict)
    actors = fields.List(fields.Nested(FactActorInSchema), load_default=list)
    status = fields.String(load_default="draft", validate=validate.OneOf(FACT_STATUSES[:2]))
    rank = fields.String(
        load_default="normal",
        validate=validate.OneOf(FACT_RANKS),
        metadata={"description": "preferred and deprecated need a rank_reason."},
    )
    rank_reason = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(min=1, max=2000)
    )
    evidence = fields.List(fields.Nested(EvidenceInSchema), load_default=list)

    @validates_schema
    def _value_needs_unit(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data.get("value") is not None:
            if not data.get("unit"):
                errors["unit"] = ["A value needs a unit."]
            if not data.get("value_qualifier"):
                errors["value_qualifier"] = ["A value needs a qualifier."]
        else:
            for name in ("unit", "value_qualifier"):
                if data.get(name) is not None:
                    errors[name] = ["Only with a value."]
        if errors:
            raise ValidationError(errors)


class FactPatchSchema(FactInSchema):
    """Any subset of a fact's fields; the merged result is validated as a whole."""

    status = fields.String(validate=validate.OneOf(FACT_STATUSES[:2]))
    rank = fields.String(validate=validate.OneOf(FACT_RANKS))

    def _value_needs_unit(self, data: dict[str, Any], **_: Any) -> None:
        """Checked after merging with the stored fact, not on the patch alone."""


class SuggestionAcceptSchema(FactPatchSchema):
    """The fields of a suggested fact a curator changes on accepting it (all optional)."""

    status = fields.String(
        validate=validate.OneOf(["draft"]),
        metadata={"description": "An accepted suggestion is a draft; publish it with PATCH."},
    )


class SuggestionRejectSchema(StrictSchema):
    reason = fields.String(
        allow_none=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"description": "Why the suggestion is wrong (kept with it and counted)."},
    )


class LinkInSchema(StrictSchema):
    relation = fields.String(
        required=True,
        validate=validate.OneOf(tuple(LINK_RELATIONS)),
        metadata={"description": "This fact <relation> the fact `to` (see GET /facts/{id}/links)."},
    )
    to = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    note = fields.String(allow_none=True, validate=validate.Length(min=1, max=2000))
