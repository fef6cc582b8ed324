"""Cached GET answers sent before routing: the cheapest path for the commonest request.

A cached GET through FastAPI still pays for routing, query validation, the role dependency
and a Response object (about 0.4 ms of CPU each); under 100 concurrent connections on two
cores that queueing is what sets the tail latency. Where the cache lives in this process, an
answer cached under the request's key is sent from here as it is, to a caller allowed to
read it: with auth off every caller is the anonymous admin; with auth on, the request's key
or token must be one the app checked lately (:class:`optimus.api.auth.PrincipalCache`) and its
role at least the one the route required when it stored the answer.

With Redis, the answers are this process's copies of Redis's (:class:`optimus.api.cache.
SharedCache`), trusted while its invalidation subscription is live. Only answers that
:func:`optimus.api.deps.cached_json` stored are found, under the same key
(:func:`cache_key`), so a hit is exactly what the route would have sent for this path and
query, and cached answers are the same for every caller who may read them. Everything else
(misses, other methods, a credential not checked lately or not enough) goes through
the app as before, which gives the 401 or 403 itself. The route template stored with the
answer goes into the scope, so the metrics count the answer under its route as before; a
copy without one (fetched from Redis, not yet read through its route) goes through the app.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from starlette.datastructures import QueryParams

from optimus.api.auth import ANONYMOUS, PrincipalCache, header_credential, role_rank
from optimus.api.cache import MemoryCache, SharedCache


def cache_key(scope: dict[str, Any]) -> str:
    """The cache key of a request: its path and its query with the parameters sorted."""
    params = QueryParams(scope.get("query_string", b""))
    query = "&".join(f"{k}={v}" for k, v in sorted(params.multi_items()))
    return f"{scope['path']}?{query}"


class RouteTemplate(NamedTuple):
    """What the metrics read of ``scope["route"]``: the route's path template."""

    path: str


class CachedAnswers:
    """ASGI middleware: answer a GET from the in-process cache before routing."""

    def __init__(
        self,
        app: Any,
        cache: MemoryCache | SharedCache | None,
        principals: PrincipalCache | None = None,
    ) -> None:
        # cache is None where caching is switched off; a SharedCache answers from this
        # process's copies while they are kept right. principals is None with auth off
        # (every caller is the anonymous admin).
        self.app = app
        self.cache = cache
        self.principals = principals

    def _caller_role(self, scope: dict[str, Any]) -> str | None:
        if self.principals is None:
            return ANONYMOUS.role
        value = header_credential(scope["headers"])
        caller = self.principals.get(value) if value is not None else None
        return caller.role if caller is not None else None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self.cache is not None and scope["type"] == "http" and scope["method"] == "GET":
            found = self.cache.peek(cache_key(scope))
            if found is not None:
                role = self._caller_role(scope)
                body, tag = found
                if role is not None and tag is not None and role_rank(role) >= role_rank(tag.role):
                    self.cache.count_hit()
                    if tag.route is not None:
                        scope["route"] = RouteTemplate(tag.route)
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 200,
                            "headers": [
                                (b"content-length", str(len(body)).encode()),
                                (b"content-type", b"application/json"),
                                (b"x-cache", b"hit"),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)
