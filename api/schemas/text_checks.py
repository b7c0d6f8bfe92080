"""Refuse text no database can store: NUL characters and lone surrogates."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(value: str) -> bool:
    """Whether ``value`` holds a NUL or a lone surrogate."""
    return _UNSTORABLE.search(value) is not None


def check_storable(data: Any, path: str = "") -> None:
    """Raise ValidationError naming the first string (key or value) that cannot be stored."""
    if isinstance(data, str):
        if unstorable(data):
            raise ValidationError({path or "_schema": ["Contains a NUL or an unpaired surrogate."]})
    elif isinstance(data, dict):
        for key, value in data.items():
            # Keys are left to the schema: an unknown one is refused by name.
            check_storable(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, (list, tuple)):
        for i, value in enumerate(data):
            check_storable(value, f"{path}.{i}" if path else str(i))
