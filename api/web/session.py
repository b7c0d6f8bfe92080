"""Curators' sign-in: the session cookie, who is signed in, and the checks every form of
the explorer passes.

The session cookie (HttpOnly, SameSite=Strict, signed) keeps only the token's stored digest,
never the token; revoking the token ends the session. Every form carries the session's CSRF
token, and a post whose Origin is another site is refused. Pages whose endpoint starts with
``curate`` need a signed-in curator.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from flask import Response, redirect, request, url_for
from flask import session as cookie

from ..db import session
from ..errors import Problem
from ..services import tokens
from . import bp, page

CURATOR_KEY = "bf.curator"  # this request's signed-in caller, in the WSGI environ


def _csrf_token() -> str:
    if "csrf" not in cookie:
        cookie["csrf"] = secrets.token_urlsafe(32)
    return str(cookie["csrf"])


def current_curator() -> tokens.Caller | None:
    """Who is signed in (None: nobody, or the token was revoked since); looked up once per
    request."""
    if CURATOR_KEY in request.environ:
        return request.environ[CURATOR_KEY]
    found = None
    wanted = cookie.get("token")
    if isinstance(wanted, str):
        try:
            found = tokens.caller_by_digest(session(), wanted)
        except tokens.TokenError:
            cookie.pop("token", None)
    request.environ[CURATOR_KEY] = found
    return found


@bp.app_context_processor
def _signed_in() -> dict[str, Any]:
    if request.blueprint != "web":
        return {}
    who = current_curator() if "token" in cookie else None
    return {"curator": who.name if who else None, "csrf_token": _csrf_token() if who else ""}


@bp.before_request
def _guard() -> Any:
    """Curators' pages need a session; every post needs the session's CSRF token and, when
    the browser says where it comes from, this site as its origin."""
    if request.method == "POST":
        origin = request.headers.get("Origin")
        if origin is not None and origin != request.host_url.rstrip("/"):
            raise Problem(403, "This form may be sent only from this site.", slug="forbidden")
        sent = request.form.get("csrf_token", "")
        expected = cookie.get("csrf")
        if not expected or not hmac.compare_digest(str(expected).encode(), sent.encode()):
            raise Problem(
                403,
                "The form is stale or was not sent from this site: reload the page and try again.",
                slug="forbidden",
            )
    if (request.endpoint or "").startswith("web.curate") and current_curator() is None:
        return redirect(url_for("web.sign_in", next=request.path), 303)
    return None


def writer() -> str:
    """The signed-in curator's name, if their token may write (else 403)."""
    who = current_curator()
    if who is None or not who.can("write"):
        raise Problem(403, "Your token may read but not write.", slug="forbidden")
    return who.name


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.curate")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Response | Any:
    error = None
    if request.method == "POST":
        secret = request.form.get("token", "").strip()
        try:
            who = tokens.authenticate(session(), f"Bearer {secret}") if secret else None
        except tokens.TokenError as err:
            who = None
            error = (
                "This token has been revoked: ask for a new one."
                if err.reason == "revoked"
                else "This is not a valid API token."
            )
        if who is None and error is None:
            error = "Paste the API token a maintainer made for you (facts tokens create)."
        if who is not None:
            cookie.clear()
            cookie.permanent = True
            cookie["token"] = tokens.digest(secret)
            cookie["csrf"] = secrets.token_urlsafe(32)
            return redirect(_safe_next(request.form.get("next")), 303)
    return page(
        "curate/sign_in.html",
        status=401 if error else 200,
        error=error,
        next=_safe_next(request.values.get("next")),
        form_csrf=_csrf_token(),
    )


@bp.post("/sign-out")
def sign_out() -> Response | Any:
    cookie.clear()
    return redirect(url_for("web.home"), 303)
