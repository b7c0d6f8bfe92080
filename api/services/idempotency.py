"""Idempotency-Key: a retried POST gets the first answer again instead of a second row."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..models import IdempotencyKey
from ..models.base import utcnow

KEEP_FOR = timedelta(hours=48)  # at least the 24 hours clients are promised


class KeyReused(ValueError):
    """The key was used before for a different request."""


@dataclass(frozen=True)
class StoredResponse:
    """The response first given to a request with this key."""

    status: int
    body: str
    headers: dict[str, str]


def request_digest(method: str, path: str, content_type: str, body: bytes) -> str:
    """What makes two requests the same request."""
    h = hashlib.sha256()
    for part in (method.encode(), path.encode(), content_type.encode(), body):
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()


def find(session: Session, token: str, key: str, digest: str) -> StoredResponse | None:
    """The stored response for this key, if any; KeyReused if the request differs."""
    row = session.get(IdempotencyKey, (token, key))
    if row is None or utcnow() - row.created_at > KEEP_FOR:
        return None
    if row.request_sha256 != digest:
        raise KeyReused(f"Idempotency-Key {key!r} was used for a different request; use a new key.")
    return StoredResponse(row.status, row.body, dict(row.headers or {}))


def remember(
    session: Session,
    token: str,
    key: str,
    method: str,
    path: str,
    digest: str,
    response: StoredResponse,
) -> None:
    """Store the response for this key (and forget keys past their time)."""
    now = utcnow()
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEEP_FOR))
    existing = session.get(IdempotencyKey, (token, key))
    if existing is not None:  # an expired key being reused
        session.delete(existing)
        session.flush()
    session.add(
        IdempotencyKey(
            token_name=token,
            key=key,
            method=method,
            path=path,
            request_sha256=digest,
            status=response.status,
            body=response.body,
            headers=response.headers,
            created_at=now,
        )
    )
