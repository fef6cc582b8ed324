"""The response cache for expensive GETs: Redis when configured, in process otherwise.

Both caches key entries under a *generation*; ``invalidate()`` bumps it, so everything cached
before a scan landed (or a finding was suppressed) is unreachable at once, without scanning
for keys. ``get`` returns the generation it read and ``set`` stores under that one, so a
response computed from data older than an invalidation is never cached as current. In Redis
the generation is one shared counter, so every server process sees the invalidation; the
in-process cache also expires entries after its TTL. A cache that fails (Redis down) counts
a miss and the request is served from the database: the cache may make the API faster,
never unavailable.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple, Protocol

log = logging.getLogger("optimus.api.cache")


class AnswerTag(NamedTuple):
    """What the answer sent before routing needs to know of a cached answer."""

    route: str | None  # the route's path template, for the metrics
    role: str  # the least role that may read the answer


@dataclass
class CacheStats:
    """Counters since the process started."""

    hits: int = 0
    misses: int = 0
    errors: int = 0
    invalidations: int = 0

    @property
    def hit_rate(self) -> float | None:
        """Hits over lookups, or None before the first lookup."""
        total = self.hits + self.misses
        return round(self.hits / total, 4) if total else None


class Cache(Protocol):
    """What the routes need from a cache."""

    backend: str
    stats: CacheStats

    def get(self, key: str) -> tuple[bytes | None, int]: ...

    def set(
        self, key: str, value: bytes, generation: int, tag: AnswerTag | None = None
    ) -> None: ...

    def invalidate(self) -> None: ...

    def close(self) -> None: ...


class MemoryCache:
    """A bounded LRU with a TTL, shared by the threads of one process."""

    backend = "memory"

    def __init__(self, ttl_seconds: float = 30.0, max_entries: int = 2048) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.stats = CacheStats()
        # key -> (expiry, body, tag of the request that stored it)
        self._entries: OrderedDict[str, tuple[float, bytes, AnswerTag | None]] = OrderedDict()
        self._lock = threading.Lock()
        self._generation = 0

    def get(self, key: str) -> tuple[bytes | None, int]:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] <= now:
                if entry is not None:
                    del self._entries[key]
                self.stats.misses += 1
                return None, self._generation
            self._entries.move_to_end(key)
            self.stats.hits += 1
            return entry[1], self._generation

    def peek(self, key: str) -> tuple[bytes, AnswerTag | None] | None:
        """The live entry under ``key`` and its tag, not counted; None otherwise.

        For the answer sent before routing (:mod:`optimus.api.fast_path`), which counts a hit
        with :meth:`count_hit` only when it sends the answer: otherwise the request goes on to
        the route, whose own ``get`` counts it, so each request counts once.
        """
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] <= now:
                return None
            self._entries.move_to_end(key)
            return entry[1], entry[2]

    def count_hit(self) -> None:
        """Count a hit answered from :meth:`peek`."""
        with self._lock:
            self.stats.hits += 1

    def set(self, key: str, value: bytes, generation: int, tag: AnswerTag | None = None) -> None:
        with self._lock:
            if generation != self._generation:
                return
            self._entries[key] = (time.monotonic() + self.ttl, value, tag)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def invalidate(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1
            self.stats.invalidations += 1

    def close(self) -> None:
        self.invalidate()


class RedisCache:
    """Entries in Redis under ``{prefix}:{generation}:{key}``, each with a TTL."""

    backend = "redis"

    def __init__(self, url: str, prefix: str = "optimus:api", ttl_seconds: float = 30.0) -> None:
        import redis

        # Short timeouts: a slow Redis must cost a request milliseconds, not seconds.
        self._client = redis.Redis.from_url(
            url, socket_timeout=0.25, socket_connect_timeout=0.25, health_check_interval=30
        )
        self.prefix = prefix
        self.ttl_ms = max(1, int(ttl_seconds * 1000))
        self.stats = CacheStats()
        self._gen_key = f"{prefix}:generation"

    def _failed(self, what: str, exc: Exception) -> None:
        self.stats.errors += 1
        # The exception text of redis-py names host and port, never a password.
        log.warning("redis cache %s failed: %s", what, type(exc).__name__)

    def get(self, key: str) -> tuple[bytes | None, int]:
        import redis

        generation = -1
        value = None
        try:
            generation = int(self._client.get(self._gen_key) or 0)
            value = self._client.get(f"{self.prefix}:{generation}:{key}")
        except (redis.RedisError, ValueError) as exc:
            self._failed("read", exc)
        if value is None:
            self.stats.misses += 1
            return None, generation
        self.stats.hits += 1
        return bytes(value), generation

    def set(self, key: str, value: bytes, generation: int, tag: AnswerTag | None = None) -> None:
        import redis

        if generation < 0:
            return
        try:
            self._client.set(f"{self.prefix}:{generation}:{key}", value, px=self.ttl_ms)
        except redis.RedisError as exc:
            self._failed("write", exc)

    def invalidate(self) -> None:
        import redis

        self.stats.invalidations += 1
        try:
            self._client.incr(self._gen_key)
        except redis.RedisError as exc:
            self._failed("invalidation", exc)

    def ping(self) -> bool:
        """Whether Redis answers."""
        import redis

        try:
            return bool(self._client.ping())
        except redis.RedisError:
            return False

    def close(self) -> None:
        self._client.close()


class NoCache:
    """Caching switched off (a TTL of 0): every lookup is a miss, nothing is kept."""

    backend = "off"

    def __init__(self) -> None:
        self.stats = CacheStats()

    def get(self, key: str) -> tuple[bytes | None, int]:
        self.stats.misses += 1
        return None, 0

    def set(self, key: str, value: bytes, generation: int, tag: AnswerTag | None = None) -> None:
        return None

    def invalidate(self) -> None:
        self.stats.invalidations += 1

    def close(self) -> None:
        return None


def make_cache(redis_url: str | None, prefix: str, ttl_seconds: float) -> Cache:
    """Redis when a URL is given, else the in-process cache; none with a TTL of 0."""
    if ttl_seconds <= 0:
        return NoCache()
    if redis_url:
        return RedisCache(redis_url, prefix=prefix, ttl_seconds=ttl_seconds)
    return MemoryCache(ttl_seconds=ttl_seconds)
