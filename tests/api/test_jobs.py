"""The background scan runner: a real worker process, failures recorded, orphans closed."""

from __future__ import annotations

import time
from pathlib import Path

from optimus.api.jobs import ScanJobs, fail_orphaned_scans, run_scan_job
from optimus.store.db import Database
from optimus.store.models import Scan
from optimus.store.scans import queue_scan, start_scan
from tests.api.conftest import url_of
from tests.helpers import write_tree


def _queued(db: Database, root: Path) -> int:
    with db.session() as s:
        return queue_scan(s, str(root), requested_by="tester").id


def test_run_scan_job_records_the_scan(database: Database, tmp_path: Path) -> None:
    write_tree(tmp_path, {"svc/pyproject.toml": '[project]\nname = "svc"\n', "svc/a.py": "x = 1\n"})
    scan_id = _queued(database, tmp_path)
    assert run_scan_job(url_of(database), scan_id, str(tmp_path), "tester") == "done"
    with database.session() as s:
        scan = s.get(Scan, scan_id)
        assert (scan.status, scan.requested_by) == ("done", "tester")
    # Run twice, the second run is not its to take.
    assert run_scan_job(url_of(database), scan_id, str(tmp_path), "tester") == "skipped"


def test_a_missing_folder_fails_the_scan_with_the_reason(
    database: Database, tmp_path: Path
) -> None:
    scan_id = _queued(database, tmp_path)
    assert run_scan_job(url_of(database), scan_id, str(tmp_path / "gone"), "t") == "failed"
    with database.session() as s:
        scan = s.get(Scan, scan_id)
        assert scan.status == "failed" and "path not found" in scan.error


def test_pool_runs_the_job_and_signals_its_end(database: Database, tmp_path: Path) -> None:
    write_tree(tmp_path, {"lib/pyproject.toml": '[project]\nname = "lib"\n'})
    landed: list[int] = []
    jobs = ScanJobs(database, workers=1, landed=lambda: landed.append(1))
    try:
        scan_id = _queued(database, tmp_path)
        jobs.submit(scan_id, str(tmp_path), "tester")
        deadline = time.monotonic() + 120
        while not landed and time.monotonic() < deadline:
            time.sleep(0.1)
        assert landed == [1]
        assert (jobs.submitted, jobs.finished, jobs.failed, jobs.in_flight) == (1, 1, 0, 0)
    finally:
        jobs.shutdown(wait=True)


def test_orphaned_scans_are_failed(database: Database, tmp_path: Path) -> None:
    queued = _queued(database, tmp_path)
    running = _queued(database, tmp_path)
    with database.session() as s:
        start_scan(s, running)
    assert fail_orphaned_scans(database) == 2
    assert fail_orphaned_scans(database) == 0
    with database.session() as s:
        for scan_id in (queued, running):
            scan = s.get(Scan, scan_id)
            assert scan.status == "failed" and "server stopped" in scan.error


def test_a_killed_worker_fails_its_scan_and_the_pool_recovers(
    database: Database, tmp_path: Path
) -> None:
    import os
    import signal

    write_tree(tmp_path, {"lib/pyproject.toml": '[project]\nname = "lib"\n'})
    landed: list[int] = []
    jobs = ScanJobs(database, workers=1, landed=lambda: landed.append(1))
    try:
        # Start the pool with a job that kills its own worker process.
        pool = jobs._executor()
        doomed = _queued(database, tmp_path)
        future = pool.submit(os.kill, os.getpid(), 0)  # warm the worker
        future.result(timeout=60)
        [pid] = list(pool._processes)
        jobs.submit(doomed, str(tmp_path), "tester")
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while not landed and time.monotonic() < deadline:
            time.sleep(0.1)
        with database.session() as s:
            # Killed while importing the scanner (hundreds of milliseconds): it never ended.
            scan = s.get(Scan, doomed)
            assert scan.status == "failed" and "worker stopped" in scan.error
        assert jobs.failed == 1
        # The next scan gets a fresh pool and lands.
        landed.clear()
        after = _queued(database, tmp_path)
        jobs.submit(after, str(tmp_path), "tester")
        deadline = time.monotonic() + 120
        while not landed and time.monotonic() < deadline:
            time.sleep(0.1)
        with database.session() as s:
            assert s.get(Scan, after).status == "done"
    finally:
        jobs.shutdown(wait=True)
