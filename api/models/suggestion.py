"""Suggested facts: what the extractor read in an article, for a curator to accept or reject."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, in_list, utcnow

SUGGESTION_STATUSES = ("open", "accepted", "rejected")


class Suggestion(Base):
    """One candidate fact of a source: the fact as a curator would POST it (``fact``, its
    evidence spans of the source's body), the extractor's confidence and cues, and what a
    curator decided (the fact it became, or why it was rejected)."""

    __tablename__ = "suggestion"
    __table_args__ = (
        CheckConstraint(in_list("status", SUGGESTION_STATUSES), name="status"),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence"),
        Index("ix_suggestion_source", "source_id", "position", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # most confident first
    fact: Mapped[dict[str, Any]] = mapped_column(JSON)
    confidence: Mapped[float] = mapped_column(Float)
    cues: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    extractor: Mapped[str] = mapped_column(String(40))  # which rules made it
    status: Mapped[str] = mapped_column(String(16), default="open")
    fact_id: Mapped[int | None] = mapped_column(ForeignKey("fact.id", ondelete="SET NULL"))
    # The fields a curator changed when accepting (the rest were taken as suggested).
    overrides: Mapped[list[str] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
