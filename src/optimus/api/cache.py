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

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from optimus.api.lru import ExpiringLru

log = logging.getLogger("optimus.api.cache")

DEFAULT_PREFIX = "optimus:api"
# The messages on ``{prefix}:invalidations``: cached answers are outdated; users or keys changed.
ANSWERS = b"answers"
AUTH = b"auth"


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

    def peek(self, key: str) -> tuple[bytes, AnswerTag | None] | None: ...

    def count_hit(self) -> None: ...

    def retag(self, key: str, tag: AnswerTag) -> None: ...

    def get(self, key: str) -> tuple[bytes | None, Any]: ...

    def set(
        self, key: str, value: bytes, generation: Any, tag: AnswerTag | None = None
    ) -> None: ...

    def invalidate(self) -> None: ...

    def announce_auth_change(self) -> None: ...

    def close(self) -> None: ...


class MemoryCache:
    """A bounded LRU with a TTL, shared by the threads of one process."""

    backend = "memory"

    def __init__(self, ttl_seconds: float = 30.0, max_entries: int = 2048) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.stats = CacheStats()
        # key -> (body, tag of the request that stored it)
        self._lru: ExpiringLru[tuple[bytes, AnswerTag | None]] = ExpiringLru(max_entries)
        self._stats_lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes | None, int]:
        generation = self._lru.generation
        found = self._lru.get(key)
        with self._stats_lock:
            if found is None:
                self.stats.misses += 1
                return None, generation
            self.stats.hits += 1
        return found[0], generation

    def peek(self, key: str) -> tuple[bytes, AnswerTag | None] | None:
        """The live entry under ``key`` and its tag, not counted; None otherwise.

        For the answer sent before routing (:mod:`optimus.api.fast_path`), which counts a hit
        with :meth:`count_hit` only when it sends the answer: otherwise the request goes on to
        the route, whose own ``get`` counts it, so each request counts once.
        """
        return self._lru.get(key)

    def count_hit(self) -> None:
        """Count a hit answered from :meth:`peek`."""
        with self._stats_lock:
            self.stats.hits += 1

    def retag(self, key: str, tag: AnswerTag) -> None:
        """Give a live entry stored without a tag (copied from Redis) its route's tag."""
        self._lru.update(key, lambda entry: entry if entry[1] is not None else (entry[0], tag))

    def set(self, key: str, value: bytes, generation: int, tag: AnswerTag | None = None) -> None:
        self._lru.put(key, (value, tag), self.ttl, generation)

    def invalidate(self) -> None:
        self._lru.clear()
        with self._stats_lock:
            self.stats.invalidations += 1

    def announce_auth_change(self) -> None:
        return None  # one process: nobody else to tell

    @property
    def generation(self) -> int:
        """The generation a ``set`` must name to be stored now."""
        return self._lru.generation

    def close(self) -> None:
        self.invalidate()


class RedisCache:
    """Entries in Redis under ``{prefix}:{generation}:{key}``, each with a TTL."""

    backend = "redis"

    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX, ttl_seconds: float = 30.0) -> None:
        import redis

        # Short timeouts: a slow Redis must cost a request milliseconds, not seconds.
        self._client = redis.Redis.from_url(
            url, socket_timeout=0.25, socket_connect_timeout=0.25, health_check_interval=30
        )
        self.prefix = prefix
        self.ttl_ms = max(1, int(ttl_seconds * 1000))
        self.stats = CacheStats()
        self._gen_key = f"{prefix}:generation"

    def count_hit(self) -> None:
        self.stats.hits += 1

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

    def publish(self, what: bytes) -> None:
        """Tell every process subscribed to ``{prefix}:invalidations``: ANSWERS or AUTH."""
        import redis

        try:
            self._client.publish(f"{self.prefix}:invalidations", what)
        except redis.RedisError as exc:
            self._failed("change message", exc)

    def ping(self) -> bool:
        """Whether Redis answers."""
        import redis

        try:
            return bool(self._client.ping())
        except redis.RedisError:
            return False

    def close(self) -> None:
        self._client.close()


