"""Suppressing stored findings with a reason, and lifting the suppression."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from optimus.model import Category
from optimus.report.score import score_project
from optimus.store import findings as finding_writes
from optimus.store.db import Database
from optimus.store.errors import Conflict
from optimus.store.models import Finding, Project, ProjectMetrics
from optimus.store.record import record_scan
from tests.store.factories import finding, result


def _states(db: Database) -> dict[str, str]:
    with db.session() as s:
        return {f.fingerprint: f.state for f in s.scalars(select(Finding))}


def test_suppressed_stays_suppressed(database: Database, tmp_path: Path) -> None:
    root = str(tmp_path)
    # Maintainability findings: no severity cap, so each one moves the score.
    a = finding("a" * 16, category=Category.MAINTAINABILITY)
    b = finding("b" * 16, category=Category.MAINTAINABILITY)
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
        assert metrics.score == score_project([b], 120).score
        assert metrics.score > score_project([a, b], 120).score
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


def test_suppression_needs_a_reason(database: Database, tmp_path: Path) -> None:
    from optimus.errors import UsageError
    from optimus.store.errors import NotFound

    record_scan(database, result(str(tmp_path), [finding("a" * 16)]))
    with database.session() as s:
        row_id = s.scalar(select(Finding.id))
        with pytest.raises(UsageError, match="needs a reason"):
            finding_writes.suppress_finding(s, row_id, reason="  ", by="alice")
        with pytest.raises(NotFound):
            finding_writes.suppress_finding(s, 999, reason="x", by="alice")
        with pytest.raises(Conflict, match="not suppressed"):
            finding_writes.unsuppress_finding(s, row_id)
