"""The analysis of examples/portfolio: counts that match the scan, rankings, plan and gain."""

from __future__ import annotations

from collections import Counter

import pytest

from optimus.model import (
    Category,
    Confidence,
    Finding,
    LanguageStats,
    Project,
    ScanResult,
    ScanStats,
    Severity,
    Stack,
)
from optimus.report.analysis import build_portfolio
from optimus.report.analysis.model import REPORT_VERSION
from optimus.report.score import project_lines, score_project


def test_counts_match_the_scan(portfolio_scan: ScanResult) -> None:
    report = build_portfolio(portfolio_scan)
    per_project = Counter(f.project for f in portfolio_scan.findings)
    assert report.findings == len(portfolio_scan.findings) > 0
    for p in report.projects:
        assert p.findings == per_project.get(p.path, 0)
        assert sum(p.by_severity.values()) == p.findings
        assert sum(p.by_category.values()) == p.findings
        assert sum(i.findings for i in p.issues) == p.findings
        assert p.score.findings == p.findings
        mine = [f for f in portfolio_scan.findings if f.project == p.path]
        assert {i.rule for i in p.issues} == {f.rule for f in mine}
        if p.findings:
            assert f"Optimus reports {p.findings} finding" in " ".join(p.summary)
    total = f"They hold {report.findings} findings"
    assert any(s.startswith(total) for s in report.summary)


def test_every_project_of_the_scan_is_reported(portfolio_scan: ScanResult) -> None:
    report = build_portfolio(portfolio_scan)
    assert [p.path for p in report.projects] == [p.path for p in portfolio_scan.projects]
    for p, project in zip(report.projects, portfolio_scan.projects, strict=True):
        assert p.lines == project_lines(project)


def test_rankings(portfolio_scan: ScanResult) -> None:
    report = build_portfolio(portfolio_scan)
    scores = [p.score.score for p in report.by_health]
    assert scores == sorted(scores)
    assert report.by_health[-1].name == "clean-lib"
    gains = [p.gain.points for p in report.by_gain]
    assert gains == sorted(gains, reverse=True)
    data = report.to_dict()
    assert data["report_version"] == REPORT_VERSION
    assert data["ranking"]["by_health"] == [p.path for p in report.by_health]


def test_clean_project_says_so_plainly(portfolio_scan: ScanResult) -> None:
    clean = build_portfolio(portfolio_scan, project="clean-lib").projects[0]
    assert clean.issues == [] and clean.score.score == 100
    assert "no findings" in " ".join(clean.summary)
    for phase in clean.phases[:3]:
        assert phase.issues == [] and phase.empty_reason
    assert clean.phases[3].actions


def test_instances_of_count_rules(portfolio_scan: ScanResult) -> None:
    inventory = build_portfolio(portfolio_scan, project="inventory-service").projects[0]
    unwrap = next(i for i in inventory.issues if i.rule == "unwrap-density")
    calls = sum(f.count or 0 for f in portfolio_scan.findings if f.rule == "unwrap-density")
    assert unwrap.instances == calls > unwrap.findings
    assert unwrap.headline.startswith(f"{calls} unwrap()/expect()/panic! calls in 2 files")
    large = next(
        i
        for p in build_portfolio(portfolio_scan).projects
        for i in p.issues
        if i.rule == "large-file"
    )
    assert large.instances is None  # its count is lines of code, not occurrences


def test_evidence_is_cited_or_not_measured(portfolio_scan: ScanResult) -> None:
    report = build_portfolio(portfolio_scan)
    issues = {i.rule: i for p in report.projects for i in p.issues}
    cargo = issues["cargo-release-profile"].evidence
    assert cargo.measured and "10-20%" in (cargo.claim or "")
    assert cargo.source_url and "perf-book" in cargo.source_url
    assert issues["blocking-call-in-async"].evidence.text == "not measured"


