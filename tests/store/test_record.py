"""Recording scans: projects upserted, figures per scan, each finding's life across scans."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from optimus.analyze.engine import ScanOptions, scan
from optimus.model import Severity
from optimus.store import findings as finding_writes
from optimus.store.db import Database
from optimus.store.errors import Conflict
from optimus.store.models import Finding, Project, ProjectMetrics, Scan
from optimus.store.record import record_scan
from optimus.store.scans import fail_scan, queue_scan, start_scan
from tests.helpers import write_tree
from tests.store.factories import finding, result


def _states(db: Database) -> dict[str, str]:
    with db.session() as s:
        return {f.fingerprint: f.state for f in s.scalars(select(Finding))}


def test_first_scan_stores_projects_findings_and_metrics(
    database: Database, tmp_path: Path
) -> None:
    found = [
        finding("a" * 16, severity=Severity.HIGH, count=226),
        finding("b" * 16, rule="large-file", path="src/big.rs", line=None),
    ]
    scan_id = record_scan(database, result(str(tmp_path), found), requested_by="tester")
    with database.session() as s:
        scan_row = s.get(Scan, scan_id)
        assert (scan_row.status, scan_row.requested_by, scan_row.findings_total) == (
            "done",
            "tester",
            2,
        )
        assert scan_row.finished_at >= scan_row.started_at
        project = s.scalar(select(Project))
        assert (project.root, project.path, project.name) == (str(tmp_path), "svc", "svc")
        assert project.last_scan_id == scan_id
        assert project.open_findings == 2
        assert project.stack["languages"]["Rust"] == {"files": 3, "lines": 120}
        rows = {f.fingerprint: f for f in s.scalars(select(Finding))}
        first = rows["a" * 16]
        assert (first.state, first.path, first.count, first.severity) == (
            "open",
            "src/main.rs",
            226,
            "high",
        )
        assert first.first_scan_id == first.last_scan_id == scan_id
        metrics = s.scalar(select(ProjectMetrics))
        assert metrics.by_severity == {"high": 1, "medium": 1}
        assert metrics.by_rule == {"unwrap-density": 1, "large-file": 1}
        assert metrics.by_category == {"reliability": 2}
        assert (metrics.files, metrics.lines, metrics.findings_total) == (3, 120, 2)


def test_lifecycle_open_fixed_reopened(database: Database, tmp_path: Path) -> None:
    root = str(tmp_path)
    a, b = finding("a" * 16), finding("b" * 16, line=9)
    first = record_scan(database, result(root, [a, b]))
    second = record_scan(database, result(root, [a]))
    assert _states(database) == {"a" * 16: "open", "b" * 16: "fixed"}
    with database.session() as s:
        gone = s.scalar(select(Finding).where(Finding.fingerprint == "b" * 16))
        assert gone.fixed_at is not None
        assert gone.last_scan_id == first
        kept = s.scalar(select(Finding).where(Finding.fingerprint == "a" * 16))
        assert (kept.first_scan_id, kept.last_scan_id) == (first, second)
        assert s.scalar(select(Project.open_findings)) == 1

    moved = finding("b" * 16, line=12)  # back, on another line: the same finding
    third = record_scan(database, result(root, [a, moved]))
    assert _states(database) == {"a" * 16: "open", "b" * 16: "open"}
    with database.session() as s:
        back = s.scalar(select(Finding).where(Finding.fingerprint == "b" * 16))
        assert (back.fixed_at, back.line, back.last_scan_id, back.first_scan_id) == (
            None,
            12,
            third,
            first,
        )
        assert s.scalar(select(func.count()).select_from(Finding)) == 2
        assert s.scalar(select(func.count()).select_from(ProjectMetrics)) == 3


def test_suppressed_stays_suppressed(database: Database, tmp_path: Path) -> None:
    root = str(tmp_path)
    a, b = finding("a" * 16), finding("b" * 16)
    record_scan(database, result(root, [a, b]))
    with database.session() as s:
        row_id = s.scalar(select(Finding.id).where(Finding.fingerprint == "a" * 16))
        suppressed = finding_writes.suppress_finding(s, row_id, reason="vendored", by="alice")
        assert (suppressed.suppressed_by, suppressed.suppressed_reason) == ("alice", "vendored")
        assert s.scalar(select(Project.open_findings)) == 1
    record_scan(database, result(root, [b]))  # gone: not "fixed", still suppressed
    assert _states(database)["a" * 16] == "suppressed"
    last = record_scan(database, result(root, [a, b]))  # back: still suppressed
    assert _states(database)["a" * 16] == "suppressed"
    with database.session() as s:
        metrics = s.scalar(select(ProjectMetrics).where(ProjectMetrics.scan_id == last))
        assert metrics.findings_total == 1  # suppressed findings do not count
        with pytest.raises(Conflict, match="already suppressed"):
            finding_writes.suppress_finding(s, row_id, reason="again", by="bob")
        lifted = finding_writes.unsuppress_finding(s, row_id)
        assert lifted.state == "open"  # the latest scan saw it
        assert s.scalar(select(Project.open_findings)) == 2


def test_unsuppressing_a_finding_gone_since_marks_it_fixed(
    database: Database, tmp_path: Path
) -> None:
    root = str(tmp_path)
    record_scan(database, result(root, [finding("a" * 16)]))
    with database.session() as s:
        row_id = s.scalar(select(Finding.id))
        finding_writes.suppress_finding(s, row_id, reason="false positive", by="alice")
    record_scan(database, result(root, []))
    with database.session() as s:
        lifted = finding_writes.unsuppress_finding(s, row_id)
        assert (lifted.state, lifted.suppressed_reason) == ("fixed", None)
        assert lifted.fixed_at is not None


def test_scanning_one_project_leaves_the_others_alone(database: Database, tmp_path: Path) -> None:
    root = str(tmp_path)
    record_scan(
        database,
        result(root, [finding("a" * 16), finding("c" * 16, project="web")], ("svc", "web")),
    )
    record_scan(database, result(root, [finding("a" * 16)], ("svc",)))
    assert _states(database) == {"a" * 16: "open", "c" * 16: "open"}


def test_queued_scan_is_completed_and_cannot_be_recorded_twice(
    database: Database, tmp_path: Path
) -> None:
    with database.session() as s:
        queued = queue_scan(s, str(tmp_path), requested_by="api:alice", options={"jobs": 1})
        scan_id = queued.id
    with database.session() as s:
        running = start_scan(s, scan_id)
        assert running.status == "running" and running.started_at is not None
        with pytest.raises(Conflict, match="is running, not queued"):
            start_scan(s, scan_id)
    assert record_scan(database, result(str(tmp_path), []), scan_id=scan_id) == scan_id
    with database.session() as s:
        done = s.get(Scan, scan_id)
        assert (done.status, done.requested_by, done.options) == ("done", "api:alice", {"jobs": 1})
    with pytest.raises(Conflict, match="already ended"):
        record_scan(database, result(str(tmp_path), []), scan_id=scan_id)


def test_failed_scan_keeps_its_reason(database: Database, tmp_path: Path) -> None:
    with database.session() as s:
        scan_id = queue_scan(s, str(tmp_path), requested_by="api").id
        failed = fail_scan(s, scan_id, "path not found: /gone")
        assert (failed.status, failed.error) == ("failed", "path not found: /gone")
        with pytest.raises(Conflict):
            fail_scan(s, scan_id, "again")


def test_a_real_scan_records_and_rescans_stably(database: Database, tmp_path: Path) -> None:
    work = write_tree(
        tmp_path / "work",
        {
            "svc/pyproject.toml": "[project]\nname='svc'\ndependencies=['fastapi']\n",
            "svc/app.py": "import time\n\n\nasync def handler():\n    time.sleep(1)\n",
        },
    )
    options = ScanOptions(use_cache=False, jobs=1, overrides={"engines": []})
    first = scan([str(work)], options)
    assert any(f.rule == "blocking-call-in-async" for f in first.findings)
    record_scan(database, first)
    (work / "svc" / "app.py").write_text(
        "import time\n\n# a comment moves the call down\n\nasync def handler():\n"
        "    time.sleep(1)\n"
    )
    record_scan(database, scan([str(work)], options))
    with database.session() as s:
        rows = list(s.scalars(select(Finding).where(Finding.rule == "blocking-call-in-async")))
        assert len(rows) == 1
        assert (rows[0].state, rows[0].path, rows[0].line) == ("open", "app.py", 6)
    (work / "svc" / "app.py").write_text("import asyncio\n\n\nasync def handler():\n    pass\n")
    record_scan(database, scan([str(work)], options))
    with database.session() as s:
        row = s.scalar(select(Finding).where(Finding.rule == "blocking-call-in-async"))
        assert row.state == "fixed"
