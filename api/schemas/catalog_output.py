"""Documented response shapes of the catalog: parties, actors, dyads and their timelines,
the fact-type vocabulary and the index (see ``output`` for facts, sources and problems)."""

from __future__ import annotations

from marshmallow import Schema, fields

from .output import LinksSchema, MetaSchema
from .presence import always, sparse


@always()
class PartySchema(Schema):
    code = fields.String()
    name = fields.String()
    official_name = fields.String(allow_none=True)
    kind = fields.String()
    alpha2 = fields.String(allow_none=True)
    numeric = fields.String(allow_none=True)
    fact_count = fields.Integer(metadata={"description": "Published facts on either side."})
    partner_count = fields.Integer(metadata={"description": "Distinct counterparts."})


@sparse("code")
class PartyListItemSchema(PartySchema):
    """A party in a list: a sparse fieldset (``fields=``) keeps ``code`` and the fields asked."""


@always()
class PartyListSchema(Schema):
    data = fields.List(fields.Nested(PartyListItemSchema))
    links = fields.Nested(LinksSchema)
    meta = fields.Nested(MetaSchema)


@always()
class MembershipSchema(Schema):
    organization = fields.String()
    start = fields.String(allow_none=True)
    end = fields.String(allow_none=True)


@always()
class MemberSchema(Schema):
    party = fields.String()
    start = fields.String(allow_none=True)
    end = fields.String(allow_none=True)


@always()
class PartnerSchema(Schema):
    code = fields.String()
    name = fields.String()
    fact_count = fields.Integer()


@always()
class PartyDetailSchema(PartySchema):
    memberships = fields.List(fields.Nested(MembershipSchema))
    members = fields.List(fields.Nested(MemberSchema))
    partners = fields.List(fields.Nested(PartnerSchema))


@always()
class RoleSchema(Schema):
    title = fields.String()
    party = fields.String(allow_none=True)
    start = fields.String(allow_none=True)
    end = fields.String(allow_none=True, metadata={"description": "null while held"})


@always()
class ActorSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    name = fields.String()
    kind = fields.String()
    aliases = fields.List(fields.String())
    roles = fields.List(fields.Nested(RoleSchema))


@sparse("id")
class ActorListItemSchema(ActorSchema):
    """A actor in a list: a sparse fieldset (``fields=``) keeps ``id`` and the fields asked."""


@always()
class ActorListSchema(Schema):
    data = fields.List(fields.Nested(ActorListItemSchema))
    links = fields.Nested(LinksSchema)
    meta = fields.Nested(MetaSchema)


@always()
class DyadSchema(Schema):
    pair = fields.String(metadata={"description": "A-B, codes in alphabetical order."})
    parties = fields.List(fields.String())
    fact_count = fields.Integer()
    first_date = fields.String(allow_none=True)
    last_date = fields.String(allow_none=True)


@sparse("pair")
class DyadListItemSchema(DyadSchema):
    """A dyad in a list: a sparse fieldset (``fields=``) keeps ``pair`` and the fields asked."""


@always()
class DyadListSchema(Schema):
    data = fields.List(fields.Nested(DyadListItemSchema))
    links = fields.Nested(LinksSchema)
    meta = fields.Nested(MetaSchema)


@always()
class LatestValueSchema(Schema):
    fact_id = fields.Integer()
    value = fields.String()
    unit = fields.String()
    value_qualifier = fields.String()
    date = fields.String()
    rank = fields.String(metadata={"description": "The chosen fact's rank."})
    chosen = fields.String(
        metadata={
            "description": "preferred: the curator's preferred fact of the type; latest: no "
            "preferred fact has a value, so the newest one."
        }
    )


@always()
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
    deprecated_count = fields.Integer(
        metadata={"description": "Deprecated facts left out of the counts (0 when included)."}
    )
    include_deprecated = fields.Boolean()


@always()
class TimelinePointSchema(Schema):
    period = fields.String()
    count = fields.Integer()
    by_type = fields.Dict(keys=fields.String(), values=fields.Integer())


@always()
class TimelineMetaSchema(Schema):
    types = fields.List(fields.String())
    undated = fields.Integer()
    too_coarse = fields.Integer(
        metadata={"description": "Facts dated less precisely than the bucket."}
    )


@always()
class TimelineSchema(Schema):
    pair = fields.String()
    bucket = fields.String()
    data = fields.List(fields.Nested(TimelinePointSchema))
    meta = fields.Nested(TimelineMetaSchema)


@always()
class EventCodesSchema(Schema):
    plover = fields.String(allow_none=True)
    plover_mode = fields.String(allow_none=True)
    plover_context = fields.String(allow_none=True)
    cameo = fields.String(allow_none=True)
    cameo_root = fields.String(allow_none=True)
    note = fields.String(metadata={"description": "Why these codes (or none)."})


@always()
class RefinedEventCodesSchema(EventCodesSchema):
    value = fields.Raw(metadata={"description": "The attribute's value (a string or a boolean)."})


@always()
class TypeEventCodesSchema(Schema):
    default = fields.Nested(EventCodesSchema)
    refined_by = fields.String(
        allow_none=True, metadata={"description": "The attribute whose value refines them."}
    )
    values = fields.List(fields.Nested(RefinedEventCodesSchema))


@always()
class FactTypeSchema(Schema):
    name = fields.String()
    definition = fields.String()
    direction = fields.String()
    attributes = fields.Dict(metadata={"description": "JSON Schema of the type's attributes."})
    event_codes = fields.Nested(
        TypeEventCodesSchema,
        metadata={"description": "PLOVER and CAMEO codes (docs/event-codes.md)."},
    )


@always()
class FactTypeListSchema(Schema):
    data = fields.List(fields.Nested(FactTypeSchema))


@always()
class IndexSchema(Schema):
    api = fields.String()
    version = fields.String()
    data_version = fields.Integer()
    data_changed_at = fields.String(allow_none=True)
    links = fields.Dict(keys=fields.String(), values=fields.String())
