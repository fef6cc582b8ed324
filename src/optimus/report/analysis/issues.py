"""Findings grouped into issues (one per rule and project), with their evidence and levels.

Impact on the matrix is the severity the rule gave (critical and high are high impact);
effort is the hand effort of the whole issue from each rule's ``effort`` minutes. Neither
invents a figure: the claimed gain of a fix is the rule's :class:`~optimus.rules.base.Impact`
or "not measured".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from optimus.model import Finding
from optimus.registry import get_rule
from optimus.report.analysis.model import SEVERITY_ORDER, Evidence, Issue
from optimus.report.score import DEFAULT_EFFORT
from optimus.rules.base import Rule

DOCS_URL = "https://github.com/optimus-bot/optimus/blob/main/docs/rules/{}.md"

#: Rules whose ``count`` is a number of occurrences, and what they are called. Other count
#: rules count something else (large-file: lines of code), see docs/json-output.md.
INSTANCE_UNITS = {"unwrap-density": "unwrap()/expect()/panic! calls"}

#: Upper bounds (minutes of hand effort for the whole issue) of the low and medium levels.
LOW_EFFORT_MAX = 30
MEDIUM_EFFORT_MAX = 120

_IMPACT = {"critical": "high", "high": "high", "medium": "medium", "low": "low", "info": "low"}


def impact_level(severity: str) -> str:
    """The matrix's impact level of a severity."""
    return _IMPACT[severity]


def effort_level(minutes: int) -> str:
    """The matrix's effort level of an issue's hand effort."""
    if minutes <= LOW_EFFORT_MAX:
        return "low"
    return "medium" if minutes <= MEDIUM_EFFORT_MAX else "high"


def evidence_of(rule: Rule | None) -> Evidence:
    """The rule's impact evidence, or an unmeasured one."""
    impact = rule.impact if rule is not None else None
    if impact is None or impact.claim is None:
        return Evidence()
    source = impact.source
    return Evidence(
        claim=impact.claim,
        source_title=source.title if source else None,
        source_url=source.url if source else None,
        bench=impact.bench,
    )


def relative(path: str, project_path: str) -> str:
    """A scan-root-relative path made relative to its project folder."""
    if project_path in ("", ".") or not path.startswith(project_path.rstrip("/") + "/"):
        return path
    return path[len(project_path.rstrip("/")) + 1 :]


def _where(f: Finding, project_path: str) -> str:
    path = relative(f.path, project_path)
    return f"{path}:{f.line}" if f.line is not None else path


def _location_key(f: Finding) -> tuple[str, int, str]:
    return (f.path, f.line or 0, f.fingerprint)


def group_issues(
    findings: Sequence[Finding],
    project_path: str,
    efforts: Mapping[str, int],
) -> list[Issue]:
    """One issue per rule, most severe first, then by hand effort and rule name."""
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    issues = []
    for name, group in by_rule.items():
        group.sort(key=_location_key)
        rule = get_rule(name)
        worst = min(group, key=lambda f: SEVERITY_ORDER[f.severity.value]).severity.value
        minutes = efforts.get(name, DEFAULT_EFFORT) * len(group)
        unit = INSTANCE_UNITS.get(name)
        instances = sum(f.count or 1 for f in group) if unit else None
        files = sorted({relative(f.path, project_path) for f in group})
        issues.append(
            Issue(
                rule=name,
                code=group[0].code,
                title=(rule.summary if rule and rule.summary else group[0].message),
                category=group[0].category.value,
                severity=worst,
                findings=len(group),
                files=files,
                locations=[_where(f, project_path) for f in group],
                fixable=sum(1 for f in group if f.fixable),
                effort_minutes=minutes,
                impact=impact_level(worst),
                effort=effort_level(minutes),
                evidence=evidence_of(rule),
                docs_url=DOCS_URL.format(name) if rule is not None else "",
                example=group[0].message,
                instances=instances,
                instance_unit=unit,
            )
        )
    issues.sort(key=lambda i: (SEVERITY_ORDER[i.severity], -i.findings, i.effort_minutes, i.rule))
    return issues
