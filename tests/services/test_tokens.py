"""Tokens: shown once, stored hashed, checked, revoked."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import ApiToken
from api.services.tokens import (
    TokenError,
    authenticate,
    create_token,
    digest,
    revoke_token,
    touch,
)


def test_secret_is_prefixed_random_and_only_its_hash_is_stored(bare_session: Session) -> None:
    secret = create_token(bare_session, "alice", ["write"])
    other = create_token(bare_session, "bob", ["write"])
    assert secret.startswith("bft_") and len(secret) >= 4 + 43 and secret != other
    row = bare_session.scalar(select(ApiToken).where(ApiToken.name == "alice"))
    assert row is not None and row.secret_sha256 == digest(secret)
    assert secret not in str(row.__dict__)


def test_authenticate(bare_session: Session) -> None:
    secret = create_token(bare_session, "alice", ["read"])
    assert authenticate(bare_session, None) is None
    caller = authenticate(bare_session, f"Bearer {secret}")
    assert caller is not None and caller.name == "alice"
    assert caller.can("read") and not caller.can("write")
    for header, reason in [
        ("Basic abc", "malformed"),
        ("Bearer", "malformed"),
        (f"Bearer {secret} extra", "malformed"),
        ("Bearer bft_nope", "unknown"),
    ]:
        with pytest.raises(TokenError) as err:
            authenticate(bare_session, header)
        assert err.value.reason == reason
    assert revoke_token(bare_session, "alice")
    with pytest.raises(TokenError) as err:
        authenticate(bare_session, f"Bearer {secret}")
    assert err.value.reason == "revoked"
    assert not revoke_token(bare_session, "alice")


def test_scopes_and_names_are_checked(bare_session: Session) -> None:
    with pytest.raises(ValueError, match="Scopes"):
        create_token(bare_session, "x", ["root"])
    create_token(bare_session, "x", ["admin"])
    with pytest.raises(ValueError, match="exists"):
        create_token(bare_session, "x", ["write"])
    caller = authenticate(bare_session, "Bearer " + create_token(bare_session, "y", ["admin"]))
    assert caller is not None and caller.can("write") and caller.can("read")


def test_last_used_is_kept_but_not_rewritten_every_time(bare_session: Session) -> None:
    create_token(bare_session, "alice", ["write"])
    assert touch(bare_session, "alice") is True
    assert touch(bare_session, "alice") is False
    row = bare_session.scalar(select(ApiToken).where(ApiToken.name == "alice"))
    assert row is not None and row.last_used_at is not None
