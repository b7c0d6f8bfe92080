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
_computing: dict[Hashable, Lock] = {}  # entries being computed, and their gate


def memoized(key: Hashable, version: Any, compute: Callable[[], T]) -> T:
    """The value for ``key`` at ``version``, computed at most once per version.

    Threads asking for the same entry while it is being computed wait for that one
    computation (after a write, the first views of a busy page would otherwise each
    compute the same aggregate); if it fails, each computes for itself.
    """
    if version is None:
        return compute()
    full = (key, version)
    with _lock:
        if full in _entries:
            _entries.move_to_end(full)
            return _entries[full]
        gate = _computing.setdefault(full, Lock())
    with gate:
        with _lock:
            if full in _entries:
                return _entries[full]
        try:
            value = compute()
            with _lock:
                _entries[full] = value
                while len(_entries) > MAX_ENTRIES:
                    _entries.popitem(last=False)
        finally:
            with _lock:
                _computing.pop(full, None)
    return value


def clear() -> None:
    """Forget everything (tests)."""
    with _lock:
        _entries.clear()
        _computing.clear()


def memo_key(*parts: Any) -> str:
    """A cache key from request arguments (lists and dates included)."""
    return json.dumps(parts, sort_keys=True, default=str)
