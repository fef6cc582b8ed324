"""API test set-up: the real app over a real database (SQLite and PostgreSQL), via httpx.

``api`` builds an app for a migrated database and returns a client factory, so a test can
choose auth, roots and the cache; ``portfolio`` records a small history through the store's
own ``record_scan``; ``keys`` creates one user and API key per role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from optimus.api import ApiSettings, create_app
from optimus.model import Category, Severity
from optimus.store import users
from optimus.store.db import Database
from optimus.store.models import Project
from optimus.store.record import record_scan
from tests.store.factories import finding, result

SECRET = "test-secret-" + "x" * 40
ROLES = ("viewer", "operator", "admin")


def url_of(db: Database) -> str:
    """The database's URL with its password, as the app needs it."""
    return db.url.render_as_string(hide_password=False)


@pytest.fixture
def api(database: Database) -> Iterator[Callable[..., TestClient]]:
    """Build clients for apps on ``database``; every app is shut down after the test."""
    opened: list[TestClient] = []

    def make(**values: object) -> TestClient:
        values.setdefault("database_url", url_of(database))
        values.setdefault("jwt_secret", SECRET)
        values.setdefault("migrate", False)
        values.setdefault("scan_workers", 1)
        client = TestClient(create_app(ApiSettings(**values)), raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@dataclass
class Portfolio:
    """Ids of what ``portfolio`` recorded."""

    root: str
    projects: dict[str, int]
    scan_id: int


@pytest.fixture
def portfolio(database: Database, tmp_path: Path) -> Portfolio:
    """Three projects with findings of several rules, severities and categories."""
    found = [
        finding("a1", project="billing", severity=Severity.HIGH, count=226),
        finding("a2", project="billing", rule="large-file", path="src/big.rs", line=None),
        finding(
            "a3",
            project="billing",
            rule="http-no-timeout",
            category=Category.PERFORMANCE,
            severity=Severity.MEDIUM,
            path="app.py",
        ),
        finding(
            "a4",
            project="billing",
            rule="docker-root-user",
            category=Category.SECURITY,
            severity=Severity.HIGH,
            path="Dockerfile",
        ),
        finding("b1", project="search", severity=Severity.LOW),
    ]
    root = tmp_path / "portfolio"
    root.mkdir()
    scan_id = record_scan(
        database,
        result(str(root), found, projects=("billing", "search", "clean-lib")),
        requested_by="tester",
    )
    with database.session() as s:
        # Scores set by hand, so filters and sorts are checked against known values
        # whatever the scoring formula gives.
        graded = {"billing": (35.0, "D"), "search": (72.5, "B"), "clean-lib": (100.0, "A")}
        ids = {}
        for project in s.query(Project):
            project.score, project.rating = graded[project.name]
            ids[project.name] = project.id
    return Portfolio(root=str(root), projects=ids, scan_id=scan_id)


@pytest.fixture
def keys(database: Database) -> dict[str, str]:
    """One enabled user per role, named after it, with one API key each: role -> key."""
    made: dict[str, str] = {}
    with database.session() as s:
        for role in ROLES:
            user = users.create_user(s, role, role)
            made[role] = users.create_api_key(s, user, f"{role} key")[1]
    return made


def bearer(key: str) -> dict[str, str]:
    """The Authorization header for a key or token."""
    return {"Authorization": f"Bearer {key}"}
