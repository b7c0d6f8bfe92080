"""Revisions, the change feed, and API tokens."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, in_list, utcnow

ENTITIES = ("fact", "source", "suggestion", "link")
ACTIONS = ("create", "update", "publish", "retract", "accept", "reject", "remove")


class Revision(Base):
    """One change to a fact, a source or a suggestion: who, when, what, and the full snapshot
    after it."""

    __tablename__ = "revision"
    __table_args__ = (
        CheckConstraint(in_list("entity", ENTITIES), name="entity"),
        CheckConstraint(in_list("action", ACTIONS), name="action"),
        Index("ix_revision_entity", "entity", "entity_id", "id"),
        Index("ix_revision_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class FactVersion(Base):
    """A fact as it stood from ``valid_from`` until ``valid_to`` (null: it still does).

    The system-versioned history of facts, as SQL:2011 temporal tables keep one: one row per
    revision, written with it (``services.history``), never changed but for closing its
    period. A list ``as_of`` a time runs the same filters and keyset (``fact_query``) over
    the rows valid then. The filtered columns are the fact's; the lists are kept as codes or
    ids between spaces (`` IRN SYR ``), ``search_text`` is the summary and quotes in lower
    case, and ``doc`` is the fact as it was served then.
    """

    __tablename__ = "fact_version"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_from <= valid_to", name="period"),
        Index("ix_fact_version_fact", "fact_id", "valid_from"),
        Index("ix_fact_version_valid_from", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fact_id: Mapped[int] = mapped_column(ForeignKey("fact.id", ondelete="CASCADE"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    type: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(16))
    counterpart: Mapped[str] = mapped_column(String(16))
    dyad: Mapped[str] = mapped_column(String(33))
    date_start: Mapped[date | None] = mapped_column(Date)
    date_end: Mapped[date | None] = mapped_column(Date)
    sort_date: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal | None] = mapped_column(Numeric(21, 6, asdecimal=True))
    unit: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    other_parties: Mapped[str] = mapped_column(Text)
    actor_ids: Mapped[str] = mapped_column(Text)
    source_ids: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)
    doc: Mapped[str] = mapped_column(Text)


class Change(Base):
    """A row of the change feed; ``seq`` only grows, so clients sync with ``since=seq``."""

    __tablename__ = "change"
    __table_args__ = (
        CheckConstraint(in_list("entity", ENTITIES), name="entity"),
        CheckConstraint(in_list("action", ACTIONS), name="action"),
    )

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(Base):
    """A named API token; only the SHA-256 of its secret is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DataState(Base):
    """One row: a version bumped by every write transaction, for ETags and the index."""

    __tablename__ = "data_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The definition of the fact document the stored ``fact.doc`` were built with
    # (``fact_docs.SHAPE``); derived, never dumped.
    doc_shape: Mapped[str | None] = mapped_column(Text, info={"derived": True})


class IdempotencyKey(Base):
    """A POST's Idempotency-Key with the response it got, replayed for the same request."""

    __tablename__ = "idempotency_key"
    __table_args__ = (Index("ix_idempotency_key_created_at", "created_at"),)

    token_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    request_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
