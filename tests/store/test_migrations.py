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
    assert ("project_id", "id") in findings
    assert ("score",) in {tuple(ix["column_names"]) for ix in inspector.get_indexes("projects")}
    assert ("status", "requested_at") in {
        tuple(ix["column_names"]) for ix in inspector.get_indexes("scans")
    }


def test_unknown_revision_is_a_clear_error(empty_db: Database) -> None:
    with pytest.raises(StoreError, match="migration failed"):
        empty_db.upgrade("no-such-revision")


def test_data_survives_the_upgrade_to_head(empty_db: Database) -> None:
    from sqlalchemy import text

    empty_db.upgrade("0001")
    with empty_db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO scans (id, root, status, requested_by, requested_at) "
                "VALUES (1, '/p', 'done', 'cli', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO projects (id, root, path, name, first_seen, last_seen, "
                "last_scan_id, open_findings) "
                "VALUES (1, '/p', 'svc', 'svc', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, 0)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO project_metrics (project_id, scan_id, files, lines, "
                "findings_total, by_severity, by_category, by_rule, created_at) "
                "VALUES (1, 1, 3, 120, 0, '{}', '{}', '{}', CURRENT_TIMESTAMP)"
            )
        )
    empty_db.upgrade()
    with empty_db.engine.connect() as connection:
        row = connection.execute(text("SELECT lines, rule_counts FROM project_metrics")).one()
    assert tuple(row) == (120, None)


def test_ensure_current_migrates_once_and_refuses_a_newer_schema(sqlite_db: Database) -> None:
    from sqlalchemy import text

    sqlite_db.ensure_current()  # already current: nothing to do
    assert sqlite_db.current() == sqlite_db.head()
    with sqlite_db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="written by a newer Optimus"):
        sqlite_db.ensure_current()


def test_ensure_current_upgrades_an_older_schema(empty_db: Database) -> None:
    empty_db.upgrade("0001")
    empty_db.ensure_current()
    assert empty_db.current() == empty_db.head()


def test_0003_adds_the_project_page_index_and_takes_it_back(empty_db: Database) -> None:
    def findings_indexes() -> set[tuple[str, ...]]:
        return {
            tuple(ix["column_names"]) for ix in inspect(empty_db.engine).get_indexes("findings")
        }

    empty_db.upgrade("0002")
    assert ("project_id", "id") not in findings_indexes()
    empty_db.upgrade("0003")
    assert ("project_id", "id") in findings_indexes()
    empty_db.downgrade("0002")
    assert ("project_id", "id") not in findings_indexes()
    assert ("project_id", "state", "severity") in findings_indexes()  # the others stay
    empty_db.upgrade()
    assert empty_db.current() == empty_db.head()
