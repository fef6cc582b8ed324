"""The implementation plan: each issue in one of four phases, and what phases 1-2 gain.

1. Critical fixes: critical findings, and high ones in reliability or security (what can
   take the service down or let an attacker in).
2. Performance gains: performance and cost findings.
3. Maintainability and dependencies: those categories, and the remaining reliability and
   security findings.
4. Continuous work: keep the gains (a CI gate, the KPIs, a re-run of the report).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from optimus.model import Finding, Project
from optimus.report.analysis.model import Gain, Issue, Kpi, Phase, matrix_key
from optimus.report.score import ScoreSettings, score_project

_URGENT_CATEGORIES = {"reliability", "security"}
_PERFORMANCE_CATEGORIES = {"performance", "cost"}


def phase_of(issue: Issue) -> int:
    """The phase (1-3) an issue belongs to."""
    if issue.severity == "critical" or (
        issue.severity == "high" and issue.category in _URGENT_CATEGORIES
    ):
        return 1
    if issue.category in _PERFORMANCE_CATEGORIES:
        return 2
    return 3


def build_phases(
    issues: Sequence[Issue], project: Project, kpis: Sequence[Kpi], target: str
) -> list[Phase]:
    """The four phases; issues within a phase by matrix priority."""
    buckets: dict[int, list[Issue]] = {1: [], 2: [], 3: []}
    for issue in issues:
        buckets[phase_of(issue)].append(issue)
    for bucket in buckets.values():
        bucket.sort(key=matrix_key)
    phases = [
        Phase(
            1,
            "Critical fixes",
            "Remove what can take the service down or expose it.",
            buckets[1],
            empty_reason=None
            if buckets[1]
            else "no critical finding, and no high-severity reliability or security finding.",
        ),
        Phase(
            2,
            "Performance gains",
            "Remove what makes requests, builds or deployments slower or costlier.",
            buckets[2],
            empty_reason=None if buckets[2] else "no performance or cost finding.",
        ),
        Phase(
            3,
            "Maintainability and dependencies",
            "Make the code and its dependencies cheaper to change and to keep safe; the "
            "remaining reliability and security findings come here too.",
            buckets[3],
            empty_reason=None
            if buckets[3]
            else "no maintainability or dependency finding, and nothing left in reliability "
            "or security.",
        ),
        Phase(
            4,
            "Continuous work",
            "Keep the gains and see them in production figures.",
            actions=continuous_actions(project, kpis, target, bool(issues)),
        ),
    ]
    return phases


def continuous_actions(
    project: Project, kpis: Sequence[Kpi], target: str, has_findings: bool
) -> list[str]:
    """Phase 4: concrete, project-specific habits that keep the score where it gets to."""
    infra = set(project.stack.infrastructure)
    gate = f"`optimus scan {target} --fail-on high`"
    if "GitHub Actions" in infra:
        actions = [f"Run {gate} as a step of the existing GitHub Actions workflow."]
    else:
        actions = [f"Run {gate} in CI on every pull request (the project has no CI detected)."]
    if has_findings:
        actions.append(
            f"Record today's findings with `optimus baseline {target} -o "
            ".optimus-baseline.json` and give the gate `--baseline .optimus-baseline.json`, "
            "so it fails only on new findings while the plan is worked through."
        )
    if kpis:
        names = ", ".join(k.name.lower() for k in kpis[:3])
        when = "before phase 1 and after each phase" if has_findings else "on each release"
        actions.append(f"Track the KPIs of this report ({names}) {when}.")
    if has_findings:
        actions.append(
            f"Re-run `optimus report {target}` after each phase and compare the score and "
            "the hours of remediation left."
        )
    else:
        actions.append(f"Re-run `optimus report {target}` when the stack changes.")
    return actions


def gain_of_plan(
    findings: Sequence[Finding],
    phases: Sequence[Phase],
    lines: int,
    efforts: Mapping[str, int],
    settings: ScoreSettings | None,
    current: int,
) -> Gain:
    """The score once phases 1 and 2 are done, rescored with the same formula."""
    done = {i.rule for p in phases if p.number in (1, 2) for i in p.issues}
    left = [f for f in findings if f.rule not in done]
    after = score_project(left, lines, efforts, settings)
    minutes = sum(p.effort_minutes for p in phases if p.number in (1, 2))
    return Gain(after.score, after.rating, after.score - current, minutes)
