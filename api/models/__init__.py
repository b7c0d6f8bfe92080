"""The data model (see docs/data-model.md)."""

from .actor import Actor, ActorRole
from .audit import ApiToken, Change, DataState, FactVersion, IdempotencyKey, Revision
from .base import Base
from .fact import Evidence, Fact, FactActor, FactLink, FactParty
from .party import Party, PartyMembership
from .source import Source, SourceBand
from .suggestion import SUGGESTION_STATUSES, Suggestion

__all__ = [
    "SUGGESTION_STATUSES",
    "Actor",
    "ActorRole",
    "ApiToken",
    "Base",
    "Change",
    "DataState",
    "Evidence",
    "Fact",
    "FactActor",
    "FactLink",
    "FactParty",
    "FactVersion",
    "IdempotencyKey",
    "Party",
    "PartyMembership",
    "Revision",
    "Source",
    "SourceBand",
    "Suggestion",
]
