"""How values read on a page: dates at their precision, values with their qualifier and
unit, type names, word-level differences between two versions. Pure functions, registered
as Jinja filters and globals."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from werkzeug.datastructures import MultiDict

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
QUALIFIER_WORDS = {"approximately": "about", "at_least": "at least", "at_most": "at most"}


def label(name: str | None) -> str:
    """``trade_volume`` → ``Trade volume``."""
    if not name:
        return ""
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


def date_text(value: str | None, precision: str | None = None) -> str:
    """An ISO date of reduced precision (2015, 2015-05, 2015-05-21) for people."""
    if not value or precision == "unknown":
        return "date unknown"
    parts = value.split("-")
    try:
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
        day = date.fromisoformat(value)
    except (ValueError, IndexError):
        return value
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def number(value: Any) -> str:
    """A decimal with thousands separators and no trailing zeros."""
    if value is None:
        return ""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


def value_text(value: Any, unit: str | None, qualifier: str | None) -> str:
    """``about 3,100,000,000 USD``; empty when there is no value."""
    if value is None:
        return ""
    words = QUALIFIER_WORDS.get(qualifier or "", "")
    return " ".join(w for w in (words, number(value), unit or "") if w)


def shown(value: Any) -> str:
    """Any field's value as one line of text (lists and objects as compact JSON)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def messages(value: Any) -> str:
    """Validation messages (a list, or nested by index or field) as one line."""
    if isinstance(value, list):
        return "; ".join(messages(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {messages(v)}" for k, v in value.items())
    return str(value)


def word_diff(before: Any, after: Any) -> list[tuple[str, str]]:
    """The change from ``before`` to ``after`` as (op, text) pieces: "same", "del", "ins"."""
    a, b = shown(before).split(" "), shown(after).split(" ")
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("del", " ".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", " ".join(b[j1:j2])))
    return pieces


def query(args: dict[str, Any] | Any, **changes: Any) -> str:
    """A query string from ``args`` with ``changes`` (None drops a key), empty values left out."""
    items: list[tuple[str, str]] = []
    pairs = args.items(multi=True) if isinstance(args, MultiDict) else args.items()
    for k, v in pairs:
        if k in changes or v in (None, ""):
            continue
        items.append((k, str(v)))
    items += [(k, str(v)) for k, v in changes.items() if v not in (None, "")]
    return urlencode(items)


def init_app(app: Flask) -> None:
    from . import asset

    env = app.jinja_env
    env.filters.update(
        label=label,
        date_text=date_text,
        number=number,
        shown=shown,
        messages=messages,
        word_diff=word_diff,
    )
    env.globals.update(asset=asset, value_text=value_text, query=query)
