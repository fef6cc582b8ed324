"""Phases: where each issue goes, and the continuous work of phase 4."""

from __future__ import annotations

from optimus.model import Project, Stack
from optimus.report.analysis.model import Evidence, Issue, Kpi
from optimus.report.analysis.plan import build_phases, phase_of


def _issue(rule: str, category: str, severity: str, impact: str = "high") -> Issue:
    return Issue(
        rule,
        "X1",
        "t",
        category,
        severity,
        1,
        ["a"],
        ["a:1"],
        0,
        10,
        impact,
        "low",
        Evidence(),
        "",
        "m",
    )


def test_phase_of() -> None:
    assert phase_of(_issue("a", "performance", "critical")) == 1
    assert phase_of(_issue("b", "reliability", "high")) == 1
    assert phase_of(_issue("c", "security", "high")) == 1
    assert phase_of(_issue("d", "performance", "high")) == 2
    assert phase_of(_issue("e", "cost", "low")) == 2
    assert phase_of(_issue("f", "security", "medium")) == 3
    assert phase_of(_issue("g", "dependencies", "low")) == 3
    assert phase_of(_issue("h", "maintainability", "high")) == 3


def test_phases_order_by_matrix_and_say_why_empty() -> None:
    issues = [
        _issue("slow-low", "performance", "low", impact="low"),
        _issue("slow-high", "performance", "high"),
    ]
    project = Project("svc", "svc", Stack(infrastructure=["GitHub Actions"]))
    kpi = Kpi("Error rate", "why", "how")
    phases = build_phases(issues, project, [kpi], "work/svc")
    assert [p.number for p in phases] == [1, 2, 3, 4]
    assert phases[0].issues == [] and "no critical finding" in (phases[0].empty_reason or "")
    assert [i.rule for i in phases[1].issues] == ["slow-high", "slow-low"]
    actions = " ".join(phases[3].actions)
    assert "`optimus scan work/svc --fail-on high`" in actions
    assert "GitHub Actions workflow" in actions
    assert "`optimus baseline work/svc -o .optimus-baseline.json`" in actions
    assert "error rate" in actions


def test_phase4_without_findings_has_no_baseline_step() -> None:
    phases = build_phases([], Project("lib", "lib"), [], "lib")
    actions = " ".join(phases[3].actions)
    assert "baseline" not in actions and "no CI detected" in actions
