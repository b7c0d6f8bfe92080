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


class ProblemSchema(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String(allow_none=True)
    errors = fields.Dict(metadata={"description": "Field name to messages."})
    suggestions = fields.Dict(
        metadata={"description": "For an unknown code: parameter name to the closest known codes."}
    )
    existing = fields.String(
        metadata={"description": "For a key already in use (409): the URL of the fact that has it."}
    )
    history = fields.String(metadata={"description": "For a retracted fact (410): its history."})


class SourceListItemSchema(SourceSummarySchema):
    published_precision = fields.String()
    published_basis = fields.String(allow_none=True)
    authors = fields.List(fields.Nested(AuthorSchema))
    dateline = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    file_name = fields.String(allow_none=True)
    sha256 = fields.String()
    similarity = fields.Float(allow_none=True)
    version = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class SourceListSchema(Schema):
    data = fields.List(fields.Nested(SourceListItemSchema))
    links = fields.Nested(LinksSchema)
    meta = fields.Nested(MetaSchema)


class PartySchema(Schema):
    code = fields.String()
    name = fields.String()
    official_name = fields.String(allow_none=True)
    kind = fields.String()
    alpha2 = fields.String(allow_none=True)
    numeric = fields.String(allow_none=True)
    fact_count = fields.Integer(metadata={"description": "Published facts on either side."})
    partner_count = fields.Integer(metadata={"description": "Distinct counterparts."})


class PartyListSchema(Schema):
    data = fields.List(fields.Nested(PartySchema))
    links = fields.Nested(LinksSchema)
    meta = fields.Nested(MetaSchema)


class MembershipSchema(Schema):
    organization = fields.String()
    start = fields.String(allow_none=True)
    end = fields.String(allow_none=True)


class MemberSchema(Schema):
    party = fields.String()
    start = fields.String(allow_none=True)
    end = fields.String(allow_none=True)


class PartnerSchema(Schema):
    code = fields.String()
    name = fields.String()
    fact_count = fields.Integer()


class PartyDetailSchema(PartySchema):
    memberships = fields.List(fields.Nested(MembershipSchema))
    members = fields.List(fields.Nested(MemberSchema))
    partners = fields.List(fields.Nested(PartnerSchema))


class RoleSchema(Schema):
    title = fields.String()
    party = fields.String(allow_none=True)
    start = fields.String(allow_none=True)
    end = fields.String(allow_none=True, metadata={"description": "null while held"})


class ActorSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    name = fields.String()
    kind = fields.String()
    aliases = fields.List(fields.String())
    roles = fields.List(fields.Nested(RoleSchema))


class ActorListSchema(Schema):
    data = fields.List(fields.Nested(ActorSchema))
    links = fields.Nested(LinksSchema)
    meta = fields.Nested(MetaSchema)


class DyadSchema(Schema):
    pair = fields.String(metadata={"description": "A-B, codes in alphabetical order."})
    parties = fields.List(fields.String())
    fact_count = fields.Integer()
    first_date = fields.String(allow_none=True)
    last_date = fields.String(allow_none=True)


class DyadListSchema(Schema):
    data = fields.List(fields.Nested(DyadSchema))
    links = fields.Nested(LinksSchema)
    meta = fields.Nested(MetaSchema)


class LatestValueSchema(Schema):
    fact_id = fields.Integer()
    value = fields.String()
    unit = fields.String()
    value_qualifier = fields.String()
    date = fields.String()


class DyadSummarySchema(Schema):
    pair = fields.String()
    parties = fields.List(fields.String())
    fact_count = fields.Integer()
    by_type = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_year = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_direction = fields.Dict(keys=fields.String(), values=fields.Integer())
    first_date = fields.String(allow_none=True)
    last_date = fields.String(allow_none=True)
    latest_values = fields.Dict(keys=fields.String(), values=fields.Nested(LatestValueSchema))
    source_count = fields.Integer()
    independent_source_count = fields.Integer(
        metadata={"description": "Sources counted once per story (near-duplicates merged)."}
    )


class TimelinePointSchema(Schema):
    period = fields.String()
    count = fields.Integer()
    by_type = fields.Dict(keys=fields.String(), values=fields.Integer())


class TimelineMetaSchema(Schema):
    types = fields.List(fields.String())
    undated = fields.Integer()
    too_coarse = fields.Integer(
        metadata={"description": "Facts dated less precisely than the bucket."}
    )


class TimelineSchema(Schema):
    pair = fields.String()
    bucket = fields.String()
    data = fields.List(fields.Nested(TimelinePointSchema))
    meta = fields.Nested(TimelineMetaSchema)


class FactTypeSchema(Schema):
    name = fields.String()
    definition = fields.String()
    direction = fields.String()
    attributes = fields.Dict(metadata={"description": "JSON Schema of the type's attributes."})


class FactTypeListSchema(Schema):
    data = fields.List(fields.Nested(FactTypeSchema))


class IndexSchema(Schema):
    api = fields.String()
    version = fields.String()
    data_version = fields.Integer()
    data_changed_at = fields.String(allow_none=True)
    links = fields.Dict(keys=fields.String(), values=fields.String())


class RevisionSchema(Schema):
    id = fields.Integer()
    version = fields.Integer()
    action = fields.String(metadata={"description": "create, update, publish or retract"})
    author = fields.String(
        allow_none=True,
        metadata={"description": "The token name that made the change (null without a token)."},
    )
    created_at = fields.DateTime()
    changes = fields.Dict(allow_none=True, metadata={"description": "field: {from, to}"})
    snapshot = fields.Dict(metadata={"description": "The full representation after the change."})


class RevisionListSchema(Schema):
    data = fields.List(fields.Nested(RevisionSchema))


class ChangeSchema(Schema):
    seq = fields.Integer(metadata={"description": "Grows with every change, in commit order."})
    entity = fields.String(metadata={"description": "fact or source"})
    id = fields.Integer()
    action = fields.String(metadata={"description": "create, update, publish or retract"})
    version = fields.Integer()
    author = fields.String(allow_none=True, metadata={"description": "Token name (with a token)."})
    created_at = fields.DateTime()
    data = fields.Dict(metadata={"description": "The full representation after the change."})


class ChangeMetaSchema(Schema):
    limit = fields.Integer()
    since = fields.Integer(metadata={"description": "The `since` this page was asked for."})
    last_seq = fields.Integer(
        metadata={
            "description": "The resume point: the seq of this page's last change (`since` when "
            "the page is empty). Store it and ask for `since=last_seq` next; `links.next` is "
            "that URL."
        }
    )
    head_seq = fields.Integer(
        metadata={
            "description": "The newest seq in the whole feed when this page was read (progress "
            "only: never resume from it)."
        }
    )
    has_more = fields.Boolean(
        metadata={"description": "Whether changes after this page existed when it was read."}
    )


class ChangeListSchema(Schema):
    data = fields.List(fields.Nested(ChangeSchema))
    links = fields.Nested(LinksSchema)
    meta = fields.Nested(ChangeMetaSchema)


# The served fact's fields, in order: CSV columns and sparse fieldsets follow it.
FACT_FIELDS = tuple(FactSchema().fields)
