"""Migrations: upgrade from empty, match the models, downgrade back to empty, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from optimus.store.db import Database
from optimus.store.errors import StoreError
from optimus.store.models import Base

TABLES = {
    "scans",
    "projects",
    "project_metrics",
    "findings",
    "users",
    "api_keys",
    "audit_log",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    db = Database(url)
    request.addfinalizer(db.dispose)
    return db


def _tables(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_then_downgrade_to_empty(empty_db: Database) -> None:
    assert empty_db.current() is None
    assert _tables(empty_db) == set()
    empty_db.upgrade()
    assert empty_db.current() == empty_db.head()
    assert _tables(empty_db) == TABLES
    empty_db.downgrade()
    assert empty_db.current() is None
    assert _tables(empty_db) == set()
    empty_db.upgrade()  # and up again: the downgrade left nothing behind that blocks it
    assert _tables(empty_db) == TABLES


def test_migrated_schema_matches_the_models(empty_db: Database) -> None:
    empty_db.upgrade()
    with empty_db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_served_indexes_exist(empty_db: Database) -> None:
    empty_db.upgrade()
    inspector = inspect(empty_db.engine)
    findings = {tuple(ix["column_names"]) for ix in inspector.get_indexes("findings")}
    assert ("project_id", "state", "severity") in findings
    assert ("project_id", "rule") in findings
    assert ("rule", "state") in findings
    assert ("score",) in {tuple(ix["column_names"]) for ix in inspector.get_indexes("projects")}
    assert ("status", "requested_at") in {
        tuple(ix["column_names"]) for ix in inspector.get_indexes("scans")
    }


def test_unknown_revision_is_a_clear_error(empty_db: Database) -> None:
    with pytest.raises(StoreError, match="migration failed"):
        empty_db.upgrade("no-such-revision")
