"""Cached GET answers sent before routing: same answer as the route, only where safe."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from optimus.api.auth import Principal, PrincipalCache
from optimus.api.cache import AnswerTag, MemoryCache
from optimus.api.fast_path import CachedAnswers, cache_key
from optimus.store import users
from optimus.store.db import Database
from tests.api.conftest import bearer


def test_a_hit_is_the_routes_answer_byte_for_byte(api, portfolio) -> None:
    client = api()
    pid = portfolio.projects["billing"]
    url = f"/api/v1/findings?project_id={pid}&limit=2"
    first, second = client.get(url), client.get(url)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"]
    assert int(second.headers["content-length"]) == len(first.content)
    cache = client.get("/api/v1/system/metrics").json()["cache"]
    assert (cache["hits"], cache["misses"]) == (1, 1)  # each request counted once


def test_hits_are_counted_under_their_route_template(api, portfolio) -> None:
    client = api()
    for _ in range(3):
        client.get("/api/v1/projects?sort=-score")
    for pid in portfolio.projects.values():
        for _ in range(2):
            client.get(f"/api/v1/projects/{pid}")
    requests = client.get("/api/v1/system/metrics").json()["requests"]
    assert requests["GET /api/v1/projects"]["requests"] == 3
    assert requests["GET /api/v1/projects/{project_id}"]["requests"] == 6
    assert "GET unmatched" not in requests


def test_with_auth_on_every_request_is_checked(api, portfolio, keys) -> None:
    client = api(auth=True)
    url = "/api/v1/projects"
    warm = client.get(url, headers=bearer(keys["viewer"]))
    assert warm.status_code == 200
    assert client.get(url).status_code == 401  # cached, but no credentials
    assert client.get(url, headers=bearer("opt_not_a_key")).status_code == 401
    again = client.get(url, headers=bearer(keys["viewer"]))
    assert again.status_code == 200 and again.headers["X-Cache"] == "hit"
    assert again.content == warm.content
    # Another caller's first request is checked against the database, then answered.
    other = client.get(url, headers={"X-API-Key": keys["operator"]})
    assert other.status_code == 200 and other.content == warm.content


def test_with_auth_on_a_hit_skips_routing_only_for_a_checked_caller(
    api, portfolio, keys, database: Database
) -> None:
    client = api(auth=True)
    url = "/api/v1/projects?limit=1"
    headers = bearer(keys["viewer"])
    assert client.get(url, headers=headers).headers["X-Cache"] == "miss"
    # The store changes behind the server's back (as `optimus apikey revoke` would): within
    # the auth cache's TTL the checked key is still trusted, on both paths.
    with database.session() as s:
        (key, _), *_ = users.list_api_keys(s, "viewer")
        users.revoke_api_key(s, key.id)
    assert client.get(url, headers=headers).status_code == 200  # before routing
    assert client.get("/api/v1/projects?limit=2", headers=headers).status_code == 200  # app
    # A change made through the server applies at once, to both paths.
    admin = bearer(keys["admin"])
    listed = client.get("/api/v1/users", headers=admin).json()
    operator_id = next(u["id"] for u in listed if u["name"] == "operator")
    client.patch(f"/api/v1/users/{operator_id}", json={"role": "viewer"}, headers=admin)
    assert client.get(url, headers=headers).status_code == 401
    assert client.get("/api/v1/projects?limit=2", headers=headers).status_code == 401


def _scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": "/api/v1/things",
        "query_string": b"",
        "headers": headers,
    }


def _through(middleware: CachedAnswers, scope: dict[str, Any]) -> tuple[bool, list[dict]]:
    """Whether the request went on to the app, and what the middleware itself sent."""
    routed: list[bool] = []
    sent: list[dict] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        routed.append(True)

    async def send(message: dict) -> None:
        sent.append(message)

    middleware.app = app
    asyncio.run(middleware(scope, None, send))
    return bool(routed), sent


@pytest.mark.parametrize(
    ("role", "answered"), [("viewer", False), ("operator", True), ("admin", True)]
)
def test_a_hit_needs_the_role_the_route_required(role: str, answered: bool) -> None:
    cache = MemoryCache()
    cache.set("/api/v1/things?", b"{}", 0, AnswerTag(route="/api/v1/things", role="operator"))
    principals = PrincipalCache()
    principals.put("opt_key", Principal("ann", role, 1, "api-key"), principals.generation)
    scope = _scope([(b"x-api-key", b"opt_key")])
    routed, sent = _through(CachedAnswers(None, cache, principals), scope)
    assert (bool(sent), routed) == (answered, not answered)
    assert cache.stats.hits == (1 if answered else 0)
    if answered:
        assert scope["route"].path == "/api/v1/things"
        assert dict(sent[0]["headers"])[b"x-cache"] == b"hit"


@pytest.mark.parametrize(
    "headers",
    [
        [],
        [(b"authorization", b"Bearer opt_other")],
        [(b"authorization", b"Basic opt_key")],
        [(b"authorization", b"Bearer opt_other"), (b"x-api-key", b"opt_key")],
        [(b"x-api-key", b"  ")],
    ],
)
def test_anything_but_one_checked_credential_goes_to_the_app(headers) -> None:
    cache = MemoryCache()
    cache.set("/api/v1/things?", b"{}", 0, AnswerTag(route=None, role="viewer"))
    principals = PrincipalCache()
    principals.put("opt_key", Principal("ann", "admin", 1, "api-key"), principals.generation)
    routed, sent = _through(CachedAnswers(None, cache, principals), _scope(headers))
    assert (routed, sent, cache.stats.hits) == (True, [], 0)


def test_only_gets_and_only_after_a_stored_answer(api, portfolio) -> None:
    client = api()
    assert client.get("/api/v1/projects?limit=1").headers["X-Cache"] == "miss"
    # a different query is a different answer
    assert client.get("/api/v1/projects?limit=2").headers["X-Cache"] == "miss"
    # a write invalidates: the next GET reads the database again
    assert client.post("/api/v1/findings/1/suppress", json={"reason": "noise"}).status_code == 200
    assert client.get("/api/v1/projects?limit=1").headers["X-Cache"] == "miss"


def test_the_key_ignores_parameter_order_and_keeps_repeats() -> None:
    def scope(path: str, query: bytes) -> dict:
        return {"path": path, "query_string": query}

    a = cache_key(scope("/api/v1/findings", b"severity=high&limit=5&rule=a&rule=b"))
    b = cache_key(scope("/api/v1/findings", b"rule=a&limit=5&rule=b&severity=high"))
    assert a == b
    assert a != cache_key(scope("/api/v1/findings", b"severity=high&limit=5&rule=a"))
    assert a != cache_key(scope("/api/v1/projects", b"severity=high&limit=5&rule=a&rule=b"))
