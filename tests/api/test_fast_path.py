"""Cached GET answers sent before routing: same answer as the route, only where safe."""

from __future__ import annotations

from optimus.api.fast_path import cache_key
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
    again = client.get(url, headers=bearer(keys["viewer"]))
    assert again.status_code == 200 and again.headers["X-Cache"] == "hit"


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
