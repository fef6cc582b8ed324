"""What routes depend on: the app's state, the caller and their role, cached JSON, the audit.

``require(role)`` is the one gate every route passes through: with auth off (loopback, not
``--auth``) every caller is the anonymous admin; with auth on, a key or token is required and
its user's role must reach ``role``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from optimus.api import auth
from optimus.api.cache import Cache
from optimus.api.errors import ApiError
from optimus.api.fast_path import cache_key
from optimus.api.jobs import ScanJobs
from optimus.api.metrics import RequestMetrics
from optimus.api.settings import ApiSettings
from optimus.store import users
from optimus.store.db import Database


@dataclass
class AppState:
    """Everything a request may need, built once per app by ``create_app``."""

    settings: ApiSettings
    db: Database
    cache: Cache
    jobs: ScanJobs
    metrics: RequestMetrics
    touches: auth.KeyTouches
    logins: auth.LoginThrottle = field(default_factory=auth.LoginThrottle)
    inflight: dict[str, asyncio.Future[bytes]] = field(default_factory=dict)


def state(request: Request) -> AppState:
    """The app's state."""
    return request.app.state.optimus


def authenticate(request: Request) -> auth.Principal:
    """The caller; 401 when auth is on and the request carries no valid key or token."""
    app = state(request)
    if not app.settings.auth_enabled:
        return auth.ANONYMOUS
    given = auth.credential(request)
    if given is None:
        raise ApiError(
            401,
            "authentication required: send `Authorization: Bearer <API key or token>` or "
            "`X-API-Key: <key>` (create a key with `optimus apikey create`)",
            headers={"WWW-Authenticate": 'Bearer realm="optimus"'},
        )
    kind, value = given
    with app.db.session() as session:
        if kind == "key":
            user = auth.user_from_key(session, value, app.touches)
            return auth.principal_of(user, "api-key")
        user = auth.user_from_token(session, value, app.settings.jwt_secret or "")
        return auth.principal_of(user, "token")


def require(role: str) -> Callable[[Request], Awaitable[auth.Principal]]:
    """A dependency that lets through callers whose role is at least ``role``."""

    async def dependency(request: Request) -> auth.Principal:
        # With auth off nothing is looked up: answer on the event loop. With auth on, the
        # key or token check reads the database, so it runs in the thread pool.
        if not state(request).settings.auth_enabled:
            caller = auth.ANONYMOUS
        else:
            caller = await run_in_threadpool(authenticate, request)
        if not caller.allows(role):
            raise ApiError(403, f"this needs the {role} role; {caller.name} is a {caller.role}")
        request.state.principal = caller
        return caller

    dependency.__name__ = f"require_{role}"
    return dependency


def remote(request: Request) -> str | None:
    """The client address, for the audit log."""
    return request.client.host if request.client else None


def record(
    request: Request,
    session: Any,
    caller: auth.Principal,
    action: str,
    target: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write one audit entry in the caller's transaction (scrubbed of secrets by the store)."""
    actor = caller.name if caller.via != "no-auth" else "anonymous (auth off)"
    users.audit(session, actor, action, target, detail, remote(request))


async def _single_flight(
    app: AppState,
    key: str,
    build: Callable[[], BaseModel | bytes],
    generation: int,
    route: str | None,
) -> tuple[bytes, str]:
    # Concurrent misses of one key wait for the first one's answer instead of each running
    # the same query: after an invalidation, 100 clients cost one query, not 100.
    pending = app.inflight.get(key)
    if pending is not None:
        try:
            return await asyncio.shield(pending), "shared"
        except asyncio.CancelledError:
            if not pending.cancelled():
                raise  # this request itself was cancelled
            # The first request went away before its answer: compute it here instead.

    def compute() -> bytes:
        built = build()
        value = built if isinstance(built, bytes) else built.model_dump_json().encode()
        app.cache.set(key, value, generation, route)
        return value

    future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
    app.inflight[key] = future
    try:
        body = await run_in_threadpool(compute)
    except Exception as exc:
        future.set_exception(exc)
        future.exception()  # retrieved here, so an unwaited failure is not logged twice
        raise
    else:
        future.set_result(body)
    finally:
        if app.inflight.get(key) is future:
            del app.inflight[key]
        if not future.done():  # cancelled (the client went away): release the waiters
            future.cancel()
    return body, "miss"


async def cached_json(request: Request, build: Callable[[], BaseModel | bytes]) -> Response:
    """The cached JSON of this GET, or ``build()``'s, cached for the next identical GET.

    ``build`` returns a model, or the JSON bytes themselves where a route writes them faster.

    A hit in the in-process cache is answered on the event loop without a thread hop;
    Redis lookups and ``build`` (which reads the database) run in the thread pool.
    """
    app = state(request)
    key = cache_key(request.scope)
    in_process = app.cache.backend != "redis"
    if in_process:
        body, generation = app.cache.get(key)
    else:
        body, generation = await run_in_threadpool(app.cache.get, key)
    outcome = "hit"
    if body is None:
        # The route template goes with the answer, for the metrics of later hits.
        route = getattr(request.scope.get("route"), "path", None)
        body, outcome = await _single_flight(app, key, build, generation, route)
    return Response(body, media_type="application/json", headers={"X-Cache": outcome})
