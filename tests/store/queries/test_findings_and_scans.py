"""Finding and scan queries on both backends: severity order, cursors, counts by status."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.errors import UsageError
from optimus.model import Severity
from optimus.store.db import Database
from optimus.store.queries.findings import FindingFilter, list_findings
from optimus.store.queries.rebuild import open_scan_result
from optimus.store.queries.scans import counts_by_status, list_scans
from optimus.store.record import record_scan
from optimus.store.scans import queue_scan
from tests.store.factories import finding, result


@pytest.fixture
def recorded(database: Database, tmp_path: Path) -> Database:
    found = [
        finding("f1", severity=Severity.LOW),
        finding("f2", severity=Severity.CRITICAL, path="src/lib.rs"),
        finding("f3", severity=Severity.MEDIUM, path="src/io.rs"),
    ]
    record_scan(database, result(str(tmp_path), found))
    return database


def test_severity_sort_puts_the_worst_first(recorded: Database) -> None:
    with recorded.session() as s:
        page = list_findings(s, FindingFilter(), sort="severity")
    assert [f.severity for f in page.items] == ["critical", "medium", "low"]


def test_cursor_pages_by_id(recorded: Database) -> None:
    with recorded.session() as s:
        first = list_findings(s, FindingFilter(), limit=2)
        assert first.next_cursor is not None and first.total == 3
        rest = list_findings(s, FindingFilter(), limit=2, cursor=first.next_cursor)
    assert rest.next_cursor is None
    ids = [f.id for f in first.items + rest.items]
    assert ids == sorted(ids) and len(set(ids)) == 3


def test_cursor_needs_id_order(recorded: Database) -> None:
    with recorded.session() as s:
        cursor = list_findings(s, FindingFilter(), limit=1).next_cursor
        with pytest.raises(UsageError, match="sort=id"):
            list_findings(s, FindingFilter(), sort="severity", cursor=cursor)
        with pytest.raises(UsageError, match="unknown sort"):
            list_findings(s, FindingFilter(), sort="rule")


def test_counts_by_status_names_every_state(recorded: Database) -> None:
    with recorded.session() as s:
        queue_scan(s, "/x", requested_by="api")
        assert counts_by_status(s) == {"queued": 1, "running": 0, "done": 1, "failed": 0}
        assert [x.status for x in list_scans(s, status=("queued",)).items] == ["queued"]


def test_rebuilt_result_matches_the_recorded_one(recorded: Database, tmp_path: Path) -> None:
    from optimus.store.models import Project

    with recorded.session() as s:
        project = s.query(Project).one()
        rebuilt = open_scan_result(s, project)
    assert rebuilt.root == str(tmp_path)
    assert rebuilt.projects[0].stack.languages["Rust"].lines == 120
    assert sorted(f.path for f in rebuilt.findings) == [
        "svc/src/io.rs",
        "svc/src/lib.rs",
        "svc/src/main.rs",
    ]
    assert {f.fingerprint for f in rebuilt.findings} == {"f1", "f2", "f3"}
