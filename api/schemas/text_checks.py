"""Refuse input no database can store: NUL characters, lone surrogates, deep nesting."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Deepest nesting of JSON objects and lists accepted anywhere in a body. No field of the
# API nests more than a few levels; orjson writes at most 254, so a deeper value could be
# stored but never served.
MAX_DEPTH = 32


def unstorable(value: str) -> bool:
    """Whether ``value`` holds a NUL or a lone surrogate."""
    return _UNSTORABLE.search(value) is not None


def check_storable(data: Any) -> None:
    """Raise ValidationError naming the first string that cannot be stored, or a value
    nested deeper than MAX_DEPTH; iterative, so no input can exhaust the stack."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            if unstorable(value):
                raise ValidationError(
                    {path or "_schema": ["Contains a NUL or an unpaired surrogate."]}
                )
            continue
        if isinstance(value, dict):
            # Keys are left to the schema: an unknown one is refused by name.
            children = [(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()]
        elif isinstance(value, (list, tuple)):
            children = [(v, f"{path}.{i}" if path else str(i)) for i, v in enumerate(value)]
        else:
            continue
        if depth >= MAX_DEPTH:
            raise ValidationError(
                {path or "_schema": [f"Nested more than {MAX_DEPTH} levels deep."]}
            )
        stack.extend((v, p, depth + 1) for v, p in reversed(children))
