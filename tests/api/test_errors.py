"""Errors are JSON of one shape; a database that is down is a 503 and the server lives on."""

from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient

from optimus.api import ApiSettings, create_app
from tests.api.conftest import SECRET


def closed_port() -> int:
    # Bind and close: nothing listens there for the rest of the test.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def down() -> TestClient:
    url = f"postgresql://postgres:hunter2-secret@127.0.0.1:{closed_port()}/optimus"
    # migrate=True: start-up tries to migrate, fails, and the app starts anyway.
    app = create_app(ApiSettings(database_url=url, jwt_secret=SECRET, migrate=True))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/projects", None),
        ("GET", "/api/v1/projects/1", None),
        ("GET", "/api/v1/findings?severity=high", None),
        ("GET", "/api/v1/analysis/1/security", None),
        ("GET", "/api/v1/scans/1", None),
        ("GET", "/api/v1/system/metrics", None),
        ("POST", "/api/v1/findings/1/suppress", {"reason": "x"}),
        ("GET", "/api/v1/users", None),
    ],
)
def test_database_down_is_503_with_a_clear_message(down: TestClient, method, path, body) -> None:
    response = down.request(method, path, json=body)
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["code"] == "database_unavailable"
    assert "database unavailable" in error["message"]
    assert "hunter2" not in response.text
    assert response.headers["Retry-After"] == "5"


def test_the_outage_is_logged_without_the_password(caplog) -> None:
    url = f"postgresql://postgres:hunter2-secret@127.0.0.1:{closed_port()}/optimus"
    app = create_app(ApiSettings(database_url=url, jwt_secret=SECRET, migrate=True))
    with caplog.at_level("DEBUG"), TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/v1/findings").status_code == 503
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "database not ready at start-up" in logged
    assert "hunter2" not in logged


def test_health_reports_the_outage_and_the_server_keeps_answering(down: TestClient) -> None:
    for _ in range(3):
        response = down.get("/api/v1/health")
        assert response.status_code == 503
        assert response.json()["database"] == "unavailable"
        assert response.json()["status"] == "degraded"
    assert down.get("/docs").status_code == 200


def test_health_when_the_database_answers(api) -> None:
    from optimus import __version__

    body = api().get("/api/v1/health").json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["version"] == __version__ and body["cache"] == "memory"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/nothing-here", 404, "not_found"),
        ("DELETE", "/api/v1/projects", 405, "method_not_allowed"),
        ("PUT", "/api/v1/health", 405, "method_not_allowed"),
        ("GET", "/api/v1/runtime/status", 404, "not_found"),
        ("POST", "/api/v1/monetization/1/recommend", 404, "not_found"),
    ],
)
def test_routing_errors_are_json(api, method, path, status, code) -> None:
    response = api().request(method, path)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_a_bug_is_a_500_without_its_traceback(api, monkeypatch) -> None:
    from optimus.store.queries import scans

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(scans, "counts_by_status", broken)
    monkeypatch.setattr("optimus.api.routes.system.counts_by_status", broken)
    response = api().get("/api/v1/system/metrics")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_openapi_is_served(api) -> None:
    client = api()
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for expected in (
        "/api/v1/projects",
        "/api/v1/projects/{project_id}/scan",
        "/api/v1/projects/{project_id}/analyze",
        "/api/v1/analysis/{project_id}/quality",
        "/api/v1/findings/{finding_id}/suppress",
        "/api/v1/scans",
        "/api/v1/health",
    ):
        assert expected in paths
    assert not any(p.startswith(("/api/v1/runtime", "/api/v1/monetization")) for p in paths)
    assert set(spec["components"]["securitySchemes"]) == {"bearer", "apiKey"}
    assert paths["/api/v1/health"]["get"]["security"] == []
    assert client.get("/docs").status_code == 200
