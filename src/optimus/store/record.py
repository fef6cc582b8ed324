"""Store one scan: its projects, their figures, and each finding's life across scans.

Findings are matched per project by fingerprint (rule + path + normalized snippet +
occurrence, see analyze/fingerprint.py):

- new: ``open``, with ``first_seen`` and ``first_scan_id``;
- seen again: ``last_seen`` and ``last_scan_id`` move, the text and lines are refreshed;
- open but missing from this scan: ``fixed`` with ``fixed_at``;
- fixed and seen again: ``open`` again (reopened), ``fixed_at`` cleared;
- suppressed: stays suppressed, seen or not, until someone lifts the suppression.

Only projects this scan found are touched: scanning a subset of a portfolio never marks the
other projects' findings fixed. A project is identified by (absolute scan root, project
path). A scan queued for one known project (``Scan.project_id``, the API's
``POST /projects/{id}/scan``) updates only that project's row, whether it walked the
project's root restricted to the project (``identity.rescan_arguments``, which keeps the
fingerprints) or the project's folder alone (docs/storage.md, "Identity").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from optimus.model import Finding as ScanFinding
from optimus.model import Project as ScanProject
from optimus.model import ScanResult
from optimus.report.score import project_lines, rule_efforts, score_project
from optimus.store.db import Database
from optimus.store.errors import Conflict
from optimus.store.identity import base_root, local_path, name_of, rebase, scan_root, target_path
from optimus.store.models import Finding, Project, ProjectMetrics, Scan, utcnow
from optimus.store.scans import get_scan


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
    base = base_root(session, scan, root)

    by_project: dict[str, list[ScanFinding]] = {p.path: [] for p in result.projects}
    for finding in result.findings:
        by_project.setdefault(finding.project, []).append(finding)
    known = {p.path: p for p in result.projects}
    efforts = rule_efforts()
    only = target_path(session, scan)
    for path, findings in sorted(by_project.items()):
        key = rebase(root, path, base)
        if only is not None and key != only:
            continue  # a scan for one project saw the others only in part
        scanned = known.get(path) or ScanProject(path=path, name=name_of(root, path))
        project = _upsert_project(session, base, key, scanned, scan, now)
        live = _match_findings(session, project, path, findings, scan, now)
        # The score counts what is still open: suppressed findings were judged acceptable.
        health = score_project(live, project_lines(scanned), efforts)
        project.open_findings = len(live)
        project.score = health.score
        project.rating = health.rating
        metrics = _metrics_row(project, scanned, scan, live, now)
        metrics.score = health.score
        metrics.rating = health.rating
        metrics.debt_minutes = health.debt_minutes
        session.add(metrics)

    scan.status = "done"
    scan.finished_at = now
    scan.error = None
    scan.files = result.stats.files
    scan.lines = result.stats.lines
    scan.seconds = result.stats.seconds
    scan.findings_total = len(result.findings)
    session.flush()
    return scan.id


def _upsert_project(
    session: Session, root: str, path: str, scanned: ScanProject, scan: Scan, now: datetime
) -> Project:
    project = session.scalar(select(Project).where(Project.root == root, Project.path == path))
    if project is None:
        project = Project(root=root, path=path, first_seen=now, open_findings=0)
        session.add(project)
    project.name = scanned.name
    project.stack = asdict(scanned.stack)
    project.git = asdict(scanned.git) if scanned.git is not None else None
    project.last_seen = now
    project.last_scan_id = scan.id
    session.flush()
    return project


def _match_findings(
    session: Session,
    project: Project,
    scanned_path: str,
    findings: list[ScanFinding],
    scan: Scan,
    now: datetime,
) -> list[ScanFinding]:
    """Apply the lifecycle; return this scan's findings that are open (not suppressed).

    Rows are read as plain tuples and written with bulk statements (executemany), not as ORM
    objects: a portfolio scan touches 10^5 findings, and per-object bookkeeping would be
    most of the cost (bench/store_bench.py).
    """
    existing = {
        row.fingerprint: row
        for row in session.execute(
            select(Finding.id, Finding.fingerprint, Finding.state, *_COMPARED).where(
                Finding.project_id == project.id
            )
        )
    }
    inserts: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    touched: list[int] = []
    reopened: list[int] = []
    live: list[ScanFinding] = []
    seen: set[str] = set()
    for finding in findings:
        if finding.fingerprint in seen:
            continue  # one row per fingerprint; a repeat within a scan adds nothing
        seen.add(finding.fingerprint)
        values = _values(finding, scanned_path)
        row = existing.get(finding.fingerprint)
        if row is None:
            inserts.append(
                {
                    **values,
                    "project_id": project.id,
                    "fingerprint": finding.fingerprint,
                    "state": "open",
                    "first_seen": now,
                    "last_seen": now,
                    "first_scan_id": scan.id,
                    "last_scan_id": scan.id,
                }
            )
            live.append(finding)
            continue
        touched.append(row.id)
        if any(getattr(row, name) != value for name, value in values.items()):
            changed.append({"row_id": row.id, **values})
        if row.state == "fixed":
            reopened.append(row.id)
        if row.state != "suppressed":
            live.append(finding)
    fixed = [row.id for fp, row in existing.items() if row.state == "open" and fp not in seen]
    # Core statements on the table: the ORM's bulk insert splits rows into one batch per set
    # of non-null columns, which turns a mix of line/no-line findings into many batches.
    table = Finding.__table__
    if inserts:
        session.execute(insert(table), inserts)
    if changed:
        session.execute(
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({name: bindparam(name) for name in changed[0] if name != "row_id"}),
            changed,
        )
    _update_ids(session, touched, {"last_seen": now, "last_scan_id": scan.id})
    _update_ids(session, reopened, {"state": "open", "fixed_at": None})
    _update_ids(session, fixed, {"state": "fixed", "fixed_at": now})
    return live


_COMPARED = (
    Finding.rule,
    Finding.code,
    Finding.category,
    Finding.severity,
    Finding.confidence,
    Finding.message,
    Finding.path,
    Finding.line,
    Finding.end_line,
    Finding.count,
    Finding.engine,
    Finding.fixable,
)
_CHUNK = 1000  # ids per UPDATE ... WHERE id IN (...): well under every backend's limit


def _values(finding: ScanFinding, project_path: str) -> dict[str, Any]:
    """The columns a scan refreshes, as the scan saw them."""
    return {
        "rule": finding.rule,
        "code": finding.code,
        "category": str(finding.category),
        "severity": str(finding.severity),
        "confidence": str(finding.confidence),
        "message": finding.message,
        "path": local_path(project_path, finding.path),
        "line": finding.line,
        "end_line": finding.end_line,
        "count": finding.count,
        "engine": finding.engine,
        "fixable": finding.fixable,
    }


def _update_ids(session: Session, ids: list[int], values: dict[str, Any]) -> None:
    for i in range(0, len(ids), _CHUNK):
        session.execute(
            update(Finding)
            .where(Finding.id.in_(ids[i : i + _CHUNK]))
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def _metrics_row(
    project: Project, scanned: ScanProject, scan: Scan, live: list[ScanFinding], now: datetime
) -> ProjectMetrics:
    languages = scanned.stack.languages.values()
    counts: Counter[str] = Counter()
    for finding in live:
        if finding.count is not None:
            counts[finding.rule] += finding.count
    return ProjectMetrics(
        project_id=project.id,
        scan_id=scan.id,
        files=sum(lang.files for lang in languages),
        lines=sum(lang.lines for lang in languages),
        findings_total=len(live),
        by_severity=dict(Counter(str(f.severity) for f in live)),
        by_category=dict(Counter(str(f.category) for f in live)),
        by_rule=dict(Counter(f.rule for f in live)),
        rule_counts=dict(counts),
        created_at=now,
    )
