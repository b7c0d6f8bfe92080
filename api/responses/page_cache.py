"""Answered pages of the public fact list, kept per worker with the data version they were
read at.

A dashboard polling the same page asks the same question many times between two writes.
The thin read path reads the data version on every request anyway (one primary-key read,
for the ETag); when it equals the version an answered page was read at, that page's
bytes are still the answer, so they are sent again instead of being read again. Every
write bumps the version, so a kept page is never served once the data has changed: it is
simply not used again and falls out of the cache (least recently used first) as others
come in. Only what is the same for every caller is kept (the body and its ``Link``);
the rate limit, CORS and caching headers are made for each request.

The key is the request's whole URL (scheme, host and path included, since the body's
links are absolute) and its ``Accept`` header, as for the ETag.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

Headers = list[tuple[str, str]]
Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Page:
    """An answered page: the data version it was read at, its body and its own headers."""

    version: int
    body: bytes
    headers: Headers


class PageCache:
    """A least-recently-used map of pages, bounded by the bytes of their bodies."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        # One page may take at most an eighth of the budget: a few huge pages (limit=500)
        # must not push out every ordinary one.
        self.max_page = max_bytes // 8
        self.size = 0
        self.hits = 0
        self._pages: OrderedDict[Key, Page] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> Page | None:
        """The page kept for ``key`` (whatever its version: the caller compares)."""
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
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


def page_cache(megabytes: float) -> PageCache | None:
    """The cache of a worker given FACTS_PAGE_CACHE_MB (None: off)."""
    budget = int(float(megabytes) * 1024 * 1024)
    return PageCache(budget) if budget > 0 else None
