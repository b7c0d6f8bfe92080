"""Facts, the parties and actors involved, and the evidence that supports them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..vocabulary import FACT_RANKS, FACT_STATUSES, FACT_TYPES, LINK_RELATIONS, VALUE_QUALIFIERS
from .base import DATE_BASES, DATE_PRECISIONS, Base, UTCDateTime, in_list, utcnow


class Fact(Base):
    """A curated fact: who did what to whom, when, how much, per which sources."""

    __tablename__ = "fact"
    __table_args__ = (
        CheckConstraint(in_list("type", tuple(FACT_TYPES)), name="type"),
        CheckConstraint(in_list("status", FACT_STATUSES), name="status"),
        CheckConstraint(in_list("rank", FACT_RANKS), name="rank"),
        CheckConstraint(in_list("date_precision", DATE_PRECISIONS), name="date_precision"),
        CheckConstraint(in_list("date_basis", DATE_BASES, nullable=True), name="date_basis"),
        CheckConstraint(
            in_list("value_qualifier", VALUE_QUALIFIERS, nullable=True), name="value_qualifier"
        ),
        CheckConstraint("subject <> counterpart", name="two_sides"),
        CheckConstraint("date_start IS NULL OR date_start <= date_end", name="date_span"),
        CheckConstraint("(date_precision = 'unknown') = (date_start IS NULL)", name="date_known"),
        CheckConstraint("(date_start IS NULL) = (date_basis IS NULL)", name="date_basis_known"),
        CheckConstraint("(value IS NULL) = (unit IS NULL)", name="value_unit"),
        CheckConstraint("(value IS NULL) = (value_qualifier IS NULL)", name="value_qualified"),
        CheckConstraint("version >= 1", name="version"),
        Index("ix_fact_dyad_date", "subject", "counterpart", "date_start"),
        Index("ix_fact_counterpart_date", "counterpart", "date_start"),
        Index("ix_fact_type_date", "type", "date_start"),
        Index("ix_fact_status_date", "status", "date_start"),
        Index("ix_fact_dyad_sort", "dyad", "sort_date", "id"),
        Index("ix_fact_sort", "sort_date", "id"),
        Index("ix_fact_type_sort", "type", "sort_date", "id"),
        # The stored documents to (re)build (api/services/fact_docs.py).
        Index(
            "ix_fact_doc_missing",
            "id",
            sqlite_where=text("doc IS NULL"),
            postgresql_where=text("doc IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(ForeignKey("party.code"))
    counterpart: Mapped[str] = mapped_column(ForeignKey("party.code"))
    date_start: Mapped[date | None] = mapped_column(Date)
    date_end: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(8), default="unknown")
    date_basis: Mapped[str | None] = mapped_column(String(8))
    value: Mapped[Decimal | None] = mapped_column(Numeric(21, 6, asdecimal=True))
    unit: Mapped[str | None] = mapped_column(String(32))
    value_qualifier: Mapped[str | None] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    # The curator's rank (migration 0011) and why it is not normal.
    rank: Mapped[str] = mapped_column(String(12), default="normal", server_default="normal")
    rank_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(100))
    updated_by: Mapped[str | None] = mapped_column(String(100))
    # Computed by the database (migration 0004): the unordered pair, and a non-null date to
    # sort and page on. Never written by the application.
    dyad: Mapped[str | None] = mapped_column(
        String(33),
        Computed(
            "CASE WHEN subject < counterpart THEN subject || '-' || counterpart "
            "ELSE counterpart || '-' || subject END"
        ),
    )
    sort_date: Mapped[date | None] = mapped_column(
        Date, Computed("coalesce(date_start, '0001-01-01')")
    )
    # Kept by database triggers (migration 0005): the fact's evidence and actors as the
    # JSON lists the API serves, so a read needs no join per fact. Never written by the
    # application, not part of dumps (``info["derived"]``), loaded only when asked for.
    evidence_doc: Mapped[str] = mapped_column(
        Text, server_default="[]", deferred=True, info={"derived": True}
    )
    actors_doc: Mapped[str] = mapped_column(
        Text, server_default="[]", deferred=True, info={"derived": True}
    )
    # The whole served document (api/fact_document.py) as JSON text, or null while it is
    # to be (re)built: set null by database triggers whenever the fact or anything it shows
    # changes (migration 0008), filled before every write transaction commits
    # (api/services/fact_docs.py). Read by the list statements; derived, never dumped.
    doc: Mapped[str | None] = mapped_column(Text, deferred=True, info={"derived": True})

    other_parties: Mapped[list[FactParty]] = relationship(
        cascade="all, delete-orphan", order_by="FactParty.party_code"
    )
    actors: Mapped[list[FactActor]] = relationship(cascade="all, delete-orphan")
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="fact", cascade="all, delete-orphan", order_by="Evidence.id"
    )


class FactParty(Base):
    """A further party involved in a fact beyond its subject and counterpart."""

    __tablename__ = "fact_party"
    __table_args__ = (Index("ix_fact_party_party", "party_code"),)

    fact_id: Mapped[int] = mapped_column(
        ForeignKey("fact.id", ondelete="CASCADE"), primary_key=True
    )
    party_code: Mapped[str] = mapped_column(ForeignKey("party.code"), primary_key=True)


class FactActor(Base):
    """An actor involved in a fact, in the role they acted in."""

    __tablename__ = "fact_actor"
    __table_args__ = (Index("ix_fact_actor_actor", "actor_id"),)

    fact_id: Mapped[int] = mapped_column(
        ForeignKey("fact.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(200), primary_key=True)

    actor: Mapped[Any] = relationship("Actor")


class Evidence(Base):
    """A quote from a source that supports a fact, with its offsets in the source body."""

    __tablename__ = "evidence"
    __table_args__ = (
        CheckConstraint('start >= 0 AND start <= "end"', name="offsets"),
        Index("ix_evidence_source", "source_id"),
        Index("ix_evidence_fact", "fact_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fact_id: Mapped[int] = mapped_column(ForeignKey("fact.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    quote: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    fact: Mapped[Fact] = relationship(back_populates="evidence")
    source: Mapped[Any] = relationship("Source")


class FactLink(Base):
    """A typed, directed link between two facts ("A fulfils B"), made by a curator.

    Removing a link keeps its row (``removed_at``, ``removed_by``, a new version), as its
    revisions do; at most one active link of a relation joins the same two facts.
    """

    __tablename__ = "fact_link"
    __table_args__ = (
        CheckConstraint(in_list("relation", tuple(LINK_RELATIONS)), name="relation"),
        CheckConstraint("from_fact_id <> to_fact_id", name="two_facts"),
        CheckConstraint("version >= 1", name="version"),
        Index("ix_fact_link_from", "from_fact_id"),
        Index("ix_fact_link_to", "to_fact_id"),
        Index(
            "uq_fact_link_active",
            "from_fact_id",
            "to_fact_id",
            "relation",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_fact_id: Mapped[int] = mapped_column(ForeignKey("fact.id"))
    to_fact_id: Mapped[int] = mapped_column(ForeignKey("fact.id"))
    relation: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_by: Mapped[str | None] = mapped_column(String(100))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
