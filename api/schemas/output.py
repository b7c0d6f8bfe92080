"""Documented response shapes (OpenAPI); a fact's comes from ``api.fact_document``.

Parties, actors, dyads, the vocabulary and the index are in ``catalog_output``.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from .. import fact_document
from .presence import always, sparse


@always()
class SourceSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String(allow_none=True)
    outlet = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    published = fields.String(
        allow_none=True, metadata={"description": "YYYY, YYYY-MM or YYYY-MM-DD, or null."}
    )
    canonical_id = fields.Integer(allow_none=True)


def _fact_schema_fields() -> dict[str, fields.Field]:
    """The documented fields of a fact, in order, from the one fact document."""
    found: dict[str, fields.Field] = {}
    for field in fact_document.FIELDS:
        if field.parts:
            name = {"actors": "FactActorSchema", "evidence": "EvidenceSchema"}[field.name]
            part = Schema.from_dict({n: f for n, _, f in field.parts}, name=name)
            found[field.name] = fields.List(fields.Nested(always()(part)))
        else:
            assert field.schema is not None, field.name
            found[field.name] = field.schema
    return found


class FactSchema(Schema):
    """A fact as served: its fields are those of ``api.fact_document.FIELDS``."""


FactSchema._declared_fields.update(_fact_schema_fields())
always()(FactSchema)


@always()
class LinkedFactSchema(Schema):
    id = fields.Integer()
    type = fields.String()
    date = fields.String(allow_none=True)
    summary = fields.String()
    status = fields.String()


@always("direction", "fact")
class FactLinkSchema(Schema):
    id = fields.Integer()
    from_fact_id = fields.Integer()
    relation = fields.String(
        metadata={
            "description": "fulfils, follows_up, supersedes, contradicts, same_event, part_of"
        }
    )
    to_fact_id = fields.Integer()
    note = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "active or removed"})
    version = fields.Integer()
    created_by = fields.String(allow_none=True)
    created_at = fields.String()
    removed_by = fields.String(allow_none=True)
    removed_at = fields.String(allow_none=True)
    direction = fields.String(
        metadata={"description": "outgoing (this fact is from) or incoming (this fact is to)"}
    )
    fact = fields.Nested(LinkedFactSchema, metadata={"description": "The other fact, in brief."})


@always()
class FactLinkListSchema(Schema):
    data = fields.List(fields.Nested(FactLinkSchema))


@always()
class ChainStepSchema(LinkedFactSchema):
    links = fields.List(
        fields.Dict(),
        metadata={
            "description": "The fulfils/follows_up links from this fact: link_id, relation, to."
        },
    )


@always()
class ChainSchema(Schema):
    data = fields.List(fields.Nested(ChainStepSchema))


@always()
class FactDetailSchema(FactSchema):
    sources = fields.List(fields.Nested(SourceSummarySchema))
    links = fields.List(
        fields.Nested(FactLinkSchema),
        metadata={
            "description": "Active links to and from published facts, both ways (for a fact "
            "as of a past time, the links active then)."
        },
    )


@sparse("id")
class FactListItemSchema(FactSchema):
    """A fact in a list: a sparse fieldset (``fields=``) keeps the id and the fields asked."""


@always()
class LinksSchema(Schema):
    self = fields.String()
    next = fields.String(allow_none=True)


@always("total")
class MetaSchema(Schema):
    limit = fields.Integer()
    total = fields.Integer()


@always()
class FactListSchema(Schema):
    data = fields.List(fields.Nested(FactListItemSchema))
    links = fields.Nested(LinksSchema)
    meta = fields.Nested(MetaSchema)


@always()
class AuthorSchema(Schema):
    name = fields.String()
    credit = fields.String(
        allow_none=True, metadata={"description": "reporting, writing, editing, byline…"}
    )


@always("raw")
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


@always("errors", "suggestions", "existing", "history", "acceptable", "decision", "fact")
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
    acceptable = fields.List(
        fields.String(), metadata={"description": "For a 406: the media types that can be sent."}
    )
    decision = fields.String(
        metadata={"description": "For a suggestion already decided (409): accepted or rejected."}
    )
    fact = fields.String(
        metadata={"description": "For a suggestion already accepted (409): the fact it became."}
    )


@sparse("id")
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


@always()
class SourceListSchema(Schema):
    data = fields.List(fields.Nested(SourceListItemSchema))
    links = fields.Nested(LinksSchema)
    meta = fields.Nested(MetaSchema)


@always()
class RevisionSchema(Schema):
    id = fields.Integer()
    version = fields.Integer()
    action = fields.String(
        metadata={"description": "create, update, publish, retract; accept or reject (suggestion)"}
    )
    author = fields.String(
        allow_none=True,
        metadata={"description": "The token name that made the change (null without a token)."},
    )
    created_at = fields.DateTime()
    changes = fields.Dict(allow_none=True, metadata={"description": "field: {from, to}"})
    snapshot = fields.Dict(metadata={"description": "The full representation after the change."})


@always()
class RevisionListSchema(Schema):
    data = fields.List(fields.Nested(RevisionSchema))


@always()
class ChangeSchema(Schema):
    seq = fields.Integer(metadata={"description": "Grows with every change, in commit order."})
    entity = fields.String(metadata={"description": "fact, source or suggestion"})
    id = fields.Integer()
    action = fields.String(
        metadata={"description": "create, update, publish, retract; accept or reject (suggestion)"}
    )
    version = fields.Integer()
    author = fields.String(allow_none=True, metadata={"description": "Token name (with a token)."})
    created_at = fields.DateTime()
    data = fields.Dict(metadata={"description": "The full representation after the change."})


@always()
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


@always()
class ChangeListSchema(Schema):
    data = fields.List(fields.Nested(ChangeSchema))
    links = fields.Nested(LinksSchema)
    meta = fields.Nested(ChangeMetaSchema)


@always()
class CueSchema(Schema):
    """What in the text led to one field of a suggestion (offsets into the source's body)."""

    field = fields.String(metadata={"description": "The field it supports: type, subject, ..."})
    text = fields.String(allow_none=True)
    start = fields.Integer(allow_none=True)
    end = fields.Integer(allow_none=True)
    why = fields.String()


@always()
class SuggestedEvidenceSchema(Schema):
    quote = fields.String()
    start = fields.Integer()
    end = fields.Integer()


@always()
class SuggestedActorSchema(Schema):
    actor = fields.String(metadata={"description": "Actor key."})
    role = fields.String()


@always()
class SuggestedFactSchema(Schema):
    """A candidate fact in the shape of POST /api/v1/facts."""

    type = fields.String()
    subject = fields.String()
    counterpart = fields.String()
    other_parties = fields.List(fields.String())
    date = fields.String(allow_none=True)
    date_precision = fields.String()
    date_basis = fields.String(allow_none=True)
    value = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    value_qualifier = fields.String(allow_none=True)
    summary = fields.String()
    attributes = fields.Dict()
    actors = fields.List(fields.Nested(SuggestedActorSchema))
    evidence = fields.List(fields.Nested(SuggestedEvidenceSchema))


@always()
class SuggestionSchema(Schema):
    id = fields.Integer()
    source_id = fields.Integer()
    status = fields.String(metadata={"description": "open, accepted or rejected."})
    version = fields.Integer(metadata={"description": "1, and 2 once decided."})
    confidence = fields.Float(metadata={"description": "0-1."})
    fact = fields.Nested(SuggestedFactSchema)
    cues = fields.List(fields.Nested(CueSchema))
    fact_id = fields.Integer(allow_none=True, metadata={"description": "The fact it became."})
    overrides = fields.List(
        fields.String(),
        allow_none=True,
        metadata={"description": "The fields a curator changed on accepting it."},
    )
    reason = fields.String(allow_none=True, metadata={"description": "Why it was rejected."})
    decided_by = fields.String(allow_none=True, metadata={"description": "Token name."})
    decided_at = fields.DateTime(allow_none=True)
    extractor = fields.String(metadata={"description": "The rules that made it."})
    created_at = fields.DateTime()


@always()
class SuggestionListLinksSchema(Schema):
    self = fields.String()


@always()
class SuggestionListMetaSchema(Schema):
    total = fields.Integer()


@always()
class SuggestionListSchema(Schema):
    data = fields.List(fields.Nested(SuggestionSchema))
    links = fields.Nested(SuggestionListLinksSchema)
    meta = fields.Nested(SuggestionListMetaSchema)


@always()
class TypeDecisionsSchema(Schema):
    type = fields.String()
    accepted = fields.Integer()
    rejected = fields.Integer()
    precision = fields.Float(allow_none=True, metadata={"description": "accepted / decided."})


@always()
class CueDecisionsSchema(Schema):
    field = fields.String(metadata={"description": "The field the cue gave: type, date, ..."})
    why = fields.String(metadata={"description": "The extractor's reason: demonym, inferred, ..."})
    accepted = fields.Integer(metadata={"description": "Accepted with this field as suggested."})
    corrected = fields.Integer(metadata={"description": "Accepted with this field changed."})
    rejected = fields.Integer(metadata={"description": "The suggestion was rejected."})
    precision = fields.Float(
        allow_none=True, metadata={"description": "accepted / (accepted + corrected + rejected)."}
    )


@always()
class SuggestionStatsDataSchema(Schema):
    extractor = fields.String(allow_none=True, metadata={"description": "As asked; null: all."})
    total = fields.Integer()
    open = fields.Integer()
    accepted = fields.Integer()
    rejected = fields.Integer()
    precision = fields.Float(allow_none=True, metadata={"description": "accepted / decided."})
    by_type = fields.List(fields.Nested(TypeDecisionsSchema))
    by_cue = fields.List(fields.Nested(CueDecisionsSchema))


@always()
class SuggestionStatsSchema(Schema):
    data = fields.Nested(SuggestionStatsDataSchema)


@always()
class FigureSourceSchema(Schema):
    id = fields.Integer()
    outlet = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    published = fields.String(allow_none=True)


@always()
class ConvertedValueSchema(Schema):
    value = fields.String()
    unit = fields.String()


@always()
class FigureFactSchema(Schema):
    fact_id = fields.Integer()
    value = fields.String()
    unit = fields.String()
    value_qualifier = fields.String()
    converted = fields.Nested(
        ConvertedValueSchema,
        allow_none=True,
        metadata={"description": "The value in the figure's unit, where this fact's differs."},
    )
    date = fields.String()
    date_precision = fields.String()
    rank = fields.String()
    rank_reason = fields.String(allow_none=True)
    summary = fields.String()
    quotes = fields.List(fields.String())
    sources = fields.List(fields.Nested(FigureSourceSchema))
    independent_source_count = fields.Integer()


_FIGURE_FIELDS: dict[str, fields.Field] = {
    "key": fields.String(metadata={"description": "type:measure:parties:period:unit"}),
    "type": fields.String(),
    "measure": fields.String(allow_none=True),
    "parties": fields.String(metadata={"description": "A-B, or A-to-B where it points one way"}),
    "period": fields.String(),
    "unit": fields.String(),
    "fact_count": fields.Integer(),
    "preferred_fact_id": fields.Integer(allow_none=True),
    "disagree": fields.Boolean(
        metadata={"description": "No one number fits every value as its qualifier reads it."}
    ),
    "ratio": fields.String(
        allow_none=True, metadata={"description": "The largest value over the smallest."}
    ),
}


@always()
class FigureSummarySchema(Schema.from_dict(_FIGURE_FIELDS)):  # type: ignore[misc]
    fact_ids = fields.List(fields.Integer())


@always()
class FigureListSchema(Schema):
    data = fields.List(fields.Nested(FigureSummarySchema))


@always()
class FigureSchema(Schema.from_dict(_FIGURE_FIELDS)):  # type: ignore[misc]
    facts = fields.List(fields.Nested(FigureFactSchema))
