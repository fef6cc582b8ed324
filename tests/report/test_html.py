"""The HTML report: one self-contained file, escaped content, charts and scores present."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from optimus.analyze.engine import ScanOptions, scan
from optimus.model import ScanResult
from optimus.report.analysis import build_portfolio
from optimus.report.html import bar_chart, codespans, gauge, render

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def result() -> ScanResult:
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        return scan(["examples/portfolio"], ScanOptions(use_cache=False))


@pytest.fixture(scope="module")
def page(result: ScanResult) -> str:
    return render(build_portfolio(result))


def test_self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    # Nothing the browser would fetch: no scripts, stylesheets, images, fonts or imports.
    for pattern in (r"<script", r"<link", r"<img", r"<iframe", r"\bsrc=", r"url\(", r"@import"):
        assert not re.search(pattern, page, re.I), pattern
    assert "<style>" in page and ".bar-label" in page


def test_scores_and_charts_for_every_project(page: str, result: ScanResult) -> None:
    report = build_portfolio(result)
    for p in report.projects:
        assert f"{p.score.score}/100 ({p.score.rating})" in page
        assert f"Health score {p.score.score} out of 100, rating {p.score.rating}" in page
    assert page.count('class="score-gauge"') == len(report.projects)
    assert 'id="chart-portfolio-category"' in page and 'id="chart-portfolio-severity"' in page
    with_findings = [p for p in report.projects if p.findings]
    assert page.count('class="bar-chart"') == 2 + 2 * len(with_findings)


def test_no_template_text(page: str) -> None:
    text = re.sub(r"<code>.*?</code>", "", page, flags=re.S)
    assert not re.search(r"\{\{|\{%|\bNone\b|\bTODO\b", text)


def test_content_is_escaped(result: ScanResult) -> None:
    report = build_portfolio(result, project="orders-api")
    report.projects[0].issues[0].example = "<script>alert(1)</script> and `<b>`"
    html = render(report)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; and <code>&lt;b&gt;</code>" in html


def test_codespans() -> None:
    assert str(codespans("use `a<b` now")) == "use <code>a&lt;b</code> now"
    assert str(codespans("odd ` tick <")) == "odd ` tick &lt;"


def test_chart_geometry() -> None:
    chart = bar_chart(
        "t", {"high": 4, "low": 2, "info": 0}, {"high": "#f00", "low": "#0f0", "info": "#00f"}
    )
    assert [b.width for b in chart.bars] == [300, 150, 0]
    assert [b.y for b in chart.bars] == [0, 26, 52]
    empty = bar_chart("t", {"high": 0}, {"high": "#f00"})
    assert empty.bars[0].width == 0
    g = gauge(25, "D")
    assert g["filled"] == pytest.approx(g["rest"] / 3, rel=1e-3)


def test_diagnostics_and_empty_scans() -> None:
    from optimus.model import Diagnostic, LanguageStats, Project, ScanStats, Stack

    app = Project(".", "app", Stack(languages={"Python": LanguageStats(2, 80)}))
    diag = Diagnostic("broken.py", "invalid <syntax>")
    html = render(build_portfolio(ScanResult("app", [app], [], [diag], ScanStats())))
    assert "<h2>Files not analysed</h2>" in html
    assert "invalid &lt;syntax&gt;" in html
    assert "Health score 100 out of 100, rating A" in html
    assert 'class="bar-chart"' not in html  # no findings: no empty charts
    empty = render(build_portfolio(ScanResult("none", [], [], [], ScanStats())))
    assert "Optimus found no project under none" in empty
    assert "<svg" not in empty