def test_plan_puts_each_issue_in_one_phase(portfolio_scan: ScanResult) -> None:
    for p in build_portfolio(portfolio_scan).projects:
        placed = [i.rule for ph in p.phases[:3] for i in ph.issues]
        assert sorted(placed) == sorted(i.rule for i in p.issues)
        assert p.phases[3].actions and not p.phases[3].issues
    orders = build_portfolio(portfolio_scan, project="orders-api").projects[0]
    phase1 = [i.rule for i in orders.phases[0].issues]
    assert "dev-server-in-production" in phase1
    assert "blocking-call-in-async" in [i.rule for i in orders.phases[1].issues]


def test_gain_is_the_rescored_project(portfolio_scan: ScanResult) -> None:
    orders = build_portfolio(portfolio_scan, project="orders-api").projects[0]
    done = {i.rule for ph in orders.phases[:2] for i in ph.issues}
    left = [f for f in portfolio_scan.findings if f.project == "orders-api" and f.rule not in done]
    rescored = score_project(left, orders.lines)
    assert orders.gain.score_after == rescored.score
    assert orders.gain.points == rescored.score - orders.score.score > 0
    assert orders.gain.effort_minutes == sum(ph.effort_minutes for ph in orders.phases[:2])


def test_project_filter_by_name_or_path(portfolio_scan: ScanResult) -> None:
    assert [p.name for p in build_portfolio(portfolio_scan, "storefront").projects] == [
        "storefront"
    ]
    assert len(build_portfolio(portfolio_scan, "recommender").projects) == 1


def _finding(rule: str, severity: Severity, category: Category, path: str, n: int) -> Finding:
    return Finding(
        rule=rule,
        code="X1",
        category=category,
        severity=severity,
        confidence=Confidence.HIGH,
        message=f"message {n}",
        path=path,
        line=n,
        end_line=None,
        project="svc",
        fingerprint=f"fp{n}",
        fixable=n % 2 == 0,
    )


@pytest.fixture
def synthetic() -> ScanResult:
    svc = Project("svc", "svc", Stack(languages={"Python": LanguageStats(3, 300)}))
    findings = [
        _finding("blocking-call-in-async", Severity.HIGH, Category.PERFORMANCE, "svc/a.py", 1),
        _finding("blocking-call-in-async", Severity.HIGH, Category.PERFORMANCE, "svc/b.py", 2),
        _finding("docker-root-user", Severity.MEDIUM, Category.SECURITY, "svc/Dockerfile", 3),
    ]
    return ScanResult("work", [svc], findings, [], ScanStats())


def test_fixable_findings_are_counted_and_paths_are_project_relative(
    synthetic: ScanResult,
) -> None:
    p = build_portfolio(synthetic).projects[0]
    blocking = next(i for i in p.issues if i.rule == "blocking-call-in-async")
    assert blocking.locations == ["a.py:1", "b.py:2"]
    assert blocking.fixable == 1 and p.fixable == 1
    assert "1 of them has an automatic fix" in " ".join(p.summary)


def test_no_projects_is_said_plainly() -> None:
    report = build_portfolio(ScanResult("empty", [], [], [], ScanStats()))
    assert report.projects == []
    assert report.summary == [
        "Optimus found no project under empty: there is nothing to report on."
    ]


def test_unknown_project_is_a_usage_error(synthetic: ScanResult) -> None:
    from optimus.errors import UsageError

    with pytest.raises(UsageError, match=r"no project named 'nope' was found \(found: svc\)"):
        build_portfolio(synthetic, project="nope")


def test_summary_says_when_the_plan_does_not_move_the_score(portfolio_scan: ScanResult) -> None:
    store = build_portfolio(portfolio_scan, project="storefront").projects[0]
    assert store.gain.points == 0
    text = " ".join(store.summary)
    assert "leave the score at 59: the C rating is held by findings of phase 3" in text
    assert "docker-root-user" in text
