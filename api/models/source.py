"""Sources: the articles facts are drawn from, and their near-duplicate index."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import DATE_BASES, DATE_PRECISIONS, Base, UTCDateTime, in_list, utcnow


class Source(Base):
    """One article: the exact bytes received (``raw``) and the text offsets refer to (``body``)."""

    __tablename__ = "source"
    __table_args__ = (
        CheckConstraint(
            in_list("published_precision", DATE_PRECISIONS), name="published_precision"
        ),
        CheckConstraint(
            in_list("published_basis", DATE_BASES, nullable=True), name="published_basis"
        ),
        CheckConstraint(
            "published_start IS NULL OR published_start <= published_end", name="published_span"
        ),
        CheckConstraint(
            "(published_precision = 'unknown') = (published_start IS NULL)", name="published_known"
        ),
        CheckConstraint("canonical_id IS NULL OR canonical_id <> id", name="not_own_copy"),
        Index("ix_source_published", "published_start", "published_end"),
        Index("ix_source_canonical_id", "canonical_id"),
        Index("ix_source_outlet", "outlet"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str | None] = mapped_column(String(500))
    outlet: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2000))
    published_start: Mapped[date | None] = mapped_column(Date)
    published_end: Mapped[date | None] = mapped_column(Date)
    published_precision: Mapped[str] = mapped_column(String(8), default="unknown")
    published_basis: Mapped[str | None] = mapped_column(String(8))
    # [{"name": "Denis Dyomkin", "credit": "reporting"}, ...]
    authors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    dateline: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    file_name: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    minhash: Mapped[bytes] = mapped_column(LargeBinary)
    canonical_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"))
    similarity: Mapped[float | None] = mapped_column()
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(100))

    canonical: Mapped[Source | None] = relationship(
        remote_side=[id], back_populates="duplicates", foreign_keys=[canonical_id]
    )
    duplicates: Mapped[list[Source]] = relationship(
        back_populates="canonical", foreign_keys=[canonical_id], order_by="Source.id"
    )


class SourceBand(Base):
    """One LSH band bucket of a source's MinHash: sources sharing a bucket are candidates."""

    __tablename__ = "source_band"
    __table_args__ = (Index("ix_source_band_bucket", "band", "bucket"),)

    source_id: Mapped[int] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger)
