"""Request counts and latencies: the JSON summary and the Prometheus text."""

from __future__ import annotations

from optimus.api.metrics import RequestMetrics, percentile


def test_percentile_by_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (
        50.0,
        95.0,
        99.0,
    )
    assert percentile([], 95) == 0.0
    assert percentile([7.0], 99) == 7.0


def test_summary_counts_errors_by_route() -> None:
    metrics = RequestMetrics()
    metrics.observe("GET", "/a/{id}", 200, 0.010)
    metrics.observe("GET", "/a/{id}", 503, 0.030)
    summary = metrics.summary()["GET /a/{id}"]
    assert (summary["requests"], summary["errors_5xx"], summary["p95_ms"]) == (2, 1, 30.0)


def test_routes_are_recorded_by_template(api, portfolio) -> None:
    client = api()
    for pid in portfolio.projects.values():
        client.get(f"/api/v1/projects/{pid}")
    client.get("/api/v1/nowhere")
    requests = client.get("/api/v1/system/metrics").json()["requests"]
    assert requests["GET /api/v1/projects/{project_id}"]["requests"] == 3
    assert requests["GET unmatched"]["requests"] == 1
    text = client.get("/metrics").text
    assert (
        'optimus_http_requests_total{method="GET",route="/api/v1/projects/{project_id}",'
        'status="200"} 3.0' in text
    )
    assert "optimus_cache_misses" in text
    assert "optimus_http_request_duration_seconds_bucket" in text


def test_unknown_methods_share_one_label(api) -> None:
    client = api()
    for method in ("BREW", "PROPFIND", "X-ANYTHING"):
        assert client.request(method, "/api/v1/projects").status_code == 405
    requests = client.get("/api/v1/system/metrics").json()["requests"]
    assert requests["OTHER /api/v1/projects"]["requests"] == 3
    assert not any(key.startswith(("BREW", "PROPFIND", "X-ANYTHING")) for key in requests)
