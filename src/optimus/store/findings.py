"""Writes on stored findings: suppress one with a reason, or lift the suppression.

A suppressed finding keeps its row and its history; scans no longer reopen or fix it.
Lifting a suppression puts it back to ``open`` when the latest scan of its project still saw
it, else to ``fixed``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from optimus.errors import UsageError
from optimus.store.errors import Conflict, NotFound
from optimus.store.models import Finding, Project, utcnow

_REASON_LIMIT = 2000


def get_finding(session: Session, finding_id: int) -> Finding:
    """The finding, or NotFound."""
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotFound(f"no finding with id {finding_id}")
    return finding


def suppress_finding(session: Session, finding_id: int, *, reason: str, by: str) -> Finding:
    """Suppress a finding; the reason is required and kept with who gave it and when."""
    reason = reason.strip()
    if not reason:
        raise UsageError("a suppression needs a reason")
    if len(reason) > _REASON_LIMIT:
        raise UsageError(f"suppression reason too long: at most {_REASON_LIMIT} characters")
    finding = get_finding(session, finding_id)
    if finding.state == "suppressed":
        raise Conflict(f"finding {finding_id} is already suppressed by {finding.suppressed_by}")
    was_open = finding.state == "open"
    finding.state = "suppressed"
    finding.suppressed_reason = reason
    finding.suppressed_by = by
    finding.suppressed_at = utcnow()
    finding.fixed_at = None
    if was_open:
        _adjust_open(session, finding.project_id, -1)
    session.flush()
    return finding


def unsuppress_finding(session: Session, finding_id: int) -> Finding:
    """Lift a suppression: open again if the project's latest scan saw it, else fixed."""
    finding = get_finding(session, finding_id)
    if finding.state != "suppressed":
        raise Conflict(f"finding {finding_id} is not suppressed (it is {finding.state})")
    project = session.get(Project, finding.project_id)
    still_there = project is not None and finding.last_scan_id == project.last_scan_id
    finding.suppressed_reason = None
    finding.suppressed_by = None
    finding.suppressed_at = None
    if still_there:
        finding.state = "open"
        _adjust_open(session, finding.project_id, +1)
    else:
        finding.state = "fixed"
        finding.fixed_at = utcnow()
    session.flush()
    return finding


def _adjust_open(session: Session, project_id: int, delta: int) -> None:
    project = session.get(Project, project_id)
    if project is not None:
        project.open_findings = max(0, (project.open_findings or 0) + delta)
