"""The app factory: ``create_app(settings)`` builds one FastAPI app with its own state.

Nothing connects when the app is built: the database is migrated (when asked) at start-up,
and a database that is down then only logs a warning; requests get 503 until it is back.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from fastapi import FastAPI

from optimus.api.auth import KeyTouches, PrincipalCache
from optimus.api.cache import MemoryCache, SharedCache, make_cache
from optimus.api.deps import AppState
from optimus.api.errors import install_error_handlers
from optimus.api.fast_path import CachedAnswers
from optimus.api.jobs import ScanJobs
from optimus.api.metrics import MetricsMiddleware, RequestMetrics
from optimus.api.routes import (
    analysis,
    audit,
    auth,
    findings,
    keys,
    projects,
    scans,
    system,
    users,
)
from optimus.api.schemas import ErrorBody
from optimus.api.settings import ApiSettings, load_jwt_secret
from optimus.errors import OptimusError
from optimus.store.db import Database

log = logging.getLogger("optimus.api")

SETTINGS_ENV = "OPTIMUS_API_SETTINGS"

_DESCRIPTION = """\
The history of Optimus's scans over HTTP: projects, their findings and analysis, scans
requested in the background, users and API keys.

Authenticate with `Authorization: Bearer <API key or token>` or `X-API-Key: <key>`.
Roles: **viewer** reads, **operator** also scans and suppresses, **admin** also manages
users and keys. Every error is `{"error": {"code", "message", "detail"}}`.

Runtime, orchestration, monetization and troubleshooting endpoints are not part of this
version (see docs/api.md).
"""


def create_app(settings: ApiSettings) -> FastAPI:
    """A new app serving ``settings``'s database; start-up migrates and checks it."""
    from optimus import __version__

    settings.check()
    if settings.jwt_secret is None:
        settings = replace(settings, jwt_secret=load_jwt_secret())
    db = Database(settings.database_url)
    cache = make_cache(settings.redis_url, settings.cache_prefix, settings.cache_ttl_seconds)
    metrics = RequestMetrics()
    jobs = ScanJobs(db, settings.scan_workers, landed=cache.invalidate)
    principals = PrincipalCache(settings.auth_cache_ttl_seconds)
    if isinstance(cache, SharedCache):
        # Users or keys changed in another process (a worker, the CLI): check callers again.
        cache.on_auth_change = principals.clear
    app_state = AppState(settings, db, cache, jobs, metrics, KeyTouches(), principals)
    metrics.add_gauges(
        lambda: {
            "cache_hits": cache.stats.hits,
            "cache_misses": cache.stats.misses,
            "cache_errors": cache.stats.errors,
            "scans_in_flight": jobs.in_flight,
            "scans_finished": jobs.finished,
            "scans_failed": jobs.failed,
        }
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.migrate:
            try:
                db.upgrade()
            except OptimusError as exc:
                # The server still starts: health says the database is down and requests
                # get 503 until it answers.
                log.warning("database not ready at start-up: %s", exc)
        yield
        jobs.shutdown(wait=False)
        app_state.readers.shutdown(wait=False, cancel_futures=True)
        cache.close()
        db.dispose()

    app = FastAPI(
        title="Optimus API",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
        responses={
            401: {"model": ErrorBody, "description": "No valid key or token."},
            403: {"model": ErrorBody, "description": "The caller's role is not enough."},
            404: {"model": ErrorBody, "description": "No such resource."},
            422: {"model": ErrorBody, "description": "A parameter or body field is invalid."},
            503: {"model": ErrorBody, "description": "The database is unavailable."},
        },
    )
    app.state.optimus = app_state
    install_error_handlers(app)
    for module in (system, auth, projects, analysis, findings, scans, users, keys, audit):
        app.include_router(module.router)
    # Cached answers go out before routing where the cache is in process; with auth on, to
    # callers checked lately whose role reaches the route's.
    app.add_middleware(
        CachedAnswers,
        cache=cache if isinstance(cache, MemoryCache | SharedCache) else None,
        principals=principals if settings.auth_enabled else None,
    )
    app.add_middleware(MetricsMiddleware, metrics=metrics)  # outermost: times both paths
    app.openapi = lambda: _openapi_with_security(app)  # type: ignore[method-assign]
    return app


def _openapi_with_security(app: FastAPI) -> dict:
    """The OpenAPI document, declaring the two ways to authenticate (for /docs' Authorize)."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        schema.setdefault("components", {})["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "API key or token"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        }
        schema["security"] = [{"bearer": []}, {"apiKey": []}]
        schema["paths"]["/api/v1/health"]["get"]["security"] = []
        app.openapi_schema = schema
    return app.openapi_schema


def create_app_from_env() -> FastAPI:
    """The factory uvicorn calls in each worker process: settings from OPTIMUS_API_SETTINGS."""
    import json

    raw = json.loads(os.environ[SETTINGS_ENV])
    raw["roots"] = tuple(raw.get("roots", ()))
    return create_app(ApiSettings(**raw))
