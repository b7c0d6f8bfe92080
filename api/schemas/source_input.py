"""Input schemas for sources: a new article, and metadata edits."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, pre_load, validate

from ..models.base import DATE_BASES, DATE_PRECISIONS
from .fact_input import StrictSchema


class AuthorField(fields.Field):
    """An author as a name, or as {"name", "credit"}."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, Any]:
        if isinstance(value, str) and value.strip():
            return {"name": value.strip(), "credit": None}
        if isinstance(value, dict) and set(value) <= {"name", "credit"}:
            name, credit = value.get("name"), value.get("credit")
            if (
                isinstance(name, str)
                and name.strip()
                and (credit is None or isinstance(credit, str))
            ):
                return {"name": name.strip(), "credit": credit}
        raise ValidationError('An author is a name or {"name": ..., "credit": ...}.')


class SourceMetadataSchema(StrictSchema):
    title = fields.String(allow_none=True, validate=validate.Length(max=500))
    outlet = fields.String(allow_none=True, validate=validate.Length(max=200))
    url = fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=2000))
    published = fields.String(
        allow_none=True, metadata={"description": "YYYY, YYYY-MM or YYYY-MM-DD (null: unknown)."}
    )
    published_precision = fields.String(validate=validate.OneOf(DATE_PRECISIONS))
    published_basis = fields.String(validate=validate.OneOf(DATE_BASES))
    authors = fields.List(AuthorField(), validate=validate.Length(max=100))
    language = fields.String(allow_none=True, validate=validate.Length(min=2, max=16))


class SourceInSchema(SourceMetadataSchema):
    body = fields.String(
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "The article as received, in any layout the importer reads."},
    )


class SourcePatchSchema(SourceMetadataSchema):
    @pre_load
    def _text_is_fixed(self, data: Any, **_: Any) -> Any:
        if isinstance(data, dict) and ({"body", "raw"} & set(data)):
            raise ValidationError(
                {
                    "body": [
                        "A source's text never changes; import the corrected text as a new source."
                    ]
                }
            )
        return data


class SourceQueryMetadataSchema(StrictSchema):
    """Metadata as query parameters, for a text/plain article."""

    title = fields.String(validate=validate.Length(max=500))
    outlet = fields.String(validate=validate.Length(max=200))
    url = fields.Url(schemes={"http", "https"}, validate=validate.Length(max=2000))
    published = fields.String()
    published_precision = fields.String(validate=validate.OneOf(DATE_PRECISIONS))
    published_basis = fields.String(validate=validate.OneOf(DATE_BASES))
    language = fields.String(validate=validate.Length(min=2, max=16))
