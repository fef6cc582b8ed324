"""Store one scan: its projects, their figures, and each finding's life across scans.

Findings are matched per project by fingerprint (rule + path + normalized snippet +
occurrence, see analyze/fingerprint.py):

- new: ``open``, with ``first_seen`` and ``first_scan_id``;
- seen again: ``last_seen`` and ``last_scan_id`` move, the text and lines are refreshed;
- open but missing from this scan: ``fixed`` with ``fixed_at``;
- fixed and seen again: ``open`` again (reopened), ``fixed_at`` cleared;
- suppressed: stays suppressed, seen or not, until someone lifts the suppression.

Only projects this scan found are touched: scanning a subset of a portfolio never marks the
other projects' findings fixed. Fingerprints are computed from paths relative to the scan
root, so a project is identified by (absolute scan root, project path): scanning the same
folder through another root gives another project row (docs/storage.md).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from optimus.model import Finding as ScanFinding
from optimus.model import Project as ScanProject
from optimus.model import ScanResult
from optimus.store.db import Database
from optimus.store.errors import Conflict
from optimus.store.models import Finding, Project, ProjectMetrics, Scan, utcnow
from optimus.store.scans import get_scan

_REFRESHED = ("rule", "code", "message", "line", "end_line", "count", "engine", "fixable")


def scan_root(result: ScanResult) -> str:
    """The absolute folder the result's paths are relative to."""
    root = os.path.abspath(result.root)
    return os.path.dirname(root) if os.path.isfile(root) else root


def record_scan(
    db: Database,
    result: ScanResult,
    *,
    scan_id: int | None = None,
    requested_by: str = "cli",
    options: dict[str, Any] | None = None,
) -> int:
    """Store ``result`` and return the scan's id.

    With ``scan_id`` the queued or running scan of that id is completed (the API's
    background scans); without it a new scan row is written as done.
    """
    try:
        with db.session() as session:
            return _record(session, result, scan_id, requested_by, options)
    except IntegrityError:
        raise Conflict(
            "another scan of the same projects was being recorded at the same time; "
            "run the scan again"
        ) from None


def _record(
    session: Session,
    result: ScanResult,
    scan_id: int | None,
    requested_by: str,
    options: dict[str, Any] | None,
) -> int:
    now = utcnow()
    root = scan_root(result)
    if scan_id is None:
        scan = Scan(
            root=root,
            status="running",
            requested_by=requested_by,
            requested_at=now,
            options=options,
        )
        session.add(scan)
    else:
        scan = get_scan(session, scan_id)
        if scan.status in ("done", "failed"):
            raise Conflict(f"scan {scan_id} already ended ({scan.status})")
    scan.started_at = scan.started_at or now - timedelta(seconds=result.stats.seconds)
    session.flush()

    by_project: dict[str, list[ScanFinding]] = {p.path: [] for p in result.projects}
    for finding in result.findings:
        by_project.setdefault(finding.project, []).append(finding)
    known = {p.path: p for p in result.projects}
    for path, findings in sorted(by_project.items()):
        scanned = known.get(path) or ScanProject(path=path, name=_name_of(root, path))
        project = _upsert_project(session, root, scanned, scan, now)
        open_count, metrics = _match_findings(session, project, findings, scan, now)
        project.open_findings = open_count
        session.add(_metrics_row(project, scanned, scan, metrics, now))

    scan.status = "done"
    scan.finished_at = now
    scan.error = None
    scan.files = result.stats.files
    scan.lines = result.stats.lines
    scan.seconds = result.stats.seconds
    scan.findings_total = len(result.findings)
    session.flush()
    return scan.id


def _name_of(root: str, path: str) -> str:
    return os.path.basename(os.path.normpath(os.path.join(root, path))) or path


def _upsert_project(
    session: Session, root: str, scanned: ScanProject, scan: Scan, now: datetime
) -> Project:
    project = session.scalar(
        select(Project).where(Project.root == root, Project.path == scanned.path)
    )
    if project is None:
        project = Project(root=root, path=scanned.path, first_seen=now, open_findings=0)
        session.add(project)
    project.name = scanned.name
    project.stack = asdict(scanned.stack)
    project.git = asdict(scanned.git) if scanned.git is not None else None
    project.last_seen = now
    project.last_scan_id = scan.id
    session.flush()
    return project


def _local_path(project_path: str, path: str) -> str:
    """A finding's path relative to its project's folder."""
    if project_path in (".", ""):
        return path
    prefix = project_path.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else path


def _match_findings(
    session: Session,
    project: Project,
    findings: list[ScanFinding],
    scan: Scan,
    now: datetime,
) -> tuple[int, list[Finding]]:
    """Apply the lifecycle; return the open count and the rows this scan saw, not suppressed."""
    existing = {
        row.fingerprint: row
        for row in session.scalars(select(Finding).where(Finding.project_id == project.id))
    }
    seen: dict[str, Finding] = {}
    for finding in findings:
        if finding.fingerprint in seen:
            continue  # one row per fingerprint; a repeat within a scan adds nothing
        row = existing.get(finding.fingerprint)
        if row is None:
            row = Finding(
                project_id=project.id,
                fingerprint=finding.fingerprint,
                state="open",
                first_seen=now,
                first_scan_id=scan.id,
            )
            session.add(row)
        elif row.state == "fixed":
            row.state = "open"
            row.fixed_at = None
        _refresh(row, finding, project.path)
        row.last_seen = now
        row.last_scan_id = scan.id
        seen[finding.fingerprint] = row
    for fingerprint, row in existing.items():
        if row.state == "open" and fingerprint not in seen:
            row.state = "fixed"
            row.fixed_at = now
    session.flush()
    live = [row for row in seen.values() if row.state == "open"]
    return len(live), live


def _refresh(row: Finding, finding: ScanFinding, project_path: str) -> None:
    for name in _REFRESHED:
        setattr(row, name, getattr(finding, name))
    row.category = str(finding.category)
    row.severity = str(finding.severity)
    row.confidence = str(finding.confidence)
    row.path = _local_path(project_path, finding.path)


def _metrics_row(
    project: Project, scanned: ScanProject, scan: Scan, live: list[Finding], now: datetime
) -> ProjectMetrics:
    languages = scanned.stack.languages.values()
    return ProjectMetrics(
        project_id=project.id,
        scan_id=scan.id,
        files=sum(lang.files for lang in languages),
        lines=sum(lang.lines for lang in languages),
        findings_total=len(live),
        by_severity=dict(Counter(row.severity for row in live)),
        by_category=dict(Counter(row.category for row in live)),
        by_rule=dict(Counter(row.rule for row in live)),
        created_at=now,
    )
