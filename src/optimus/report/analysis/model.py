"""The analysis as data: what a project report and the portfolio report hold.

Plain dataclasses, built by :mod:`optimus.report.analysis.build` from a scan and rendered by
the markdown, HTML and JSON writers. ``to_dict`` is the JSON format (docs/reports.md); its
``report_version`` changes when a field changes meaning or goes away.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from optimus.report.score import ProjectScore

#: The version of the JSON report format (docs/reports.md).
REPORT_VERSION = 1


@dataclass(frozen=True)
class Evidence:
    """Where the claimed gain of a fix comes from; ``claim`` None means not measured."""

    claim: str | None = None
    source_title: str | None = None
    source_url: str | None = None
    bench: str | None = None

    @property
    def measured(self) -> bool:
        """Whether a figure is claimed at all (by a cited source or our own benchmark)."""
        return self.claim is not None

    @property
    def text(self) -> str:
        """One line for a reader: the claim and who makes it, or "not measured"."""
        if self.claim is None:
            return "not measured"
        who = self.bench or self.source_title
        return f"{self.claim} ({who})" if who else self.claim


@dataclass
class Issue:
    """One rule's findings in one project: the unit the plan and the matrix work with.

    ``instances`` is set for rules whose findings each count several occurrences (the
    calls of unwrap-density), with ``instance_unit`` naming them. Paths in ``locations``
    are relative to the project folder.
    """

    rule: str
    code: str
    title: str
    category: str
    severity: str
    findings: int
    files: list[str]
    locations: list[str]
    fixable: int
    effort_minutes: int
    impact: str
    effort: str
    evidence: Evidence
    docs_url: str
    example: str
    instances: int | None = None
    instance_unit: str | None = None

    @property
    def headline(self) -> str:
        """What, how much and where: "blocking-call-in-async: 4 findings in app/routes.py"."""
        where = self.files[0] if len(self.files) == 1 else f"{len(self.files)} files"
        if self.instances is not None and self.instance_unit:
            return f"{self.instances} {self.instance_unit} in {where} ({self.rule})"
        if self.findings == 1:
            return f"{self.rule} in {self.locations[0]}"
        return f"{self.rule}: {self.findings} findings in {where}"

    @property
    def summary(self) -> str:
        """The rule's one-line description without its final period."""
        return self.title.rstrip(".")

    def to_dict(self) -> dict[str, Any]:
        """The issue as plain data."""
        data = asdict(self)
        data["evidence"] = {**asdict(self.evidence), "text": self.evidence.text}
        data["headline"] = self.headline
        return data


@dataclass
class Phase:
    """One step of the implementation plan: its issues, or plain actions for phase 4."""

    number: int
    title: str
    goal: str
    issues: list[Issue] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    empty_reason: str | None = None

    @property
    def effort_minutes(self) -> int:
        """Hand effort of the phase's issues."""
        return sum(i.effort_minutes for i in self.issues)

    @property
    def fixable(self) -> int:
        """Findings of the phase with an automatic fix."""
        return sum(i.fixable for i in self.issues)

    def to_dict(self) -> dict[str, Any]:
        """The phase as plain data; issues by rule name (details are under ``issues``)."""
        return {
            "number": self.number,
            "title": self.title,
            "goal": self.goal,
            "issues": [i.rule for i in self.issues],
            "actions": self.actions,
            "effort_minutes": self.effort_minutes,
            "fixable": self.fixable,
            "empty_reason": self.empty_reason,
        }


@dataclass(frozen=True)
class Kpi:
    """A figure to watch for one project: why it matters here and how to measure it."""

    name: str
    why: str
    how: str
    rules: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The KPI as plain data."""
        return {"name": self.name, "why": self.why, "how": self.how, "rules": list(self.rules)}


@dataclass(frozen=True)
class Gain:
    """What the plan's first two phases are worth: score points for hours of work."""

    score_after: int
    rating_after: str
    points: int
    effort_minutes: int

    def to_dict(self) -> dict[str, Any]:
        """The gain as plain data."""
        return asdict(self)


