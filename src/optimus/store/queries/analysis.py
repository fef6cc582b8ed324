"""A project's quality, security and performance, from its open findings by category.

Each aspect is a set of the six finding categories; its score and rating come from
``optimus.report.score.score_project`` over the open findings of those categories and the
lines of code of the project's latest scan, so the API rates exactly as the reports do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from optimus.model import Category, Severity
from optimus.report.score import score_project
from optimus.store.models import Finding, Project
from optimus.store.queries.projects import latest_metrics
from optimus.store.queries.rebuild import model_finding

ASPECTS: dict[str, tuple[str, ...]] = {
    "quality": (
        Category.MAINTAINABILITY.value,
        Category.RELIABILITY.value,
        Category.DEPENDENCIES.value,
    ),
    "security": (Category.SECURITY.value,),
    "performance": (Category.PERFORMANCE.value, Category.COST.value),
}

_TOP_RULES = 10


@dataclass
class AspectAnalysis:
    """One aspect of one project, as of its latest recorded scan."""

    project_id: int
    aspect: str
    categories: tuple[str, ...]
    scan_id: int | None
    lines: int
    score: int
    rating: str
    debt_minutes: int
    open_findings: int
    by_severity: dict[str, int]
    by_category: dict[str, dict[str, object]] = field(default_factory=dict)
    top_rules: list[dict[str, object]] = field(default_factory=list)


def analyze_aspect(session: Session, project: Project, aspect: str) -> AspectAnalysis:
    """Score, rating and counts of one aspect (``quality``, ``security``, ``performance``)."""
    categories = ASPECTS[aspect]
    rows = list(
        session.scalars(
            select(Finding).where(
                Finding.project_id == project.id,
                Finding.state == "open",
                Finding.category.in_(categories),
            )
        )
    )
    metrics = latest_metrics(session, project)
    lines = metrics.lines if metrics is not None else 0
    scored = score_project([model_finding(r, project) for r in rows], lines)
    by_category: dict[str, dict[str, object]] = {}
    for category in categories:
        mine = [r for r in rows if r.category == category]
        part = scored.by_category[category]
        by_category[category] = {
            "score": part.score,
            "rating": part.rating,
            "debt_minutes": part.debt_minutes,
            "open_findings": len(mine),
            "by_severity": _by_severity(mine),
        }
    rules = Counter(r.rule for r in rows)
    return AspectAnalysis(
        project_id=project.id,
        aspect=aspect,
        categories=categories,
        scan_id=metrics.scan_id if metrics is not None else None,
        lines=lines,
        score=scored.score,
        rating=scored.rating,
        debt_minutes=scored.debt_minutes,
        open_findings=len(rows),
        by_severity=_by_severity(rows),
        by_category=by_category,
        top_rules=[
            {"rule": rule, "open_findings": n}
            for rule, n in sorted(rules.items(), key=lambda kv: (-kv[1], kv[0]))[:_TOP_RULES]
        ],
    )


def _by_severity(rows: list[Finding]) -> dict[str, int]:
    counts = Counter(r.severity for r in rows)
    return {s.value: counts.get(s.value, 0) for s in Severity}