class SharedCache:
    """Redis, shared by every server process, with each process's own copy in front of it.

    A Redis lookup costs a thread hop and two round trips, more than answering from the
    database's own cache on a busy two-core server; so answers are also kept in a
    :class:`MemoryCache` and read from there, on the event loop and before routing. What
    keeps those copies right is a listener thread subscribed to ``{prefix}:invalidations``:
    ``invalidate()`` bumps the shared generation and publishes there, and every process drops
    its copies when the message arrives (within milliseconds). The copies are trusted only
    while the subscription is live: before it is confirmed, after the connection drops and
    until it is back, every lookup goes to Redis (and a Redis that is down is a miss).
    """

    backend = "redis"

    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX, ttl_seconds: float = 30.0) -> None:
        import redis

        self.remote = RedisCache(url, prefix=prefix, ttl_seconds=ttl_seconds)
        self.local = MemoryCache(ttl_seconds=ttl_seconds)
        self.stats = self.remote.stats
        self.channel = f"{prefix}:invalidations"
        # The subscription's own connection blocks in reads; health checks find a dead one.
        self._subscriber = redis.Redis.from_url(
            url, socket_connect_timeout=0.25, health_check_interval=5
        )
        # Called when users or keys changed in another process (a server sets it).
        self.on_auth_change: Callable[[], None] | None = None
        self._live = threading.Event()
        self._closed = threading.Event()
        self._listener = threading.Thread(
            target=self._listen, name="optimus-cache-invalidations", daemon=True
        )
        self._listener.start()

    def _listen(self) -> None:
        import redis

        while not self._closed.is_set():
            pubsub = self._subscriber.pubsub()
            try:
                pubsub.subscribe(self.channel)
                while not self._closed.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        # Subscribed (again): messages may have been missed meanwhile.
                        self._changed(ANSWERS)
                        self._changed(AUTH)
                        self._live.set()
                    elif message["type"] == "message":
                        self._changed(AUTH if message["data"] == AUTH else ANSWERS)
            except (redis.RedisError, OSError, ValueError) as exc:
                if not self._closed.is_set():
                    self._live.clear()
                    self._changed(ANSWERS)
                    self._changed(AUTH)
                    self.remote._failed("invalidation listener", exc)
                    self._closed.wait(1.0)
            finally:
                with contextlib.suppress(redis.RedisError, OSError):
                    pubsub.close()

    def _changed(self, what: bytes) -> None:
        if what == AUTH:
            if self.on_auth_change is not None:
                self.on_auth_change()
        else:
            self.local.invalidate()

    @property
    def live(self) -> bool:
        """Whether this process's copies are kept right by the subscription."""
        return self._live.is_set()

    def peek(self, key: str) -> tuple[bytes, AnswerTag | None] | None:
        return self.local.peek(key) if self._live.is_set() else None

    def count_hit(self) -> None:
        self.remote.count_hit()

    def retag(self, key: str, tag: AnswerTag) -> None:
        self.local.retag(key, tag)

    def get(self, key: str) -> tuple[bytes | None, tuple[int, int]]:
        # The local generation is read first: a message that arrives during the Redis read
        # makes the copy below, and the caller's set, no-ops.
        local_generation = self.local.generation
        value, generation = self.remote.get(key)
        if value is not None and self._live.is_set():
            self.local.set(key, value, local_generation)
        return value, (local_generation, generation)

    def set(self, key: str, value: bytes, generation: Any, tag: AnswerTag | None = None) -> None:
        local_generation, remote_generation = generation
        self.remote.set(key, value, remote_generation)
        if self._live.is_set():
            self.local.set(key, value, local_generation, tag)

    def invalidate(self) -> None:
        self.local.invalidate()
        self.remote.invalidate()
        self.remote.publish(ANSWERS)

    def announce_auth_change(self) -> None:
        """Tell the other processes that users or keys changed."""
        self.remote.publish(AUTH)

    def ping(self) -> bool:
        """Whether Redis answers."""
        return self.remote.ping()

    def close(self) -> None:
        self._closed.set()
        self._live.clear()
        self._listener.join(timeout=2)
        self._subscriber.close()
        self.remote.close()


class NoCache:
    """Caching switched off (a TTL of 0): every lookup is a miss, nothing is kept."""

    backend = "off"

    def __init__(self) -> None:
        self.stats = CacheStats()

    def peek(self, key: str) -> tuple[bytes, AnswerTag | None] | None:
        return None

    def count_hit(self) -> None:
        return None

    def retag(self, key: str, tag: AnswerTag) -> None:
        return None

    def get(self, key: str) -> tuple[bytes | None, int]:
        self.stats.misses += 1
        return None, 0

    def set(self, key: str, value: bytes, generation: int, tag: AnswerTag | None = None) -> None:
        return None

    def invalidate(self) -> None:
        self.stats.invalidations += 1

    def announce_auth_change(self) -> None:
        return None

    def close(self) -> None:
        return None


def make_cache(redis_url: str | None, prefix: str, ttl_seconds: float) -> Cache:
    """Redis when a URL is given, else the in-process cache; none with a TTL of 0."""
    if ttl_seconds <= 0:
        return NoCache()
    if redis_url:
        return SharedCache(redis_url, prefix=prefix, ttl_seconds=ttl_seconds)
    return MemoryCache(ttl_seconds=ttl_seconds)


def announce(redis_url: str, what: bytes, prefix: str = DEFAULT_PREFIX) -> str | None:
    """Tell the servers sharing this Redis that something changed in the database behind
    their back (the CLI saved a scan, revoked a key): ``ANSWERS`` or ``AUTH``.

    Returns None when told, else why not, for a warning: a server that is not told catches
    up within its TTLs anyway.
    """
    try:
        remote = RedisCache(redis_url, prefix=prefix)
    except ValueError:  # not a Redis URL: the server would refuse it too
        return "not a Redis URL: use redis://, rediss:// or unix://"
    try:
        if what == ANSWERS:
            remote.invalidate()
        remote.publish(what)
    finally:
        remote.close()
    return "Redis did not answer" if remote.stats.errors else None
