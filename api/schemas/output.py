"""Documented response shapes (OpenAPI); views build the same shapes from snapshots."""

from __future__ import annotations

from marshmallow import Schema, fields


class EvidenceSchema(Schema):
    id = fields.Integer()
    source_id = fields.Integer()
    quote = fields.String(metadata={"description": "The quoted passage, as curated."})
    start = fields.Integer(
        metadata={"description": "Offset (Unicode code points) in the source body."}
    )
    end = fields.Integer(metadata={"description": "End offset (exclusive) in the source body."})
    verified = fields.Boolean()


class FactActorSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    name = fields.String()
    role = fields.String(metadata={"description": "The role the actor acted in."})


class SourceSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String(allow_none=True)
    outlet = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    published = fields.String(
        allow_none=True, metadata={"description": "YYYY, YYYY-MM or YYYY-MM-DD, or null."}
    )
    canonical_id = fields.Integer(allow_none=True)


class FactSchema(Schema):
    id = fields.Integer()
    key = fields.String(allow_none=True)
    type = fields.String()
    subject = fields.String()
    counterpart = fields.String()
    other_parties = fields.List(fields.String())
    date = fields.String(allow_none=True, metadata={"description": "At its precision."})
    date_start = fields.Date(allow_none=True)
    date_end = fields.Date(allow_none=True)
    date_precision = fields.String()
    date_basis = fields.String(allow_none=True)
    value = fields.String(
        allow_none=True, metadata={"description": "Exact decimal as a string, e.g. 2000000000."}
    )
    unit = fields.String(allow_none=True)
    value_qualifier = fields.String(allow_none=True)
    summary = fields.String()
    attributes = fields.Dict()
    actors = fields.List(fields.Nested(FactActorSchema))
    evidence = fields.List(fields.Nested(EvidenceSchema))
    status = fields.String()
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class FactDetailSchema(FactSchema):
    sources = fields.List(fields.Nested(SourceSummarySchema))


class LinksSchema(Schema):
    self = fields.String()
    next = fields.String(allow_none=True)


class MetaSchema(Schema):
    limit = fields.Integer()
    total = fields.Integer()


class FactListSchema(Schema):
    data = fields.List(fields.Nested(FactSchema))
    links = fields.Nested(LinksSchema)
    meta = fields.Nested(MetaSchema)


class AuthorSchema(Schema):
    name = fields.String()
    credit = fields.String(metadata={"description": "reporting, writing, editing, byline…"})


class SourceSchema(SourceSummarySchema):
    published_precision = fields.String()
    published_basis = fields.String(allow_none=True)
    authors = fields.List(fields.Nested(AuthorSchema))
    dateline = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    file_name = fields.String(allow_none=True)
    sha256 = fields.String()
    similarity = fields.Float(allow_none=True)
    body = fields.String()
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    duplicates = fields.List(fields.Nested(SourceSummarySchema))
    raw = fields.String(metadata={"description": "Exact text received; only with include=raw."})
