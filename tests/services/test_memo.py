"""The per-process memo: one computation per entry and data version, even under threads."""

from __future__ import annotations

import threading
import time

import pytest

from api.services import memo


def test_concurrent_askers_wait_for_one_computation() -> None:
    memo.clear()
    calls = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(memo.memoized("k", 1, slow)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [42] * 8 and len(calls) == 1
    assert memo.memoized("k", 2, lambda: 7) == 7  # another data version computes anew


def test_a_failed_computation_is_not_kept() -> None:
    memo.clear()

    def boom() -> int:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        memo.memoized("f", 1, boom)
    assert memo.memoized("f", 1, lambda: 3) == 3
    assert memo.memoized("x", None, lambda: 5) == 5  # no version: never kept
    assert memo.memoized("x", None, lambda: 6) == 6
