"""A small per-process cache of expensive aggregates, valid for one data version.

Every write bumps the data version, so an entry can never outlive the data it was
computed from; each gunicorn worker keeps its own copy.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, TypeVar

T = TypeVar("T")
MAX_ENTRIES = 512
_entries: OrderedDict[Hashable, Any] = OrderedDict()
_lock = Lock()


def memoized(key: Hashable, version: Any, compute: Callable[[], T]) -> T:
    """The value for ``key`` at ``version``, computed at most once per version."""
    if version is None:
        return compute()
    full = (key, version)
    with _lock:
        if full in _entries:
            _entries.move_to_end(full)
            return _entries[full]
    value = compute()
    with _lock:
        _entries[full] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    """Forget everything (tests)."""
    with _lock:
        _entries.clear()


def memo_key(*parts: Any) -> str:
    """A cache key from request arguments (lists and dates included)."""
    return json.dumps(parts, sort_keys=True, default=str)
