"""Phrases: counts, durations, lists and the explanation of a rating."""

from __future__ import annotations

from optimus.model import Category, Confidence, Finding, Severity
from optimus.report.analysis.text import (
    count_phrase,
    duration,
    joined,
    percent,
    score_reason,
    severity_phrase,
)
from optimus.report.score import ScoreSettings, score_project


def test_count_phrase() -> None:
    assert count_phrase(1, "file") == "1 file"
    assert count_phrase(0, "file") == "0 files"
    assert count_phrase(3442, "line") == "3,442 lines"


def test_duration() -> None:
    assert duration(0) == "0 minutes"
    assert duration(1) == "1 minute"
    assert duration(45) == "45 minutes"
    assert duration(60) == "1 hour"
    assert duration(322) == "5.4 hours"
    assert duration(120) == "2 hours"


def test_joined_and_severities() -> None:
    assert joined([]) == ""
    assert joined(["a"]) == "a"
    assert joined(["a", "b", "c"]) == "a, b and c"
    assert severity_phrase({"critical": 0, "high": 6, "medium": 0, "low": 9}) == "6 high and 9 low"


def test_percent() -> None:
    assert percent(0.0) == "0.0%"
    assert percent(0.0001) == "<0.1%"
    assert percent(0.0227) == "2.3%"


def _f(severity: Severity, category: Category, rule: str = "r") -> Finding:
    return Finding(rule, "X1", category, severity, Confidence.HIGH, "m", "a.py", 1, None, "p", "fp")


def test_reason_names_the_cap_and_its_rules() -> None:
    settings = ScoreSettings()
    findings = [_f(Severity.HIGH, Category.RELIABILITY, "dev-server-in-production")]
    score = score_project(findings, 1000, {"dev-server-in-production": 10})
    text = score_reason(score, findings, settings)
    assert "would rate A" in text and "caps the rating at D" in text
    assert "high-severity reliability" in text and "dev-server-in-production" in text


def test_reason_without_cap_quotes_the_grid() -> None:
    findings = [_f(Severity.MEDIUM, Category.PERFORMANCE)]
    score = score_project(findings, 100, {"r": 30})
    text = score_reason(score, findings, ScoreSettings())
    assert text.startswith("The remediation effort rates A: weighted by severity, it is 1.0%")
    assert "up to 5.0% rates A" in text


def test_reason_for_info_only_and_empty() -> None:
    info = [_f(Severity.INFO, Category.RELIABILITY)]
    assert "informational" in score_reason(score_project(info, 10, {}), info, ScoreSettings())
    empty = score_project([], 10, {})
    assert score_reason(empty, [], ScoreSettings()) == "There is nothing to remediate."
