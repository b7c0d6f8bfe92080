"""API tokens: created with a secret shown once, stored as SHA-256, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ApiToken
from ..models.base import utcnow

PREFIX = "bft_"
SCOPES = ("read", "write", "admin")
# last_used_at is refreshed at most this often, so reads with a token rarely write.
TOUCH_EVERY = timedelta(minutes=1)


class TokenError(ValueError):
    """A token that cannot be used; ``reason`` is missing, malformed, unknown or revoked."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True)
class Caller:
    """Who makes a request: a token's name and scopes."""

    name: str
    scopes: tuple[str, ...]

    def can(self, scope: str) -> bool:
        """Whether the caller holds ``scope`` (write includes read; admin includes all)."""
        implied = {"read": {"read", "write", "admin"}, "write": {"write", "admin"}}
        return bool(set(self.scopes) & implied.get(scope, {scope, "admin"}))


def digest(secret: str) -> str:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(session: Session, name: str, scopes: list[str]) -> str:
    """Create a token and return its secret, which is not stored and cannot be shown again."""
    if not name or len(name) > 100:
        raise ValueError("A token name has 1 to 100 characters.")
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"Scopes are {', '.join(SCOPES)}; got {', '.join(scopes) or 'none'}.")
    if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise ValueError(f"A token named {name!r} exists; revoke it or pick another name.")
    secret = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(name=name, secret_sha256=digest(secret), scopes=sorted(set(scopes))))
    session.flush()
    return secret


def revoke_token(session: Session, name: str) -> bool:
    """Revoke a token by name; False if there is no such active token."""
    token = session.scalar(
        select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))
    )
    if token is None:
        return False
    token.revoked_at = utcnow()
    return True


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, oldest first (secrets are never available)."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def authenticate(session: Session, header: str | None) -> Caller | None:
    """Check an ``Authorization`` header: None when absent, else the caller or TokenError."""
    if header is None:
        return None
    scheme, _, secret = header.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or " " in secret or len(secret) > 200:
        raise TokenError("malformed", "Use 'Authorization: Bearer <token>'.")
    return caller_by_digest(session, digest(secret))


def caller_by_digest(session: Session, wanted: str) -> Caller:
    """The caller whose token has the stored form ``wanted`` (a signed-in session keeps
    only that), or TokenError: unknown or revoked."""
    token = session.scalar(select(ApiToken).where(ApiToken.secret_sha256 == wanted))
    # The lookup is by digest; compare again in constant time all the same.
    if token is None or not hmac.compare_digest(token.secret_sha256, wanted):
        raise TokenError("unknown", "The token is not valid.")
    if token.revoked_at is not None:
        raise TokenError("revoked", "The token has been revoked.")
    return Caller(token.name, tuple(token.scopes or ()))


def touch(session: Session, name: str) -> bool:
    """Record that a token was used, at most once per TOUCH_EVERY; True if it wrote."""
    token = session.scalar(select(ApiToken).where(ApiToken.name == name))
    now = utcnow()
    if token is None or (token.last_used_at and now - token.last_used_at < TOUCH_EVERY):
        return False
    token.last_used_at = now
    return True
