"""Scans as the API lists them: newest first, by status or project, and counts by status."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from optimus.store.models import SCAN_STATES, Scan
from optimus.store.queries.paging import Page, count


def list_scans(
    session: Session,
    *,
    status: tuple[str, ...] = (),
    project_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Scan]:
    """One page of scans, newest first."""
    query = select(Scan)
    if status:
        query = query.where(Scan.status.in_(status))
    if project_id is not None:
        query = query.where(Scan.project_id == project_id)
    total = count(session, query)
    rows = session.scalars(query.order_by(Scan.id.desc()).limit(limit).offset(offset)).all()
    return Page(items=list(rows), total=total, limit=limit, offset=offset)


def counts_by_status(session: Session) -> dict[str, int]:
    """How many scans are in each state (every state named, zero included)."""
    found = dict(session.execute(select(Scan.status, func.count()).group_by(Scan.status)).all())
    return {state: int(found.get(state, 0)) for state in SCAN_STATES}
