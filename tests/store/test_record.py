"""Recording scans: projects upserted, figures per scan, each finding's life across scans."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from optimus.analyze.engine import ScanOptions, scan
from optimus.model import Severity
from optimus.report.score import rule_efforts, score_project
from optimus.store.db import Database
from optimus.store.models import Finding, Project, ProjectMetrics, Scan
from optimus.store.record import record_scan
from optimus.store.scans import queue_scan
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
        expected = score_project(found, 120, rule_efforts())
        assert (project.score, project.rating) == (expected.score, expected.rating)
        assert (metrics.score, metrics.rating, metrics.debt_minutes) == (
            expected.score,
            expected.rating,
            expected.debt_minutes,
        )


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


def test_scanning_one_project_leaves_the_others_alone(database: Database, tmp_path: Path) -> None:
    root = str(tmp_path)
    record_scan(
        database,
        result(root, [finding("a" * 16), finding("c" * 16, project="web")], ("svc", "web")),
    )
    record_scan(database, result(root, [finding("a" * 16)], ("svc",)))
    assert _states(database) == {"a" * 16: "open", "c" * 16: "open"}


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


def test_scan_queued_for_a_project_updates_that_project(database: Database, tmp_path: Path) -> None:
    root = str(tmp_path)
    record_scan(database, result(root, [finding("a" * 16, project="apps/svc")], ("apps/svc",)))
    with database.session() as s:
        project = s.scalar(select(Project))
        scan_id = queue_scan(
            s, str(tmp_path / "apps" / "svc"), requested_by="api", project_id=project.id
        ).id
    # The worker scanned the project's own folder: its project is "." there.
    own = finding("a" * 16, project=".", path="src/main.rs")
    record_scan(database, result(str(tmp_path / "apps" / "svc"), [own], (".",)), scan_id=scan_id)
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Project)) == 1
        again = s.scalar(select(Project))
        assert (again.root, again.path, again.last_scan_id) == (root, "apps/svc", scan_id)
        row = s.scalar(select(Finding))
        assert (row.state, row.path, row.last_scan_id) == ("open", "src/main.rs", scan_id)


@settings(max_examples=25, deadline=None)
@given(scans=st.lists(st.sets(st.sampled_from("abcdef")), min_size=1, max_size=6))
def test_lifecycle_invariants_over_any_sequence_of_scans(scans: list[set[str]]) -> None:
    """Whatever the scans saw: open = in the latest scan; fixed = seen before, not now."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{folder}/h.db")
        db.upgrade()
        for seen in scans:
            record_scan(db, result(folder, [finding(c * 16) for c in sorted(seen)]))
        ever = set().union(*scans)
        latest = scans[-1]
        assert _states(db) == {c * 16: "open" if c in latest else "fixed" for c in ever}
        with db.session() as s:
            assert s.scalar(select(Project.open_findings)) == len(latest)
            for row in s.scalars(select(Finding)):
                assert (row.fixed_at is None) == (row.state == "open")
        db.dispose()
