"""Rendered lanes, and each lane's counts, kept in the worker's memory.

A lane's HTML depends on its area's cards (versioned by the area's change counter, stamped in the
database by every change to them: see `services.moves.bump_change_counter`), on today's date (overdue,
stale, "3 days ago"), on the filters and view, and on who looks and through which URLs (may they move
cards; the plan's prefix or the share link's token in every link). A key holds all of these, so an
entry is never wrong, only unused: a change makes a new counter, hence a new key, in every worker on
every machine at once, because each request reads the counters from the shared database before it
looks here. Old entries simply age out of the LRU.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from threading import Lock

from cachetools import LRUCache
from flask import current_app


class RenderCache:
    """A thread-safe LRU of rendered fragments (bounded by characters) and lane counts (by entries)."""

    def __init__(self, max_chars: int, max_counts: int = 4096) -> None:
        self._html: LRUCache = LRUCache(max_chars, getsizeof=len)
        self._counts: LRUCache = LRUCache(max_counts)
        self._lock = Lock()

    def html(self, key: Hashable, render: Callable[[], str]) -> str:
        found = self.kept(key)
        if found is None:
            found = render()
            self.keep(key, found)
        return found

    def kept(self, key: Hashable):
        """What `keep` kept under `key`, or None."""
        with self._lock:
            return self._html.get(key)

    def keep(self, key: Hashable, value) -> None:
        """Keep `value` (sized by `len`, as rendered fragments are) under `key`."""
        if len(value) <= self._html.maxsize:
            with self._lock:
                self._html[key] = value

    def counts(self, key: Hashable):
        with self._lock:
            return self._counts.get(key)

    def keep_counts(self, key: Hashable, value) -> None:
        with self._lock:
            self._counts[key] = value

    def value(self, key: Hashable, compute: Callable[[], object]):
        """A small computed value (kept with the counts): `compute()` the first time `key` is asked."""
        found = self.counts(key)
        if found is None:
            found = compute()
            self.keep_counts(key, found)
        return found


def render_cache() -> RenderCache:
    """This app's cache (one per worker process)."""
    return current_app.extensions["board_render_cache"]


def init_app(app) -> None:
    app.extensions["board_render_cache"] = RenderCache(int(app.config.get("BOARD_RENDER_CACHE_CHARS", 32_000_000)))
