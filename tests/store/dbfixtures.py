"""Database fixtures for every test that stores something: SQLite and a real PostgreSQL.

Loaded for the whole suite through ``pytest_plugins`` in tests/conftest.py, so API and CLI
tests use the same fixtures. ``database`` is parametrized over both backends; ``sqlite_db``
and ``postgres_url`` give one each. PostgreSQL gets a fresh database per test session
(``optimus_test_<hex>``, dropped at the end, since other suites share the server), migrated
once and emptied between tests. When the server is unreachable its tests are skipped with
the reason, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from optimus.store.db import Database
from optimus.store.models import Base

PG_SERVER = os.environ.get("OPTIMUS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _unreachable(reason: str) -> None:
    message = f"PostgreSQL at {PG_SERVER.split('@')[-1]} unreachable ({reason})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI=true requires it")
    pytest.skip(message)


class PostgresServer:
    """Creates and drops scratch databases on the shared test server."""

    def __init__(self) -> None:
        self.admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def create(self) -> str:
        """A new empty database; its URL."""
        name = f"optimus_test_{secrets.token_hex(6)}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return f"{PG_SERVER}/{name}"

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The shared server, or a skip (a failure under CI=true) when it is unreachable."""
    server = PostgresServer()
    try:
        with server.admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        server.admin.dispose()
        _unreachable(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def _migrated_postgres(postgres_server: PostgresServer) -> Iterator[Database]:
    db = Database(postgres_server.create())
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh, empty (never migrated) PostgreSQL database."""
    return postgres_server.create()


@pytest.fixture
def postgres_db(_migrated_postgres: Database) -> Iterator[Database]:
    """A migrated PostgreSQL database, emptied before each test."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with _migrated_postgres.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield _migrated_postgres


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database in a temporary file."""
    db = Database(f"sqlite:///{tmp_path / 'history.db'}")
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Database:
    """A migrated, empty database: each test runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param.replace('postgresql', 'postgres')}_db")
