"""Health (open to all, for load balancers) and Optimus's own figures (viewer)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from optimus.api.deps import require, state
from optimus.api.schemas import HealthOut
from optimus.store.queries.scans import counts_by_status

router = APIRouter(tags=["system"])


@router.get("/api/v1/health", response_model=HealthOut)
def health(request: Request) -> Any:
    """Whether the server and its database answer; 503 when the database does not."""
    from optimus import __version__

    app = state(request)
    database_ok = app.db.ping()
    body = HealthOut(
        status="ok" if database_ok else "degraded",
        version=__version__,
        database="ok" if database_ok else "unavailable",
        database_backend=app.db.backend,
        cache=app.cache.backend,
        auth=app.settings.auth_enabled,
    )
    return Response(
        body.model_dump_json(),
        status_code=200 if database_ok else 503,
        media_type="application/json",
    )


def _figures(request: Request) -> dict[str, Any]:
    app = state(request)
    with app.db.session() as session:
        scans = counts_by_status(session)
    stats = app.cache.stats
    return {
        "cache": {
            "backend": app.cache.backend,
            "hits": stats.hits,
            "misses": stats.misses,
            "hit_rate": stats.hit_rate,
            "errors": stats.errors,
            "invalidations": stats.invalidations,
            # With Redis: whether this process's copies are kept right (answered from here).
            "copies_live": getattr(app.cache, "live", None),
        },
        "scans": {
            **scans,
            "in_flight_here": app.jobs.in_flight,
            "workers": app.jobs.workers,
        },
        "requests": app.metrics.summary(),
    }


@router.get("/api/v1/system/metrics", dependencies=[Depends(require("viewer"))])
def system_metrics(request: Request) -> dict[str, Any]:
    """Cache hit rate, scans by state, and per-route request counts and latency percentiles."""
    return _figures(request)


@router.get(
    "/metrics",
    dependencies=[Depends(require("viewer"))],
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
)
def prometheus(request: Request) -> Response:
    """The same figures in Prometheus's text format."""
    return Response(
        generate_latest(state(request).metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
