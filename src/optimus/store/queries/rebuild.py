"""Stored rows back into the scan vocabulary (optimus.model), for the report and the scores.

The report of issue 4 and the health score work on ``ScanResult``/``Finding``; rebuilding
them from the history lets the API serve the same report as ``optimus report`` without
rescanning. Stored finding paths are relative to their project; the vocabulary's are
relative to the scan root, so the project's path is put back in front.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from optimus.model import (
    Category,
    Confidence,
    GitFacts,
    LanguageStats,
    ScanResult,
    ScanStats,
    Severity,
    Stack,
)
from optimus.model import Finding as ModelFinding
from optimus.model import Project as ModelProject
from optimus.store.models import Finding, Project

_STACK_LISTS = ("frameworks", "package_managers", "lockfiles", "infrastructure", "manifests")


def model_finding(row: Finding, project: Project) -> ModelFinding:
    """A stored finding as the scan reported it."""
    path = row.path if project.path in (".", "") else f"{project.path}/{row.path}"
    return ModelFinding(
        rule=row.rule,
        code=row.code,
        category=Category(row.category),
        severity=Severity(row.severity),
        confidence=Confidence(row.confidence),
        message=row.message,
        path=path,
        line=row.line,
        end_line=row.end_line,
        project=project.path,
        fingerprint=row.fingerprint,
        count=row.count,
        fixable=row.fixable,
        engine=row.engine,
    )


def _stack(data: dict[str, Any] | None) -> Stack:
    data = data or {}
    languages = {
        str(name): LanguageStats(
            files=int((stats or {}).get("files", 0)), lines=int((stats or {}).get("lines", 0))
        )
        for name, stats in (data.get("languages") or {}).items()
    }
    lists = {key: [str(v) for v in data.get(key) or []] for key in _STACK_LISTS}
    return Stack(languages=languages, **lists)


def _git(data: dict[str, Any] | None) -> GitFacts | None:
    if not data:
        return None
    return GitFacts(
        branch=data.get("branch"),
        last_commit=data.get("last_commit"),
        commits=int(data.get("commits") or 0),
        contributors=int(data.get("contributors") or 0),
        dirty=bool(data.get("dirty")),
    )


def model_project(project: Project) -> ModelProject:
    """A stored project as discovery found it."""
    return ModelProject(
        path=project.path,
        name=project.name,
        stack=_stack(project.stack),
        git=_git(project.git),
    )


def open_findings(session: Session, project: Project) -> list[Finding]:
    """The project's open findings, in a stable order."""
    return list(
        session.scalars(
            select(Finding)
            .where(Finding.project_id == project.id, Finding.state == "open")
            .order_by(Finding.path, Finding.line, Finding.rule, Finding.id)
        )
    )


def open_scan_result(session: Session, project: Project) -> ScanResult:
    """The project as a one-project scan holding its open findings today."""
    rows = open_findings(session, project)
    return ScanResult(
        root=project.root,
        projects=[model_project(project)],
        findings=[model_finding(r, project) for r in rows],
        diagnostics=[],
        stats=ScanStats(),
    )
