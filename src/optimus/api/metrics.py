"""Optimus's own health figures: requests, latencies, cache and scans.

``RequestMetrics`` is a plain ASGI middleware (cheaper than Starlette's BaseHTTPMiddleware on
every request) that counts requests by route template and status and keeps their latencies,
both as Prometheus series (text format at ``/metrics``) and as a window of recent samples
from which ``/api/v1/system/metrics`` reports p50/p95/p99. Each app has its own registry, so
two apps in one process (tests) never share counters.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

_WINDOW = 2048
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank of an already sorted list."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


class RequestMetrics:
    """Counters and latency samples, per route template."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._requests = Counter(
            "optimus_http_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self._latency = Histogram(
            "optimus_http_request_duration_seconds",
            "Time to answer, by route template.",
            ["method", "route"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self._lock = threading.Lock()
        self._samples: dict[str, deque[float]] = {}
        self._counts: dict[str, int] = {}
        self._errors: dict[str, int] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one answered request."""
        self._requests.labels(method, route, str(status)).inc()
        self._latency.labels(method, route).observe(seconds)
        key = f"{method} {route}"
        with self._lock:
            self._samples.setdefault(key, deque(maxlen=_WINDOW)).append(seconds)
            self._counts[key] = self._counts.get(key, 0) + 1
            if status >= 500:
                self._errors[key] = self._errors.get(key, 0) + 1

    def summary(self) -> dict[str, dict[str, Any]]:
        """Per route: requests, 5xx answers, and latency percentiles (ms) of recent ones."""
        with self._lock:
            snapshot = {k: sorted(v) for k, v in self._samples.items()}
            counts = dict(self._counts)
            errors = dict(self._errors)
        return {
            key: {
                "requests": counts[key],
                "errors_5xx": errors.get(key, 0),
                "p50_ms": round(percentile(values, 50) * 1000, 2),
                "p95_ms": round(percentile(values, 95) * 1000, 2),
                "p99_ms": round(percentile(values, 99) * 1000, 2),
            }
            for key, values in sorted(snapshot.items())
        }

    def add_gauges(self, read: Callable[[], dict[str, float]]) -> None:
        """Expose figures read at scrape time (cache, scans) as gauges."""
        self.registry.register(_Gauges(read))


class _Gauges:
    def __init__(self, read: Callable[[], dict[str, float]]) -> None:
        self._read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for name, value in self._read().items():
            yield GaugeMetricFamily(f"optimus_{name}", name.replace("_", " "), value=value)

    def describe(self) -> list[Any]:
        # Empty: the registry must not call collect() (and read the database) at registration.
        return []


class MetricsMiddleware:
    """Times every HTTP request and records it under its route template."""

    def __init__(self, app: Any, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            # The template (/projects/{project_id}), never the raw path: bounded label values.
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "GET")
            # Any token is a method to HTTP: keep the label set bounded all the same.
            method = method if method in _METHODS else "OTHER"
            self.metrics.observe(method, template, status, time.perf_counter() - started)
