"""Answered pages of the public fact list, and single facts, kept per worker with the data
version they were read at.

A dashboard polling the same page asks the same question many times between two writes.
The thin read path reads the data version on every request anyway (one primary-key read,
for the ETag); when it equals the version an answered page was read at, that page's
bytes are still the answer, so they are sent again instead of being read again. Every
write bumps the version, so a kept page is never served once the data has changed: it is
simply not used again and falls out of the cache (least recently used first) as others
come in. Only what is the same for every caller is kept (the body and its ``Link``);
the rate limit, CORS and caching headers are made for each request.

The key is what the request's whole URL is made of (scheme, host, root and query, read off
the WSGI environment; the body's links are absolute) and its ``Accept`` header, as for the
ETag (``fastpath._page_key``); a single fact's is its id (its body names no URL of ours),
and it is kept with its ETag (``fastpath.FastPath._fact_item``).

Changes made by hand in SQL (outside the API and the ``facts`` commands) do not bump the
data version, so a page is also kept for a few seconds at most (FACTS_PAGE_CACHE_SECONDS):
a change by hand shows in lists that soon, or at once after ``facts db touch``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

Headers = list[tuple[str, str]]
Key = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Page:
    """An answered page: the data version it was read at, its body and its own headers
    (and, for a single fact, its ETag: a list's is made from its URL and version)."""

    version: int
    body: bytes
    headers: Headers
    read_at: float = field(default_factory=lambda: time.monotonic())
    tag: str = ""


class PageCache:
    """A least-recently-used map of pages, bounded by the bytes of their bodies."""

    def __init__(self, max_bytes: int, max_age: float = 5.0) -> None:
        self.max_bytes = max_bytes
        self.max_age = max_age
        # One page may take at most an eighth of the budget: a few huge pages (limit=500)
        # must not push out every ordinary one.
        self.max_page = max_bytes // 8
        self.size = 0
        self.hits = 0
        self._pages: OrderedDict[Key, Page] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> Page | None:
        """The page kept for ``key`` (whatever its version: the caller compares), unless it
        was read more than ``max_age`` seconds ago."""
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if time.monotonic() - page.read_at > self.max_age:
                del self._pages[key]
                self.size -= len(page.body)
                return None
            self._pages.move_to_end(key)
            return page

    def hit(self) -> None:
        """A kept page was the answer (counted for tests and curiosity)."""
        self.hits += 1

    def put(self, key: Key, page: Page) -> None:
        """Keep ``page`` for ``key`` (replacing an older one), within the budget."""
        if len(page.body) > self.max_page:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self._pages[key] = page
            self.size += len(page.body)
            while self.size > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self.size -= len(dropped.body)

    def clear(self) -> None:
        """Forget every page (tests roll writes back, which can bring a version back)."""
        with self._lock:
            self._pages.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._pages)


def page_cache(megabytes: float, seconds: float = 5.0) -> PageCache | None:
    """The cache of a worker given FACTS_PAGE_CACHE_MB and FACTS_PAGE_CACHE_SECONDS (None:
    off, when either is 0)."""
    budget = int(float(megabytes) * 1024 * 1024)
    age = float(seconds)
    return PageCache(budget, age) if budget > 0 and age > 0 else None
