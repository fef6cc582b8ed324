"""The Markdown report of examples/portfolio reads like a finished review, not a template."""

from __future__ import annotations

import re

import pytest

from optimus.model import ScanResult
from optimus.report.analysis import build_portfolio
from optimus.report.analysis.markdown import render

#: What an unfilled template or a missing value leaves behind (outside code spans).
LEFTOVERS = re.compile(r"\{\{ |\{%|\bNone\b|\bTODO\b|\bnan\b| \(\)| \[\]|\b0 findings from")


@pytest.fixture(scope="module")
def text(portfolio_scan: ScanResult) -> str:
    return render(build_portfolio(portfolio_scan))


def _sections(md: str) -> list[tuple[str, str]]:
    """(heading, body up to the next heading) pairs."""
    parts = re.split(r"^(#{1,6} .*)$", md, flags=re.M)
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def test_no_template_text_left(text: str) -> None:
    prose = re.sub(r"`[^`]*`", "code", text)
    assert LEFTOVERS.findall(prose) == []


def test_no_empty_section(text: str) -> None:
    sections = _sections(text)
    assert len(sections) > 3
    for i, (heading, body) in enumerate(sections):
        level = len(heading.split()[0])
        nxt = sections[i + 1][0] if i + 1 < len(sections) else None
        has_child = nxt is not None and len(nxt.split()[0]) > level
        assert body.strip() or has_child, f"empty section {heading!r}"


def test_tables_have_rows_and_regular_columns(text: str) -> None:
    for block in re.findall(r"((?:^\|.*\|\n)+)", text, flags=re.M):
        rows = block.strip().split("\n")
        assert len(rows) >= 3, block  # header, separator and at least one row
        cells = {len(re.split(r"(?<!\\)\|", r)) for r in rows}
        assert len(cells) == 1, block


def test_every_project_with_its_score_and_real_counts(
    text: str, portfolio_scan: ScanResult
) -> None:
    report = build_portfolio(portfolio_scan)
    for p in report.projects:
        assert f"## {p.name} {p.score.score}/100 ({p.score.rating})" in text
        if p.findings:
            assert f"Optimus reports {p.findings} findings" in text
    n = len(portfolio_scan.findings)
    assert f"They hold {n} findings" in text
    unwrap = sum(f.count or 0 for f in portfolio_scan.findings if f.rule == "unwrap-density")
    assert f"{unwrap} unwrap()/expect()/panic! calls" in text


def test_sections_a_reviewer_expects(text: str) -> None:
    for heading in (
        "## Executive summary",
        "## Projects by health",
        "## Projects by gain on offer",
        "### Critical issues",
        "### Opportunities by category",
        "### Impact and effort",
        "### Implementation plan",
        "#### Phase 1: Critical fixes",
        "#### Phase 4: Continuous work",
        "### KPIs to watch",
    ):
        assert heading in text
    assert "not measured" in text
    assert "The Rust Performance Book" in text


def test_anchors_of_the_ranking_exist(text: str) -> None:
    headings = {
        "".join(c for c in h.lstrip("# ").lower() if c.isalnum() or c in " -_").replace(" ", "-")
        for h, _ in _sections(text)
    }
    for anchor in re.findall(r"\]\(#([^)]+)\)", text):
        assert anchor in headings


def test_single_project_report_has_no_portfolio_sections(portfolio_scan: ScanResult) -> None:
    md = render(build_portfolio(portfolio_scan, project="storefront"))
    assert md.startswith("# Optimization report: storefront\n")
    assert "## Projects by health" not in md
    assert "Nothing in this phase: no critical finding" in md


def test_pipes_in_messages_do_not_break_tables(portfolio_scan: ScanResult) -> None:
    report = build_portfolio(portfolio_scan, project="orders-api")
    report.projects[0].issues[0].title = "a | b `c|d`."
    md = render(report)
    test_tables_have_rows_and_regular_columns(md)


def _root_project_scan() -> ScanResult:
    from optimus.model import (
        Category,
        Confidence,
        Diagnostic,
        Finding,
        LanguageStats,
        Project,
        ScanStats,
        Severity,
        Stack,
    )

    app = Project(".", "app", Stack(languages={"Python": LanguageStats(2, 80)}))
    finding = Finding(
        "http-no-timeout",
        "PY020",
        Category.RELIABILITY,
        Severity.MEDIUM,
        Confidence.HIGH,
        "`requests.get(url)` has no timeout | so it can hang",
        "app.py",
        3,
        None,
        ".",
        "fp",
    )
    return ScanResult(
        "app", [app], [finding], [Diagnostic("broken.py", "invalid syntax (line 2)")], ScanStats()
    )


def test_root_project_and_diagnostics() -> None:
    md = render(build_portfolio(_root_project_scan()))
    assert md.startswith("# Optimization report: app\n")
    assert "`app.py:3`" in md  # a root project keeps paths as they are
    assert "`optimus scan app --fail-on high`" in md
    assert "## Files not analysed\n\n- `broken.py`: invalid syntax (line 2)" in md
    test_tables_have_rows_and_regular_columns(md)


def test_no_project_is_said_plainly() -> None:
    from optimus.model import ScanStats

    md = render(build_portfolio(ScanResult("empty", [], [], [], ScanStats())))
    assert "Optimus found no project under empty: there is nothing to report on." in md
    assert "## Projects by health" not in md


@pytest.mark.parametrize(
    "name", ["clean-lib", "inventory-service", "orders-api", "recommender", "storefront"]
)
def test_each_project_report_reads_finished(portfolio_scan: ScanResult, name: str) -> None:
    md = render(build_portfolio(portfolio_scan, project=name))
    test_no_template_text_left(md)
    test_no_empty_section(md)
    test_tables_have_rows_and_regular_columns(md)
    mine = [f for f in portfolio_scan.findings if f.project == name]
    if mine:
        assert f"Optimus reports {len(mine)} finding" in md
        for f in mine:  # every finding's place is in the report
            assert f.path.removeprefix(f"{name}/") in md
    else:
        assert "Optimus reports no findings" in md


def test_only_catalogue_rules_are_linked() -> None:
    from optimus.model import (
        Category,
        Confidence,
        Finding,
        LanguageStats,
        Project,
        ScanStats,
        Severity,
        Stack,
    )

    app = Project(".", "app", Stack(languages={"Python": LanguageStats(1, 10)}))
    findings = [
        Finding(
            rule,
            "X1",
            Category.PERFORMANCE,
            Severity.LOW,
            Confidence.HIGH,
            "m",
            "a.py",
            1,
            None,
            ".",
            rule,
        )
        for rule in ("large-file", "someengine:E1")
    ]
    md = render(build_portfolio(ScanResult("app", [app], findings, [], ScanStats())))
    assert (
        "[`large-file`](https://github.com/optimus-bot/optimus/blob/main/docs/rules/large-file.md)"
        in md
    )
    assert "`someengine:E1`" in md and "docs/rules/someengine" not in md
