"""The health score: a deterministic 0-100 score and an A-E rating per project and category.

The formula follows SonarQube's technical-debt ratio and maintainability rating (see
docs/reports.md): the remediation effort of the findings (each rule's ``effort`` in minutes,
weighted by severity) divided by the cost of developing the code (lines x minutes per line).
The ratio is rated on a grid (A <= 5%, B <= 10%, C <= 20%, D <= 50%, E above) and mapped
piecewise-linearly to a score, so the score always falls in its rating's band. As SonarQube
rates reliability and security by their worst issue, findings of those categories also cap
the rating (a high-severity reliability finding rates at best D), and the score is then
scaled into the capped rating's band.

Everything here is pure: same findings, same lines, same settings give the same score, in
any order of the findings (sums use ``math.fsum``, which is exactly rounded).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from optimus.errors import ConfigError
from optimus.model import Category, Finding, Project, Severity

RATINGS = ("A", "B", "C", "D", "E")

#: The score band of each rating: the score always lies inside its rating's band.
BANDS = {"A": (80, 100), "B": (60, 79), "C": (40, 59), "D": (20, 39), "E": (0, 19)}

#: Minutes to fix a finding whose rule is not in the catalogue (the Rule base default).
DEFAULT_EFFORT = 15

_DEFAULT_WEIGHTS = {
    Severity.CRITICAL.value: 2.0,
    Severity.HIGH.value: 1.5,
    Severity.MEDIUM.value: 1.0,
    Severity.LOW.value: 0.5,
    Severity.INFO.value: 0.0,
}

# SonarQube's reliability and security ratings: blocker E, critical D, major C, minor B.
# Our five severities line up with theirs one for one (critical~blocker ... low~minor).
_DEFAULT_CAPS = {
    Severity.CRITICAL.value: "E",
    Severity.HIGH.value: "D",
    Severity.MEDIUM.value: "C",
    Severity.LOW.value: "B",
}


@dataclass(frozen=True)
class ScoreSettings:
    """The knobs of the formula; the defaults are SonarQube's where SonarQube has one.

    ``minutes_per_line``: the cost to develop one line (SonarQube's default: 30 minutes).
    ``grid``: the upper debt ratios of ratings A, B, C and D (E is anything above D).
    ``zero_at``: the debt ratio at which the score reaches 0.
    ``severity_weights``: effort multipliers by severity (info counts for nothing).
    ``severity_caps``: the best rating a project or category may have while it holds a
    finding of this severity in one of ``capped_categories``.
    """

    minutes_per_line: float = 30.0
    grid: tuple[float, float, float, float] = (0.05, 0.10, 0.20, 0.50)
    zero_at: float = 1.0
    severity_weights: Mapping[str, float] = field(default_factory=lambda: dict(_DEFAULT_WEIGHTS))
    severity_caps: Mapping[str, str] = field(default_factory=lambda: dict(_DEFAULT_CAPS))
    capped_categories: tuple[str, ...] = (Category.RELIABILITY.value, Category.SECURITY.value)

    def __post_init__(self) -> None:
        where = "score settings"
        if not self.minutes_per_line > 0:
            raise ConfigError(where, "minutes-per-line", "must be a number above 0")
        if len(self.grid) != 4 or any(not g > 0 for g in self.grid):
            raise ConfigError(where, "grid", "expected four ratios above 0 (A, B, C, D)")
        if list(self.grid) != sorted(set(self.grid)):
            raise ConfigError(where, "grid", "the four ratios must increase strictly")
        if not self.zero_at > self.grid[3]:
            raise ConfigError(where, "zero-at", "must be above the D limit of the grid")
        for sev, weight in self.severity_weights.items():
            if sev not in Severity.__members__.values() or weight < 0:
                raise ConfigError(where, "severity-weights", f"bad entry {sev!r}: {weight!r}")
        for sev, cap in self.severity_caps.items():
            if sev not in Severity.__members__.values() or cap not in RATINGS:
                raise ConfigError(where, "severity-caps", f"bad entry {sev!r}: {cap!r}")

    @classmethod
    def from_mapping(
        cls, table: Mapping[str, Any], source: str = "score settings"
    ) -> ScoreSettings:
        """Settings from a TOML-like table with kebab-case keys; unknown keys are an error."""
        known = {
            "minutes-per-line": "minutes_per_line",
            "grid": "grid",
            "zero-at": "zero_at",
            "severity-weights": "severity_weights",
            "severity-caps": "severity_caps",
            "capped-categories": "capped_categories",
        }
        kwargs: dict[str, Any] = {}
        for key, value in table.items():
            if key not in known:
                raise ConfigError(source, key, f"unknown key; expected one of {sorted(known)}")
            if key in ("grid", "capped-categories"):
                if not isinstance(value, list | tuple):
                    raise ConfigError(source, key, "expected a list")
                value = tuple(value)
            kwargs[known[key]] = value
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise ConfigError(source, None, f"bad value: {exc}") from exc


@dataclass(frozen=True)
class CategoryScore:
    """The score of one category: its findings, their effort and the rating they earn."""

    score: int
    rating: str
    debt_minutes: int
    findings: int
    debt_ratio: float

    def to_dict(self) -> dict[str, Any]:
        """The score as plain data (JSON-ready)."""
        return {
            "score": self.score,
            "rating": self.rating,
            "debt_minutes": self.debt_minutes,
            "findings": self.findings,
            "debt_ratio": round(self.debt_ratio, 6),
        }


@dataclass(frozen=True)
class ProjectScore:
    """The health of one project.

    ``debt_minutes`` is the plain remediation effort of every finding (what fixing them all
    takes); ``weighted_debt_minutes`` is the severity-weighted effort the ratio uses.
    """

    score: int
    rating: str
    debt_minutes: int
    weighted_debt_minutes: float
    debt_ratio: float
    lines: int
    findings: int
    by_category: dict[str, CategoryScore]

    @property
    def debt_hours(self) -> float:
        """The remediation effort in hours, to one decimal."""
        return round(self.debt_minutes / 60, 1)

    def to_dict(self) -> dict[str, Any]:
        """The score as plain data (JSON-ready), categories in their fixed order."""
        return {
            "score": self.score,
            "rating": self.rating,
            "debt_minutes": self.debt_minutes,
            "debt_hours": self.debt_hours,
            "weighted_debt_minutes": round(self.weighted_debt_minutes, 3),
            "debt_ratio": round(self.debt_ratio, 6),
            "lines": self.lines,
            "findings": self.findings,
            "by_category": {name: c.to_dict() for name, c in self.by_category.items()},
        }


def rule_efforts() -> dict[str, int]:
    """Minutes to fix by hand, per rule name, from the rule catalogue."""
    from optimus.registry import all_rules

    return {r.name: r.effort for r in all_rules()}


def project_lines(project: Project) -> int:
    """Lines of code of a project: the sum over its languages."""
    return sum(stats.lines for stats in project.stack.languages.values())


def ratio_rating(ratio: float, settings: ScoreSettings) -> str:
    """The rating a debt ratio earns on the grid (the limits are inclusive)."""
    for rating, limit in zip(RATINGS, settings.grid, strict=False):
        if ratio <= limit:
            return rating
    return "E"


def ratio_score(ratio: float, settings: ScoreSettings) -> float:
    """The unrounded score: linear between the grid's limits (100, 80, 60, 40, 20, 0)."""
    anchors = (0.0, *settings.grid, settings.zero_at)
    if ratio >= settings.zero_at:
        return 0.0
    for i in range(5):
        low, high = anchors[i], anchors[i + 1]
        if ratio <= high:
            return 100.0 - 20.0 * i - 20.0 * (ratio - low) / (high - low)
    return 0.0  # pragma: no cover - the loop always returns below zero_at


def worse(a: str, b: str) -> str:
    """The worse of two ratings."""
    return max(a, b)  # "A" < "B" < ... < "E"


def _rate(
    findings: Sequence[Finding],
    efforts: Mapping[str, int],
    dev_minutes: float,
    capped: bool,
    settings: ScoreSettings,
) -> tuple[int, str, int, float, float]:
    raw = sum(efforts.get(f.rule, DEFAULT_EFFORT) for f in findings)
    weighted = math.fsum(
        efforts.get(f.rule, DEFAULT_EFFORT) * settings.severity_weights.get(f.severity.value, 1.0)
        for f in findings
    )
    ratio = weighted / dev_minutes
    cap = _cap(findings, settings) if capped else None
    rating, score = _rating_and_score(ratio, cap, settings)
    return score, rating, raw, weighted, ratio


def _cap(findings: Iterable[Finding], settings: ScoreSettings) -> str | None:
    """The worst rating the severity caps allow for these findings (None: no cap)."""
    caps = [settings.severity_caps.get(f.severity.value) for f in findings]
    return max((c for c in caps if c is not None), default=None)


def _rating_and_score(ratio: float, cap: str | None, settings: ScoreSettings) -> tuple[str, int]:
    """The rating (the ratio's, or the cap when worse) and a score inside its band.

    Under a cap the score is the lower of the ratio's score and that score scaled into the
    cap's band: both fall as debt grows, so more findings never raise a score, and projects
    under the same cap still rank by their debt.
    """
    raw = ratio_score(ratio, settings)
    rating = ratio_rating(ratio, settings)
    if cap is not None:
        low, high = BANDS[cap]
        raw = min(raw, low + raw / 100 * (high - low))
        rating = worse(rating, cap)
    low, high = BANDS[rating]
    return rating, min(max(round(raw), low), high)


def score_project(
    findings: Sequence[Finding],
    lines: int,
    efforts: Mapping[str, int] | None = None,
    settings: ScoreSettings | None = None,
) -> ProjectScore:
    """Score one project from its findings and its lines of code.

    ``efforts`` maps rule names to minutes (default: the catalogue; unknown rules count
    DEFAULT_EFFORT). A project of 0 lines is costed as 1 line, so it rates A with no
    weighted debt and poorly with any.
    """
    if lines < 0:
        raise ValueError(f"lines must be 0 or more, not {lines}")
    settings = settings or ScoreSettings()
    efforts = rule_efforts() if efforts is None else efforts
    dev_minutes = max(lines, 1) * settings.minutes_per_line
    capped_set = set(settings.capped_categories)
    by_category: dict[str, CategoryScore] = {}
    for category in Category:
        mine = [f for f in findings if f.category is category]
        is_capped = category.value in capped_set
        score, rating, raw, _, ratio = _rate(mine, efforts, dev_minutes, is_capped, settings)
        by_category[category.value] = CategoryScore(score, rating, raw, len(mine), ratio)
    _, _, raw, weighted, ratio = _rate(findings, efforts, dev_minutes, False, settings)
    cap = _cap((f for f in findings if f.category.value in capped_set), settings)
    rating, score = _rating_and_score(ratio, cap, settings)
    return ProjectScore(
        score=score,
        rating=rating,
        debt_minutes=raw,
        weighted_debt_minutes=weighted,
        debt_ratio=ratio,
        lines=lines,
        findings=len(findings),
        by_category=by_category,
    )


def score_projects(
    projects: Iterable[Project],
    findings: Iterable[Finding],
    settings: ScoreSettings | None = None,
) -> dict[str, ProjectScore]:
    """Score every project of a scan, keyed by project path, efforts from the catalogue."""
    efforts = rule_efforts()
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.project, []).append(f)
    return {
        p.path: score_project(groups.get(p.path, []), project_lines(p), efforts, settings)
        for p in projects
    }
