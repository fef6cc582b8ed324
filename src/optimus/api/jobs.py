"""Scans requested over the API, run in the background by a pool of worker processes.

A request queues a scan row and returns 202 at once; a worker process takes the scan
(queued -> running), runs ``optimus.analyze.engine.scan`` and ``record_scan`` into the same
database, or marks it failed with the reason. Workers are *spawned* processes rather than
threads: a scan forks its own pool over files, and forking a threaded server is unsafe,
while a fresh single-threaded child may fork freely. When a job ends, the parent drops the
response cache so the next read sees the new scan.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from optimus.store.db import Database

log = logging.getLogger("optimus.api.jobs")


def run_scan_job(database_url: str, scan_id: int, path: str, requested_by: str) -> str:
    """Run one queued scan to its end, in a worker process; returns its final status."""
    from optimus.analyze.engine import ScanOptions, scan
    from optimus.errors import OptimusError
    from optimus.store import scans
    from optimus.store.errors import Conflict
    from optimus.store.record import record_scan

    db = Database(database_url)
    try:
        with db.session() as session:
            try:
                scans.start_scan(session, scan_id)
            except Conflict:
                # Another worker (or a restart) took it: not ours to run.
                return "skipped"
        try:
            result = scan([path], ScanOptions())
            record_scan(db, result, scan_id=scan_id, requested_by=requested_by)
            return "done"
        except OptimusError as exc:
            _fail(db, scan_id, str(exc))
        except Exception as exc:  # a bug in a rule or the engine: the scan fails, not the pool
            logging.getLogger("optimus.api.jobs").exception("scan %s failed", scan_id)
            _fail(db, scan_id, f"internal error: {type(exc).__name__}: {exc}")
        return "failed"
    finally:
        db.dispose()


def _fail(db: Database, scan_id: int, reason: str) -> None:
    from optimus.store import scans
    from optimus.store.errors import Conflict

    # Already ended (a worker and the pool's callback both closing it): nothing to do.
    with db.session() as session, contextlib.suppress(Conflict):
        scans.fail_scan(session, scan_id, reason)


class ScanJobs:
    """The pool and its bookkeeping. ``landed`` is called after every job, whatever its end."""

    def __init__(self, db: Database, workers: int, landed: Callable[[], None]) -> None:
        self.db = db
        self.workers = workers
        self._landed = landed
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self.submitted = 0
        self.finished = 0
        self.failed = 0

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
                )
            return self._pool

    def submit(self, scan_id: int, path: str, requested_by: str) -> None:
        """Hand a queued scan to the pool; never blocks on the scan itself."""
        url = self.db.url.render_as_string(hide_password=False)
        args = (run_scan_job, url, scan_id, path, requested_by)
        try:
            future = self._executor().submit(*args)
        except BrokenProcessPool:
            # A worker died (killed, out of memory) and took the pool with it: start afresh.
            with self._lock:
                self._pool = None
            future = self._executor().submit(*args)
        with self._lock:
            self.submitted += 1
        future.add_done_callback(lambda done: self._done(scan_id, done))

    def _done(self, scan_id: int, future: Future[str]) -> None:
        status = "failed"
        try:
            status = future.result()
        except CancelledError:
            # The server is shutting down: the scan stays queued and the next start-up
            # closes it as failed (fail_orphaned_scans).
            return
        except Exception as exc:  # the worker died (killed, out of memory): record why
            log.error("scan %s: worker failed: %s", scan_id, type(exc).__name__)
            try:
                _fail(self.db, scan_id, f"the scan worker stopped: {type(exc).__name__}")
            except Exception:
                log.exception("scan %s could not be marked failed", scan_id)
        with self._lock:
            self.finished += 1
            if status == "failed":
                self.failed += 1
        try:
            self._landed()
        except Exception:
            log.exception("cache invalidation after scan %s failed", scan_id)

    @property
    def in_flight(self) -> int:
        """Jobs handed to the pool and not yet ended (queued or running)."""
        with self._lock:
            return self.submitted - self.finished

    def shutdown(self, wait: bool = False) -> None:
        """Stop the pool; queued jobs that never started stay queued in the database."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=not wait)


def fail_orphaned_scans(db: Database) -> int:
    """Close scans a previous server left queued or running; returns how many."""
    from optimus.store import scans
    from optimus.store.errors import Conflict

    closed = 0
    with db.session() as session:
        for pending in scans.pending_scans(session):
            try:
                scans.fail_scan(session, pending.id, "the server stopped before the scan ended")
                closed += 1
            except Conflict:
                continue
    return closed
