"""A bounded LRU whose entries expire, guarded by a generation: what both of the API's
in-process caches (answers, checked callers) are made of.

``clear()`` drops everything and bumps the generation; ``put`` names the generation its value
was computed under and stores nothing when it is no longer current, so a value read from the
database before a change is never kept after it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ExpiringLru(Generic[V]):
    """Up to ``max_entries`` values, each until its expiry on ``clock``; thread-safe."""

    def __init__(self, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self.generation = 0
        self.entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """The live value under ``key`` (now the most recently used), or None."""
        now = self.clock()
        with self._lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if entry[0] <= now:
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, value: V, lifetime: float, generation: int) -> None:
        """Keep ``value`` for ``lifetime`` seconds if ``generation`` is still current."""
        with self._lock:
            if generation != self.generation:
                return
            self.entries[key] = (self.clock() + lifetime, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def update(self, key: Hashable, change: Callable[[V], V]) -> None:
        """Replace a live value with ``change(value)``, keeping its expiry."""
        with self._lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries[key] = (entry[0], change(entry[1]))

    def clear(self) -> None:
        """Drop every value; puts under the generation before are refused."""
        with self._lock:
            self.entries.clear()
            self.generation += 1