@dataclass
class ProjectReport:
    """Everything one project's report says."""

    name: str
    path: str
    stack: str
    languages: dict[str, int]
    frameworks: list[str]
    infrastructure: list[str]
    files: int
    lines: int
    score: ProjectScore
    score_reason: str
    summary: list[str]
    issues: list[Issue]
    by_severity: dict[str, int]
    by_category: dict[str, int]
    phases: list[Phase]
    kpis: list[Kpi]
    gain: Gain

    @property
    def findings(self) -> int:
        """Number of findings."""
        return sum(i.findings for i in self.issues)

    @property
    def fixable(self) -> int:
        """Findings with an automatic fix."""
        return sum(i.fixable for i in self.issues)

    @property
    def matrix(self) -> list[Issue]:
        """Issues by priority: high impact first, then low effort first."""
        return sorted(self.issues, key=matrix_key)

    def to_dict(self) -> dict[str, Any]:
        """The project report as plain data."""
        return {
            "name": self.name,
            "path": self.path,
            "stack": self.stack,
            "languages": self.languages,
            "frameworks": self.frameworks,
            "infrastructure": self.infrastructure,
            "files": self.files,
            "lines": self.lines,
            "findings": self.findings,
            "fixable": self.fixable,
            "score": self.score.to_dict(),
            "score_reason": self.score_reason,
            "summary": self.summary,
            "by_severity": self.by_severity,
            "by_category": self.by_category,
            "issues": [i.to_dict() for i in self.issues],
            "matrix": [
                {"rule": i.rule, "impact": i.impact, "effort": i.effort} for i in self.matrix
            ],
            "phases": [p.to_dict() for p in self.phases],
            "kpis": [k.to_dict() for k in self.kpis],
            "gain": self.gain.to_dict(),
        }


@dataclass
class PortfolioReport:
    """The report over every project found under the scanned paths."""

    root: str
    tool_version: str
    projects: list[ProjectReport]
    summary: list[str]
    by_severity: dict[str, int]
    by_category: dict[str, int]
    common_rules: list[tuple[str, int, int]]
    diagnostics: list[tuple[str, str]]
    settings: dict[str, Any]

    @property
    def by_health(self) -> list[ProjectReport]:
        """Projects from the one most in need (lowest score) to the healthiest."""
        return sorted(self.projects, key=lambda p: (p.score.score, -p.score.debt_minutes, p.name))

    @property
    def by_gain(self) -> list[ProjectReport]:
        """Projects by the score points phases 1-2 would win, then by fewer hours."""
        return sorted(self.projects, key=lambda p: (-p.gain.points, p.gain.effort_minutes, p.name))

    @property
    def findings(self) -> int:
        """Findings over every project."""
        return sum(p.findings for p in self.projects)

    @property
    def debt_minutes(self) -> int:
        """Hand effort over every project."""
        return sum(p.score.debt_minutes for p in self.projects)

    def to_dict(self) -> dict[str, Any]:
        """The whole report as plain data (the JSON format)."""
        return {
            "report_version": REPORT_VERSION,
            "tool": {"name": "optimus", "version": self.tool_version},
            "root": self.root,
            "summary": self.summary,
            "findings": self.findings,
            "debt_minutes": self.debt_minutes,
            "by_severity": self.by_severity,
            "by_category": self.by_category,
            "ranking": {
                "by_health": [p.path for p in self.by_health],
                "by_gain": [p.path for p in self.by_gain],
            },
            "rules": [{"rule": r, "findings": n, "projects": k} for r, n, k in self.common_rules],
            "diagnostics": [{"path": p, "message": m} for p, m in self.diagnostics],
            "score_settings": self.settings,
            "projects": [p.to_dict() for p in self.projects],
        }


IMPACT_ORDER = {"high": 0, "medium": 1, "low": 2}
EFFORT_ORDER = {"low": 0, "medium": 1, "high": 2}
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


def matrix_key(issue: Issue) -> tuple[int, int, int, int, str]:
    """Sort key of the impact/effort matrix: impact, effort, severity, hand minutes, rule."""
    return (
        IMPACT_ORDER[issue.impact],
        EFFORT_ORDER[issue.effort],
        SEVERITY_ORDER[issue.severity],
        issue.effort_minutes,
        issue.rule,
    )
