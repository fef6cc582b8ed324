"""Scans requested over the API: run in the background for real, only under a root."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from optimus.store.db import Database
from optimus.store.models import AuditLog
from tests.helpers import write_tree

SERVICE = {
    "svc/pyproject.toml": '[project]\nname = "svc"\nversion = "0"\ndependencies = ["requests"]\n',
    "svc/app.py": "import requests\n\n\ndef fetch(url):\n    return requests.get(url).json()\n",
}


def wait_for(client, scan_id: int, seconds: float = 120.0) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/scans/{scan_id}").json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"scan {scan_id} still {body['status']} after {seconds} s")


def test_scan_runs_in_the_background_and_lands(api, tmp_path: Path, database: Database) -> None:
    root = tmp_path / "projects"
    write_tree(root, SERVICE)
    client = api(roots=(str(root),))
    before = client.get("/api/v1/projects")
    assert before.json()["total"] == 0 and before.headers["X-Cache"] == "miss"
    assert client.get("/api/v1/projects").headers["X-Cache"] == "hit"

    response = client.post("/api/v1/scans", json={"path": str(root / "svc")})
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["status"] == "queued"
    assert response.headers["Location"] == accepted["status_url"]
    done = wait_for(client, accepted["scan_id"])
    assert done["status"] == "done", done
    assert done["requested_by"] == "anonymous" and done["files"] >= 2

    # The landed scan invalidated the cached (empty) list.
    projects = client.get("/api/v1/projects").json()
    assert projects["total"] == 1 and projects["items"][0]["name"] == "svc"
    pid = projects["items"][0]["id"]
    findings = client.get(f"/api/v1/findings?project_id={pid}").json()
    assert "http-no-timeout" in {f["rule"] for f in findings["items"]}
    listed = client.get("/api/v1/scans?status=done").json()
    assert [s["id"] for s in listed["items"]] == [accepted["scan_id"]]

    rescan = client.post(f"/api/v1/projects/{pid}/analyze")
    assert rescan.status_code == 202
    assert wait_for(client, rescan.json()["scan_id"])["status"] == "done"
    metrics = client.get("/api/v1/system/metrics").json()
    assert metrics["scans"]["done"] == 2 and metrics["scans"]["in_flight_here"] == 0
    with database.session() as s:
        actions = [a.action for a in s.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert actions == ["scan.request", "project.analyze"]


def test_a_scan_that_fails_says_why(api, tmp_path: Path) -> None:
    root = tmp_path / "projects"
    write_tree(root, {"bad/optimus.toml": "select = 42\n", "bad/app.py": "x = 1\n"})
    client = api(roots=(str(root),))
    accepted = client.post("/api/v1/scans", json={"path": str(root / "bad")}).json()
    done = wait_for(client, accepted["scan_id"])
    assert done["status"] == "failed"
    assert "optimus.toml" in done["error"]


@pytest.fixture
def jail(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "root"
    (root / "inside").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, root / "escape")
    return root, outside


@pytest.mark.parametrize(
    ("requested", "status", "code"),
    [
        ("{root}/../outside", 403, "path_not_allowed"),
        ("{root}/inside/../../outside", 403, "path_not_allowed"),
        ("{root}/escape", 403, "path_not_allowed"),
        ("{outside}", 403, "path_not_allowed"),
        ("/", 403, "path_not_allowed"),
        ("~", 403, "path_not_allowed"),
        ("~/projects", 403, "path_not_allowed"),
        ("inside", 422, "validation_error"),
        ("{root}/missing", 404, "not_found"),
        ("", 422, "validation_error"),
        ("{root}/in\u0000side", 422, "validation_error"),
    ],
)
def test_paths_outside_the_roots_are_refused(
    api, jail, requested: str, status: int, code: str, database: Database
) -> None:
    root, outside = jail
    client = api(roots=(str(root),))
    path = requested.format(root=root, outside=outside)
    response = client.post("/api/v1/scans", json={"path": path})
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert client.get("/api/v1/scans").json()["total"] == 0


def test_the_home_folder_is_refused_even_under_a_root(api, monkeypatch, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    client = api(roots=(str(tmp_path),))
    response = client.post("/api/v1/scans", json={"path": str(home)})
    assert response.status_code == 403
    assert "home folder" in response.json()["error"]["message"]


def test_without_roots_scanning_is_off(api, tmp_path: Path) -> None:
    response = api().post("/api/v1/scans", json={"path": str(tmp_path)})
    assert response.status_code == 403
    assert "--root" in response.json()["error"]["message"]


def test_scan_status_errors(api) -> None:
    client = api()
    assert client.get("/api/v1/scans/12345").status_code == 404
    assert client.get("/api/v1/scans/0").status_code == 422
    assert client.get("/api/v1/scans?status=lost").status_code == 422


def test_a_project_recorded_outside_the_roots_is_not_rescanned(api, portfolio, tmp_path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    client = api(roots=(str(elsewhere),))
    pid = portfolio.projects["billing"]
    for action in ("scan", "analyze"):
        response = client.post(f"/api/v1/projects/{pid}/{action}")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "path_not_allowed"
    assert client.post("/api/v1/projects/4242/scan").status_code == 404
    # Only the portfolio's own recorded scan: nothing was queued.
    assert client.get("/api/v1/scans?status=queued").json()["total"] == 0
    assert client.get("/api/v1/scans").json()["total"] == 1
