"""Actors (people and bodies) and their time-bounded roles."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, in_list, utcnow

ACTOR_KINDS = ("person", "body")


class Actor(Base):
    """A person or body that acts in facts (Vladimir Putin, TASS)."""

    __tablename__ = "actor"
    __table_args__ = (CheckConstraint(in_list("kind", ACTOR_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    roles: Mapped[list[ActorRole]] = relationship(
        back_populates="actor", cascade="all, delete-orphan", order_by="ActorRole.start_date"
    )


class ActorRole(Base):
    """An office an actor held for a party between two dates (end open while held)."""

    __tablename__ = "actor_role"
    __table_args__ = (
        CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR start_date <= end_date", name="span"
        ),
        Index("ix_actor_role_party_title", "party_code", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actor.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    party_code: Mapped[str | None] = mapped_column(ForeignKey("party.code"))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    actor: Mapped[Actor] = relationship(back_populates="roles")
