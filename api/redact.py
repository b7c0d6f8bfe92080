"""Secrets out of logs and error bodies: query values that look like credentials are masked."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from .services.tokens import PREFIX

MASK = "REDACTED"
# Parameter names whose values are credentials (compared lower-cased, "-" read as "_").
SECRET_NAMES = frozenset(
    (
        "token",
        "access_token",
        "api_key",
        "apikey",
        "key",
        "secret",
        "password",
        "auth",
        "authorization",
        "bearer",
    )
)
# refresh_token, client_secret, db_password and the like.
SECRET_SUFFIXES = ("_token", "_secret", "_password")
_PREFIX = PREFIX.lower()
# Free text (an error message quoting a request line): name=value pairs and bare tokens.
_TEXT_PAIR = re.compile(r"(?i)([\w%.-]+)=([^&;\s#'\"]*)")
_TEXT_TOKEN = re.compile(re.escape(PREFIX) + r"[^\s&;#/?'\"]*", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    """Whether a parameter called ``name`` carries a credential."""
    plain = unquote_plus(name).strip().lower().replace("-", "_")
    return plain in SECRET_NAMES or plain.endswith(SECRET_SUFFIXES)


def _is_token(value: str) -> bool:
    return unquote_plus(value).strip().lower().startswith(_PREFIX)


def redact_query(query: str) -> str:
    """``query`` with the value of every secret-looking parameter, and any token, masked."""
    if not query:
        return query
    items = []
    for item in re.split(r"([&;])", query):
        if item in ("&", ";") or not item:
            items.append(item)
            continue
        name, _, value = item.partition("=")
        if _is_token(name):  # a bare token, ?bft_...
            items.append(MASK)
        elif value and (is_secret_name(name) or _is_token(value)):
            items.append(f"{name}={MASK}")
        else:
            items.append(item)
    return "".join(items)


def redact_path(path: str) -> str:
    """``path`` with every segment that is a token masked."""
    if _PREFIX not in path.lower():
        return path
    return "/".join(MASK if _is_token(part) else part for part in path.split("/"))


def redact_target(target: str) -> str:
    """A request target (path, ``?``, query) safe to log or echo back."""
    path, sep, query = target.partition("?")
    return redact_path(path) + sep + redact_query(query)


def redact_request_line(line: str) -> str:
    """``METHOD target VERSION`` with its target redacted."""
    method, sep, rest = line.partition(" ")
    target, sep2, version = rest.rpartition(" ")
    if not sep or not sep2:  # no version: all of it is the target
        return method + sep + redact_target(rest)
    return f"{method} {redact_target(target)} {version}"


def redact_text(text: str) -> str:
    """Free text (a log message) with secret-looking ``name=value`` pairs and tokens masked."""

    def pair(found: re.Match[str]) -> str:
        name, value = found.group(1), found.group(2)
        return f"{name}={MASK}" if is_secret_name(name) and value else found.group(0)

    return _TEXT_TOKEN.sub(MASK, _TEXT_PAIR.sub(pair, text))


def mask_tokens(value: object) -> object:
    """``value`` (a string, or lists and dicts of them, keys included) with tokens masked."""
    if isinstance(value, str):
        return _TEXT_TOKEN.sub(MASK, value) if _PREFIX in value.lower() else value
    if isinstance(value, dict):
        return {mask_tokens(k): mask_tokens(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_tokens(v) for v in value]
    return value
