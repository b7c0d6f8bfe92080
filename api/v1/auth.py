"""Who is calling: Bearer tokens, scopes, and the statuses a caller may read."""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from ..db import session, write_transaction
from ..errors import Problem
from ..services.tokens import Caller, TokenError, authenticate, touch

REALM = 'Bearer realm="bilateral-facts"'


def _challenge(error: str | None = None, description: str | None = None) -> dict[str, str]:
    value = REALM
    if error:
        value += f', error="{error}"'
    if description:
        value += f', error_description="{description}"'
    return {"WWW-Authenticate": value}


def caller() -> Caller | None:
    """The token holder making this request (None without a token); 401 for a bad token."""
    # Cached on the request (not g: an app context may outlive one request, as in tests).
    cached: Caller | bool | None = getattr(request, "bf_caller", False)
    if cached is not False:
        return cached  # type: ignore[return-value]
    try:
        found = authenticate(session(), request.headers.get("Authorization"))
    except TokenError as err:
        raise Problem(
            401,
            str(err),
            slug="unauthorized",
            headers=_challenge(
                "invalid_token" if err.reason != "malformed" else "invalid_request", str(err)
            ),
        ) from None
    if found is not None:
        with write_transaction() as s:
            touch(s, found.name)
    request.bf_caller = found  # type: ignore[attr-defined]
    return found


def require(scope: str) -> Caller:
    """The caller, who must hold ``scope``: 401 without a token, 403 without the scope."""
    found = caller()
    if found is None:
        raise Problem(
            401,
            "This needs an API token: Authorization: Bearer <token>.",
            slug="unauthorized",
            headers=_challenge(),
        )
    if not found.can(scope):
        raise Problem(403, f"The token {found.name!r} lacks the {scope!r} scope.", slug="forbidden")
    return found


def require_token(what: str) -> Caller:
    """Any valid token (as drafts need): 401 without one."""
    found = caller()
    if found is None:
        raise Problem(
            401,
            f"{what} are visible only with an API token.",
            slug="unauthorized",
            headers=_challenge(),
        )
    return found


def readable_statuses(args: dict[str, Any]) -> list[str]:
    """Statuses a list may show: published for everyone, any with a token."""
    asked = args.get("status") or ["published"]
    if asked == ["published"]:
        return asked
    if caller() is None:
        raise Problem(
            401,
            "Drafts and retracted facts are visible only with an API token.",
            slug="unauthorized",
            headers=_challenge(),
        )
    return ["draft", "published", "retracted"] if "all" in asked else asked


def init_app(app: Flask) -> None:
    """Check presented credentials on every API request, before anything is answered.

    A bad, revoked or malformed token is a 401 on public reads too (never a quiet public
    answer), and before a revalidation could answer 304.
    """

    @app.before_request
    def _check_credentials() -> None:
        if "Authorization" in request.headers and request.path.startswith("/api/"):
            caller()
