"""Parties (countries and organizations) and organization membership."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, in_list

PARTY_KINDS = ("country", "organization")


class Party(Base):
    """A country (ISO 3166-1 alpha-3 code) or an organization (short code such as OPEC)."""

    __tablename__ = "party"
    __table_args__ = (CheckConstraint(in_list("kind", PARTY_KINDS), name="kind"),)

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    official_name: Mapped[str | None] = mapped_column(String(300))
    common_name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    alpha2: Mapped[str | None] = mapped_column(String(2), unique=True)
    numeric: Mapped[str | None] = mapped_column(String(3), unique=True)

    memberships: Mapped[list[PartyMembership]] = relationship(
        foreign_keys="PartyMembership.member_code", back_populates="member"
    )


class PartyMembership(Base):
    """A party's membership of an organization, optionally time-bounded."""

    __tablename__ = "party_membership"
    __table_args__ = (
        UniqueConstraint("organization_code", "member_code", "start_date"),
        CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR start_date <= end_date", name="span"
        ),
        Index("ix_party_membership_member", "member_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_code: Mapped[str] = mapped_column(ForeignKey("party.code"))
    member_code: Mapped[str] = mapped_column(ForeignKey("party.code"))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    member: Mapped[Party] = relationship(foreign_keys=[member_code], back_populates="memberships")
    organization: Mapped[Party] = relationship(foreign_keys=[organization_code])
