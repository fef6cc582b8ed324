"""The response cache: in process and in a real Redis; invalidation and hit rate."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator

import pytest

from optimus.api.cache import AnswerTag, MemoryCache, RedisCache, SharedCache, make_cache
from optimus.api.fast_path import cache_key
from optimus.store import users
from tests.api.conftest import bearer

REDIS_URL = os.environ.get("OPTIMUS_TEST_REDIS", "redis://127.0.0.1:6379/15")
TAG = AnswerTag(route="/api/v1/projects", role="viewer")


def test_memory_cache_hits_misses_and_ttl() -> None:
    cache = MemoryCache(ttl_seconds=0.5)
    assert cache.get("k") == (None, 0)
    cache.set("k", b"v", 0)
    assert cache.get("k") == (b"v", 0)
    time.sleep(0.6)
    assert cache.get("k")[0] is None
    assert (cache.stats.hits, cache.stats.misses, cache.stats.hit_rate) == (1, 2, 0.3333)


def test_memory_cache_refuses_a_value_computed_before_an_invalidation() -> None:
    cache = MemoryCache()
    _, generation = cache.get("k")
    cache.invalidate()  # a scan lands while the value is being computed
    cache.set("k", b"stale", generation)
    assert cache.get("k")[0] is None
    _, fresh = cache.get("k")
    cache.set("k", b"new", fresh)
    assert cache.get("k")[0] == b"new"


def test_memory_cache_is_bounded() -> None:
    cache = MemoryCache(max_entries=2)
    for key in ("a", "b"):
        cache.set(key, key.encode(), 0)
    cache.get("a")  # a is now the most recently used
    cache.set("c", b"c", 0)
    assert [cache.get(k)[0] for k in ("a", "b", "c")] == [b"a", None, b"c"]


def test_make_cache_picks_the_backend() -> None:
    assert make_cache(None, "p", 1).backend == "memory"
    off = make_cache("redis://127.0.0.1:1/0", "p", 0)
    assert off.backend == "off"
    off.set("k", b"v", 0)
    assert off.get("k") == (None, 0) and off.stats.misses == 1
    remote = make_cache("redis://127.0.0.1:1/0", "p", 1)
    assert remote.backend == "redis"
    remote.close()


@pytest.fixture
def redis_cache() -> Iterator[RedisCache]:
    cache = RedisCache(REDIS_URL, prefix=f"optimus-test:{secrets.token_hex(6)}", ttl_seconds=5)
    if not cache.ping():
        cache.close()
        reason = f"Redis at {REDIS_URL} unreachable"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true requires it")
        pytest.skip(reason)
    yield cache
    keys = list(cache._client.scan_iter(match=f"{cache.prefix}:*"))
    if keys:
        cache._client.delete(*keys)
    cache.close()


def test_redis_cache_round_trip_ttl_and_invalidation(redis_cache: RedisCache) -> None:
    value, generation = redis_cache.get("projects?limit=50")
    assert value is None
    redis_cache.set("projects?limit=50", b'{"items": []}', generation)
    assert redis_cache.get("projects?limit=50")[0] == b'{"items": []}'
    ttl = redis_cache._client.pttl(f"{redis_cache.prefix}:{generation}:projects?limit=50")
    assert 0 < ttl <= 5000
    redis_cache.invalidate()
    assert redis_cache.get("projects?limit=50")[0] is None
    assert (redis_cache.stats.hits, redis_cache.stats.misses) == (1, 2)


def test_redis_invalidation_is_seen_by_another_process_client(redis_cache: RedisCache) -> None:
    other = RedisCache(REDIS_URL, prefix=redis_cache.prefix, ttl_seconds=5)
    try:
        _, generation = redis_cache.get("k")
        redis_cache.set("k", b"v", generation)
        assert other.get("k")[0] == b"v"
        other.invalidate()
        assert redis_cache.get("k")[0] is None
    finally:
        other.close()


def test_redis_down_is_a_miss_not_an_error() -> None:
    cache = RedisCache("redis://127.0.0.1:1/0", ttl_seconds=5)
    assert cache.get("k") == (None, -1)
    cache.set("k", b"v", -1)
    cache.invalidate()
    assert cache.stats.misses == 1 and cache.stats.errors >= 2
    cache.close()


def test_api_on_redis_caches_and_reports_the_hit_rate(api, portfolio, redis_cache) -> None:
    client = api(redis_url=REDIS_URL, cache_prefix=redis_cache.prefix)
    first = client.get("/api/v1/projects?sort=-score")
    second = client.get("/api/v1/projects?sort=-score")
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert first.content == second.content
    figures = client.get("/api/v1/system/metrics").json()["cache"]
    assert figures["backend"] == "redis"
    assert (figures["hits"], figures["misses"], figures["hit_rate"]) == (1, 1, 0.5)
    client.post("/api/v1/findings/1/suppress", json={"reason": "noise"})
    assert client.get("/api/v1/projects?sort=-score").headers["X-Cache"] == "miss"


def test_query_order_does_not_split_the_cache(api, portfolio) -> None:
    client = api()
    client.get("/api/v1/findings?severity=high&limit=5")
    assert client.get("/api/v1/findings?limit=5&severity=high").headers["X-Cache"] == "hit"


def test_concurrent_misses_share_one_query(api, portfolio, monkeypatch) -> None:
    import asyncio

    import httpx

    from optimus.store.queries import projects

    calls = 0
    real = projects.list_projects

    def counted(*args, **kwargs):
        nonlocal calls
        calls += 1
        time.sleep(0.5)  # long enough for the other requests to arrive meanwhile
        return real(*args, **kwargs)

    monkeypatch.setattr(projects, "list_projects", counted)
    app = api().app

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await asyncio.gather(*(client.get("/api/v1/projects") for _ in range(8)))

    responses = asyncio.run(burst())
    assert all(r.status_code == 200 for r in responses)
    assert len({r.content for r in responses}) == 1
    assert sorted(r.headers["X-Cache"] for r in responses) == ["miss"] + ["shared"] * 7
    assert calls == 1


def test_two_server_processes_share_redis_invalidation(api, portfolio, redis_cache) -> None:
    # Two apps on one database and one Redis stand for two `--workers` processes.
    first = api(redis_url=REDIS_URL, cache_prefix=redis_cache.prefix)
    second = api(redis_url=REDIS_URL, cache_prefix=redis_cache.prefix)
    url = "/api/v1/findings?state=suppressed"
    assert first.get(url).json()["total"] == 0
    assert second.get(url).headers["X-Cache"] == "hit"
    assert second.post("/api/v1/findings/1/suppress", json={"reason": "x"}).status_code == 200
    again = first.get(url)
    assert again.headers["X-Cache"] == "miss" and again.json()["total"] == 1


def _until(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


@pytest.fixture
def shared(redis_cache: RedisCache) -> Iterator[Callable[[], SharedCache]]:
    """SharedCaches on one prefix, as in separate server processes; each live when given."""
    made: list[SharedCache] = []

    def make() -> SharedCache:
        cache = SharedCache(REDIS_URL, prefix=redis_cache.prefix, ttl_seconds=5)
        made.append(cache)
        assert _until(lambda: cache.live), "the invalidation subscription never went live"
        return cache

    yield make
    for cache in made:
        cache.close()


def test_answers_are_copied_in_process_and_dropped_everywhere_on_invalidation(shared) -> None:
    one, two = shared(), shared()
    _, generation = one.get("k")
    one.set("k", b"v", generation, TAG)
    assert one.peek("k") == (b"v", TAG)  # stored here with its tag
    assert two.peek("k") is None  # not yet read in the other process
    assert two.get("k")[0] == b"v"  # from Redis, then kept
    assert two.peek("k") == (b"v", None)
    two.retag("k", TAG)
    assert two.peek("k") == (b"v", TAG)
    one.invalidate()
    assert _until(lambda: two.peek("k") is None)
    assert one.peek("k") is None and two.get("k")[0] is None


def test_an_answer_read_before_an_invalidation_is_not_kept_after_it(shared) -> None:
    one, two = shared(), shared()
    _, before = two.get("k")  # a miss: two starts computing from the old data
    one.invalidate()
    assert _until(lambda: two.local.generation != before[0])
    two.set("k", b"old", before, TAG)
    assert two.peek("k") is None
    assert two.get("k")[0] is None  # nor is it reachable in Redis under the new generation


def test_copies_are_not_trusted_while_the_subscription_is_down(shared, redis_cache) -> None:
    cache = shared()
    _, generation = cache.get("k")
    cache.set("k", b"v", generation, TAG)
    assert cache.peek("k") is not None
    # The server drops the subscriber's connection: messages may be lost from now on.
    redis_cache._client.client_kill_filter(_type="pubsub")
    assert _until(lambda: not cache.live or cache.peek("k") is None)
    assert cache.peek("k") is None  # the copies went with the connection
    assert _until(lambda: cache.live)  # resubscribed
    assert cache.get("k")[0] == b"v"  # Redis still had it


def test_a_shared_cache_without_redis_is_all_misses() -> None:
    cache = SharedCache("redis://127.0.0.1:1/0", ttl_seconds=5)
    try:
        assert not cache.live and cache.peek("k") is None
        value, generation = cache.get("k")
        assert value is None
        cache.set("k", b"v", generation, TAG)
        cache.invalidate()
        assert cache.peek("k") is None and cache.stats.errors >= 2
    finally:
        started = time.monotonic()
        cache.close()
        assert time.monotonic() - started < 3


def test_two_servers_on_one_redis_see_each_others_invalidations(
    api, portfolio, redis_cache
) -> None:
    # Two apps on one Redis, as two `--workers` processes: one suppresses a finding, and the
    # other's copy of the findings page goes at once, not when its TTL runs out.
    one = api(redis_url=REDIS_URL, cache_prefix=redis_cache.prefix)
    two = api(redis_url=REDIS_URL, cache_prefix=redis_cache.prefix)
    for client in (one, two):
        assert _until(lambda c=client: c.app.state.optimus.cache.live)
    url = f"/api/v1/findings?project_id={portfolio.projects['billing']}"
    before = one.get(url).json()
    assert two.get(url).headers["X-Cache"] == "hit"  # from Redis
    assert two.get(url).headers["X-Cache"] == "hit"  # from its own copy
    finding = before["items"][0]["id"]
    assert one.post(f"/api/v1/findings/{finding}/suppress", json={"reason": "x"}).status_code == 200
    key = cache_key({"path": "/api/v1/findings", "query_string": url.split("?")[1].encode()})
    assert _until(lambda: two.app.state.optimus.cache.peek(key) is None)
    after = two.get(url)
    assert after.headers["X-Cache"] == "miss"
    states = {f["id"]: f["state"] for f in after.json()["items"]}
    assert states[finding] == "suppressed"
    assert two.get("/api/v1/system/metrics").json()["cache"]["copies_live"] is True


def test_auth_and_answer_messages_each_drop_only_their_own(shared) -> None:
    one, two = shared(), shared()
    cleared: list[bool] = []
    two.on_auth_change = lambda: cleared.append(True)
    _, generation = two.get("k")
    two.set("k", b"v", generation, TAG)
    one.announce_auth_change()
    assert _until(lambda: cleared == [True])
    assert two.peek("k") == (b"v", TAG)  # answers do not depend on who asks
    one.invalidate()
    assert _until(lambda: two.peek("k") is None)
    assert cleared == [True]


def test_a_key_revoked_through_one_server_is_refused_by_the_other_at_once(
    api, portfolio, keys, redis_cache
) -> None:
    settings = {"redis_url": REDIS_URL, "cache_prefix": redis_cache.prefix, "auth": True}
    one, two = api(**settings), api(**settings)
    for client in (one, two):
        assert _until(lambda c=client: c.app.state.optimus.cache.live)
    viewer = bearer(keys["viewer"])
    assert two.get("/api/v1/scans", headers=viewer).status_code == 200  # checked, trusted 5 s
    admin = bearer(keys["admin"])
    listed = one.get("/api/v1/keys?user=viewer", headers=admin).json()
    assert one.delete(f"/api/v1/keys/{listed[0]['id']}", headers=admin).status_code == 200
    assert _until(lambda: two.get("/api/v1/scans", headers=viewer).status_code == 401, 2.0)


def test_the_cli_tells_servers_on_redis_of_its_changes(
    api, portfolio, keys, redis_cache, database, capsys, monkeypatch, tmp_path, request
) -> None:
    from tests.cli.storecli import run_cli, url_of

    # The CLI announces under the default prefix, so this server uses it too (in the test
    # database of Redis; its keys are removed below).
    monkeypatch.setenv("OPTIMUS_REDIS_URL", REDIS_URL)
    client = api(redis_url=REDIS_URL, auth=True)
    request.addfinalizer(
        lambda: [
            redis_cache._client.delete(k) for k in redis_cache._client.scan_iter("optimus:api:*")
        ]
    )
    assert _until(lambda: client.app.state.optimus.cache.live)
    viewer = bearer(keys["viewer"])
    assert client.get("/api/v1/projects", headers=viewer).headers["X-Cache"] == "miss"
    assert client.get("/api/v1/projects", headers=viewer).headers["X-Cache"] == "hit"
    url = url_of(database)
    # A scan saved from the command line: the server's answers go at once.
    (tmp_path / "cli-scan").mkdir()
    (tmp_path / "cli-scan" / "app.py").write_text("import os\n")
    folder = str(tmp_path / "cli-scan")
    saved = run_cli(capsys, "scan", folder, "--save", "--database", url, "--no-engines")
    assert saved.code in (0, 1), saved.err
    assert "could not tell" not in saved.err
    assert _until(lambda: client.get("/api/v1/projects", headers=viewer).json()["total"] == 4)
    # A key revoked from the command line: refused at once, not after --auth-cache-ttl.
    with database.session() as s:
        (key, _), *_ = users.list_api_keys(s, "viewer")
    revoked = run_cli(capsys, "apikey", "revoke", str(key.id), "--database", url)
    assert revoked.code == 0 and "could not tell" not in revoked.err
    assert _until(lambda: client.get("/api/v1/scans", headers=viewer).status_code == 401, 2.0)
