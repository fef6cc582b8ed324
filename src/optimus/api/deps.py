"""What routes depend on: the app's state, the caller and their role, cached JSON, the audit.

``require(role)`` is the one gate every route passes through: with auth off (loopback, not
``--auth``) every caller is the anonymous admin; with auth on, a key or token is required and
its user's role must reach ``role``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from optimus.api import auth
from optimus.api.cache import AnswerTag, Cache
from optimus.api.errors import ApiError
from optimus.api.fast_path import cache_key
from optimus.api.jobs import ScanJobs
from optimus.api.metrics import RequestMetrics
from optimus.api.settings import ApiSettings
from optimus.store import users
from optimus.store.db import Database

READER_THREADS = 4


@dataclass
class AppState:
    """Everything a request may need, built once per app by ``create_app``."""

    settings: ApiSettings
    db: Database
    cache: Cache
    jobs: ScanJobs
    metrics: RequestMetrics
    touches: auth.KeyTouches
    principals: auth.PrincipalCache
    logins: auth.LoginThrottle = field(default_factory=auth.LoginThrottle)
    inflight: dict[str, asyncio.Future[bytes]] = field(default_factory=dict)
    # The threads that compute cached answers (database reads). Few on purpose: on two cores,
    # 40 threads (the default pool's size) only fight for the GIL, and a queue of misses
    # drains faster through a few (bench/api_bench.py, cache off: see README).
    readers: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(READER_THREADS, "optimus-read")
    )


def state(request: Request) -> AppState:
    """The app's state."""
    return request.app.state.optimus


def authenticate(request: Request, given: tuple[str, str]) -> auth.Principal:
    """The caller a key or token belongs to, read from the database; 401 when it is invalid.

    A caller that passes is remembered in the app's ``PrincipalCache`` for its TTL.
    """
    app = state(request)
    kind, value = given
    generation = app.principals.generation
    expires_at = None
    with app.db.session() as session:
        if kind == "key":
            caller = auth.principal_of(auth.user_from_key(session, value, app.touches), "api-key")
        else:
            user, expires_at = auth.user_from_token(session, value, app.settings.jwt_secret or "")
            caller = auth.principal_of(user, "token")
    app.principals.put(value, caller, generation, expires_at)
    return caller


def require(role: str) -> Callable[[Request], Awaitable[auth.Principal]]:
    """A dependency that lets through callers whose role is at least ``role``."""

    async def dependency(request: Request) -> auth.Principal:
        # With auth off nothing is looked up, nor for a caller checked moments ago: answer
        # on the event loop. Otherwise the key or token check reads the database, so it runs
        # in the thread pool.
        app = state(request)
        if not app.settings.auth_enabled:
            caller = auth.ANONYMOUS
        else:
            given = auth.credential(request)
            if given is None:
                raise auth.unauthorized(
                    "authentication required: send `Authorization: Bearer <API key or token>` "
                    "or `X-API-Key: <key>` (create a key with `optimus apikey create`)"
                )
            cached = app.principals.get(given[1])
            caller = cached or await run_in_threadpool(authenticate, request, given)
        if not caller.allows(role):
            raise ApiError(403, f"this needs the {role} role; {caller.name} is a {caller.role}")
        request.state.principal = caller
        # A cached answer remembers the least role that may read it (see fast_path).
        request.state.required_role = role
        return caller

    dependency.__name__ = f"require_{role}"
    return dependency


def users_changed(request: Request) -> None:
    """After a commit that changed users or keys: every caller is checked again, in this
    process at once and, through Redis where there is one, in the others."""
    app = state(request)
    app.principals.clear()
    app.cache.announce_auth_change()


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
    generation: Any,
    tag: AnswerTag,
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
        app.cache.set(key, value, generation, tag)
        return value

    future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
    app.inflight[key] = future
    try:
        body = await asyncio.get_running_loop().run_in_executor(app.readers, compute)
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

    A hit in the in-process cache (or in this process's copy of Redis's) is answered on the
    event loop without a thread hop; Redis lookups run in the thread pool and ``build``
    (which reads the database) on the reader threads.
    """
    app = state(request)
    key = cache_key(request.scope)
    # The route template (for the metrics of later hits) and the least role that may read
    # the answer go with it, for the answer sent before routing.
    tag = AnswerTag(
        route=getattr(request.scope.get("route"), "path", None),
        role=getattr(request.state, "required_role", "admin"),
    )
    found = app.cache.peek(key)
    if found is not None:
        body, stored = found
        app.cache.count_hit()
        if stored is None:  # a copy of Redis's answer: tag it for the path before routing
            app.cache.retag(key, tag)
        return Response(body, media_type="application/json", headers={"X-Cache": "hit"})
    if app.cache.backend == "redis":
        body, generation = await run_in_threadpool(app.cache.get, key)
    else:
        body, generation = app.cache.get(key)
    outcome = "hit"
    if body is None:
        body, outcome = await _single_flight(app, key, build, generation, tag)
    return Response(body, media_type="application/json", headers={"X-Cache": outcome})
