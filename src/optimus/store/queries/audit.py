"""The audit log as the API lists it: newest first, by actor, action or target."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from optimus.store.models import AuditLog
from optimus.store.queries.paging import Page, count


def list_audit(
    session: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[AuditLog]:
    """One page of audit entries, newest first."""
    query = select(AuditLog)
    if actor is not None:
        query = query.where(AuditLog.actor == actor)
    if action is not None:
        query = query.where(AuditLog.action == action)
    if target is not None:
        query = query.where(AuditLog.target == target)
    total = count(session, query)
    rows = session.scalars(query.order_by(AuditLog.id.desc()).limit(limit).offset(offset)).all()
    return Page(items=list(rows), total=total, limit=limit, offset=offset)
