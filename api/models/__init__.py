"""The data model (see docs/data-model.md)."""

from .actor import Actor, ActorRole
from .audit import ApiToken, Change, DataState, IdempotencyKey, Revision
from .base import Base
from .fact import Evidence, Fact, FactActor, FactParty
from .party import Party, PartyMembership
from .source import Source, SourceBand

__all__ = [
    "Actor",
    "ActorRole",
    "ApiToken",
    "Base",
    "Change",
    "DataState",
    "Evidence",
    "Fact",
    "FactActor",
    "FactParty",
    "IdempotencyKey",
    "Party",
    "PartyMembership",
    "Revision",
    "Source",
    "SourceBand",
]
