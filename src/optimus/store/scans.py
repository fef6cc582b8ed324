"""A scan's life in the database: queued, running, done or failed.

The CLI records a scan in one go (``record.record_scan`` creates the row); the API queues one
first (:func:`queue_scan`), a worker marks it running, and ``record_scan(scan_id=...)`` or
:func:`fail_scan` closes it. Each step checks the state it moves from, so a scan is never run
twice or reopened after it ended.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from optimus.store.errors import Conflict, NotFound
from optimus.store.models import Scan, utcnow

# The longest error text kept: enough for the message and a few lines of context.
_ERROR_LIMIT = 4000


def queue_scan(
    session: Session,
    root: str,
    *,
    requested_by: str,
    project_id: int | None = None,
    options: dict[str, Any] | None = None,
) -> Scan:
    """A new scan in state ``queued``."""
    scan = Scan(
        root=root,
        project_id=project_id,
        status="queued",
        requested_by=requested_by,
        requested_at=utcnow(),
        options=options,
    )
    session.add(scan)
    session.flush()
    return scan


def get_scan(session: Session, scan_id: int) -> Scan:
    """The scan, or NotFound."""
    scan = session.get(Scan, scan_id)
    if scan is None:
        raise NotFound(f"no scan with id {scan_id}")
    return scan


def start_scan(session: Session, scan_id: int) -> Scan:
    """Move a queued scan to ``running``; a scan already taken raises Conflict.

    The update is conditional on the state, so of two workers racing for one scan exactly
    one wins.
    """
    moved = session.execute(
        update(Scan)
        .where(Scan.id == scan_id, Scan.status == "queued")
        .values(status="running", started_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        scan = get_scan(session, scan_id)
        raise Conflict(f"scan {scan_id} is {scan.status}, not queued")
    session.expire_all()
    return get_scan(session, scan_id)


def fail_scan(session: Session, scan_id: int, error: str) -> Scan:
    """Close a queued or running scan as ``failed`` with a reason (kept short)."""
    scan = get_scan(session, scan_id)
    if scan.status in ("done", "failed"):
        raise Conflict(f"scan {scan_id} already ended ({scan.status})")
    scan.status = "failed"
    scan.error = error[:_ERROR_LIMIT]
    scan.finished_at = utcnow()
    if scan.started_at is None:
        scan.started_at = scan.finished_at
    session.flush()
    return scan


def pending_scans(session: Session) -> list[Scan]:
    """Scans still queued or running, oldest first (what a restarted server picks up)."""
    return list(
        session.scalars(
            select(Scan)
            .where(Scan.status.in_(("queued", "running")))
            .order_by(Scan.requested_at, Scan.id)
        )
    )
