"""Grouping findings into issues: levels, ordering, locations and evidence."""

from __future__ import annotations

from pathlib import Path

from optimus.model import Category, Confidence, Finding, Severity
from optimus.report.analysis.issues import (
    effort_level,
    evidence_of,
    group_issues,
    impact_level,
    relative,
)
from optimus.rules.base import Impact, Reference, Rule

ROOT = Path(__file__).resolve().parents[3]


def _f(rule: str, severity: Severity, path: str, line: int | None) -> Finding:
    return Finding(
        rule,
        "X1",
        Category.PERFORMANCE,
        severity,
        Confidence.HIGH,
        f"msg {rule}",
        path,
        line,
        None,
        "app",
        f"{rule}{path}{line}",
    )


def test_levels() -> None:
    assert [impact_level(s) for s in ("critical", "high", "medium", "low", "info")] == [
        "high",
        "high",
        "medium",
        "low",
        "low",
    ]
    assert [effort_level(m) for m in (5, 30, 31, 120, 121)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
    ]


def test_relative_paths() -> None:
    assert relative("app/src/x.py", "app") == "src/x.py"
    assert relative("application/x.py", "app") == "application/x.py"
    assert relative("x.py", ".") == "x.py"


def test_group_one_issue_per_rule_most_severe_first() -> None:
    findings = [
        _f("slow", Severity.LOW, "app/b.py", 9),
        _f("slow", Severity.HIGH, "app/a.py", 3),
        _f("other", Severity.MEDIUM, "app/c.py", None),
    ]
    issues = group_issues(findings, "app", {"slow": 20, "other": 200})
    assert [i.rule for i in issues] == ["slow", "other"]
    slow = issues[0]
    assert slow.severity == "high" and slow.impact == "high"
    assert slow.locations == ["a.py:3", "b.py:9"] and slow.files == ["a.py", "b.py"]
    assert slow.effort_minutes == 40 and slow.effort == "medium"
    assert slow.headline == "slow: 2 findings in 2 files"
    other = issues[1]
    assert other.locations == ["c.py"] and other.effort == "high"
    assert other.headline == "other in c.py"
    assert other.docs_url == ""  # not a catalogue rule: no page to link


def test_evidence() -> None:
    class Cited(Rule):
        impact = Impact("2x faster", Reference("Docs", "https://example.org/docs"))

    class Quiet(Rule):
        pass

    cited = evidence_of(Cited())
    assert cited.measured and cited.text == "2x faster (Docs)"
    assert evidence_of(Quiet()).text == "not measured"
    assert evidence_of(None).text == "not measured"

    class Benched(Rule):
        impact = Impact("30% less memory", bench="bench/memory.py")

    assert evidence_of(Benched()).text == "30% less memory (bench/memory.py)"


def test_every_claimed_impact_in_the_catalogue_names_its_evidence() -> None:
    from optimus.registry import all_rules

    claimed = [r for r in all_rules() if r.impact is not None and r.impact.claim]
    assert {r.name for r in claimed} >= {"cargo-release-profile", "ci-no-timeout"}
    for r in claimed:
        impact = r.impact
        assert impact is not None
        assert impact.source is not None or impact.bench, r.name
        if impact.source is not None:
            assert impact.source in r.references, r.name  # cited in the rule's own docs
        if impact.bench:
            assert (ROOT / impact.bench).is_file(), r.name
