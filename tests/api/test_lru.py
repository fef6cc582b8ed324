"""The expiring, generation-guarded LRU under both in-process caches."""

from __future__ import annotations

from optimus.api.lru import ExpiringLru


def test_values_expire_are_bounded_and_refused_after_a_clear() -> None:
    now = [0.0]
    lru: ExpiringLru[str] = ExpiringLru(2, clock=lambda: now[0])
    before = lru.generation
    lru.put("a", "1", 5, before)
    lru.put("b", "2", 5, before)
    assert lru.get("a") == "1"  # now the most recently used
    lru.put("c", "z", 5, before)
    assert (lru.get("a"), lru.get("b"), lru.get("c")) == ("1", None, "z")
    lru.update("c", str.upper)
    lru.update("gone", str.upper)
    now[0] = 4.9
    assert lru.get("c") == "Z"  # changed, same expiry
    now[0] = 5.0
    assert lru.get("c") is None and "c" not in lru.entries
    lru.clear()
    lru.put("a", "stale", 5, before)
    assert lru.get("a") is None and lru.generation == before + 1
