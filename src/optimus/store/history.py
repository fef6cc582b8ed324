"""Per-project trends across recorded scans, for ``optimus history`` and the API.

A trend is a project's ``project_metrics`` rows in scan order: score, findings by severity,
the rules with the most findings. The first and latest of the rows shown give the deltas
("unwrap-density 226 -> 140 since 2026-06-01"): for count rules (``unwrap-density`` counts
calls) the summed counts, for the others the number of findings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from optimus.store.errors import NotFound
from optimus.store.models import SEVERITIES, Project, ProjectMetrics, Scan

TOP_RULES = 5


@dataclass
class TrendRow:
    """A project as one scan saw it."""

    scan_id: int
    at: datetime
    score: float | None
    rating: str | None
    findings: int
    by_severity: dict[str, int]
    top_rules: list[tuple[str, int]]

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return {
            "scan_id": self.scan_id,
            "at": self.at.isoformat(),
            "score": self.score,
            "rating": self.rating,
            "findings": self.findings,
            "by_severity": {s: self.by_severity.get(s, 0) for s in SEVERITIES},
            "top_rules": [{"rule": r, "amount": n} for r, n in self.top_rules],
        }


@dataclass
class RuleDelta:
    """How much of one rule there was in the first row shown and how much in the latest."""

    rule: str
    first: int
    latest: int
    since: datetime

    def __str__(self) -> str:
        return f"{self.rule} {self.first} -> {self.latest} since {self.since:%Y-%m-%d}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return {
            "rule": self.rule,
            "first": self.first,
            "latest": self.latest,
            "change": self.latest - self.first,
            "since": self.since.isoformat(),
        }


@dataclass
class ProjectHistory:
    """One project's trend, oldest scan first, and what changed since the first row."""

    project_id: int
    name: str
    root: str
    path: str
    rows: list[TrendRow] = field(default_factory=list)
    deltas: list[RuleDelta] = field(default_factory=list)

    @property
    def score_change(self) -> float | None:
        """Latest score minus the first one shown (None without two scored rows)."""
        scored = [r.score for r in self.rows if r.score is not None]
        return scored[-1] - scored[0] if len(scored) >= 2 else None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready)."""
        return {
            "project": {"id": self.project_id, "name": self.name, "root": self.root},
            "path": self.path,
            "scans": [r.to_dict() for r in self.rows],
            "score_change": self.score_change,
            "deltas": [d.to_dict() for d in self.deltas],
        }


def find_projects(session: Session, query: str | None) -> list[Project]:
    """Projects matching ``query`` (an id, a name, a path or an absolute folder); all if None."""
    select_projects = select(Project).order_by(Project.name, Project.root, Project.path)
    if query is None:
        return list(session.scalars(select_projects))
    conditions = [Project.name == query, Project.path == query]
    if query.isdigit():
        conditions.append(Project.id == int(query))
    matches = list(session.scalars(select_projects.where(or_(*conditions))))
    if not matches:
        matches = list(session.scalars(select_projects.where(_at_folder(query))))
    if not matches:
        raise NotFound(
            f"no recorded project matches {query!r}: give a name, a path or an id "
            "(`optimus history` lists them), or record one with `optimus scan --save`"
        )
    return matches


def _at_folder(query: str) -> ColumnElement[bool]:
    """Projects whose folder is ``query``: (root, path) for every ancestor of the folder."""
    folder = os.path.abspath(query)
    conditions = [(Project.root == folder) & (Project.path == ".")]
    parent = os.path.dirname(folder)
    while parent and parent != os.path.dirname(parent):
        rel = os.path.relpath(folder, parent).replace(os.sep, "/")
        conditions.append((Project.root == parent) & (Project.path == rel))
        parent = os.path.dirname(parent)
    conditions.append((Project.root == parent) & (Project.path == folder.lstrip(os.sep)))
    return or_(*conditions)


def project_history(session: Session, project: Project, limit: int = 20) -> ProjectHistory:
    """The ``limit`` latest scans of ``project``, oldest first, and the rule deltas."""
    return _trends(session, [project], limit)[0]


def _trends(session: Session, projects: list[Project], limit: int) -> list[ProjectHistory]:
    """The trends of several projects in one query: the ``limit`` latest rows of each."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if not projects:
        return []
    newest_first = (
        func.row_number()
        .over(partition_by=ProjectMetrics.project_id, order_by=ProjectMetrics.scan_id.desc())
        .label("n")
    )
    ranked = (
        select(ProjectMetrics.id, newest_first)
        .where(ProjectMetrics.project_id.in_([p.id for p in projects]))
        .subquery()
    )
    rows = session.execute(
        select(ProjectMetrics, Scan.finished_at, Scan.requested_at)
        .join(ranked, ranked.c.id == ProjectMetrics.id)
        .join(Scan, Scan.id == ProjectMetrics.scan_id)
        .where(ranked.c.n <= limit)
        .order_by(ProjectMetrics.project_id, ProjectMetrics.scan_id)
    ).all()
    by_project: dict[int, list[Any]] = {}
    for row in rows:
        by_project.setdefault(row[0].project_id, []).append(row)
    return [_history(p, by_project.get(p.id, [])) for p in projects]


def _history(project: Project, rows: list[Any]) -> ProjectHistory:
    history = ProjectHistory(project.id, project.name, project.root, project.path)
    amounts: list[dict[str, int]] = []
    for metrics, finished_at, requested_at in rows:
        amount = _amounts(metrics)
        amounts.append(amount)
        top = sorted(amount.items(), key=lambda item: (-item[1], item[0]))[:TOP_RULES]
        history.rows.append(
            TrendRow(
                scan_id=metrics.scan_id,
                at=finished_at or requested_at or metrics.created_at,
                score=metrics.score,
                rating=metrics.rating,
                findings=metrics.findings_total,
                by_severity=dict(metrics.by_severity or {}),
                top_rules=top,
            )
        )
    if len(history.rows) >= 2:
        history.deltas = _deltas(amounts[0], amounts[-1], history.rows[0].at)
    return history


def _amounts(metrics: ProjectMetrics) -> dict[str, int]:
    """Per rule: its summed counts for count rules, else its number of findings."""
    amounts = dict(metrics.by_rule or {})
    amounts.update(metrics.rule_counts or {})
    return amounts


def _deltas(first: dict[str, int], latest: dict[str, int], since: datetime) -> list[RuleDelta]:
    changed = [
        RuleDelta(rule, first.get(rule, 0), latest.get(rule, 0), since)
        for rule in sorted(set(first) | set(latest))
        if first.get(rule, 0) != latest.get(rule, 0)
    ]
    # Biggest moves first; then by name so the order is stable.
    changed.sort(key=lambda d: (-abs(d.latest - d.first), d.rule))
    return changed


def histories(session: Session, query: str | None = None, limit: int = 20) -> list[ProjectHistory]:
    """Trends of every project matching ``query`` (all when None)."""
    projects = find_projects(session, query)
    found: list[ProjectHistory] = []
    # One query per batch of projects: IN lists stay well under every backend's limit.
    for i in range(0, len(projects), 500):
        found += _trends(session, projects[i : i + 500], limit)
    return found
