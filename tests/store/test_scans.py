"""A scan's states: queued, running, done or failed, each step checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.store.db import Database
from optimus.store.errors import Conflict
from optimus.store.models import Scan
from optimus.store.record import record_scan
from optimus.store.scans import fail_scan, pending_scans, queue_scan, start_scan
from tests.store.factories import result


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


def test_pending_scans_oldest_first(database: Database, tmp_path: Path) -> None:
    with database.session() as s:
        first = queue_scan(s, str(tmp_path), requested_by="api").id
        second = queue_scan(s, str(tmp_path), requested_by="api").id
        done = queue_scan(s, str(tmp_path), requested_by="api").id
        start_scan(s, second)
        fail_scan(s, done, "gone")
        assert [scan.id for scan in pending_scans(s)] == [first, second]
