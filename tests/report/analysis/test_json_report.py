"""The JSON report: the same content as data, versioned and stable."""

from __future__ import annotations

import json

from optimus.model import ScanResult
from optimus.report.analysis import REPORT_VERSION, build_portfolio
from optimus.report.analysis.json_report import render


def test_json_holds_the_analysis(portfolio_scan: ScanResult) -> None:
    doc = json.loads(render(build_portfolio(portfolio_scan)))
    assert doc["report_version"] == REPORT_VERSION == 1
    assert doc["findings"] == len(portfolio_scan.findings)
    assert {p["path"] for p in doc["projects"]} == {p.path for p in portfolio_scan.projects}
    orders = next(p for p in doc["projects"] if p["name"] == "orders-api")
    assert set(orders) >= {
        "score",
        "summary",
        "issues",
        "matrix",
        "phases",
        "kpis",
        "gain",
        "by_category",
    }
    assert orders["score"]["rating"] in "ABCDE"
    assert set(orders["score"]["by_category"]) == {
        "performance",
        "cost",
        "reliability",
        "security",
        "maintainability",
        "dependencies",
    }
    assert [p["number"] for p in orders["phases"]] == [1, 2, 3, 4]
    issue = orders["issues"][0]
    assert {"rule", "locations", "fixable", "effort_minutes", "evidence", "headline"} <= set(issue)
    assert issue["evidence"]["text"]
    assert sum(i["findings"] for i in orders["issues"]) == orders["findings"]


def test_same_scan_same_text(portfolio_scan: ScanResult) -> None:
    assert render(build_portfolio(portfolio_scan)) == render(build_portfolio(portfolio_scan))


def test_every_field_is_documented(portfolio_scan: ScanResult) -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[3] / "docs" / "reports.md").read_text("utf-8")
    doc = json.loads(render(build_portfolio(portfolio_scan)))
    project = doc["projects"][0]
    orders = next(p for p in doc["projects"] if p["issues"])
    keys = (
        set(doc)
        | set(project)
        | set(project["score"])
        | set(orders["issues"][0])
        | set(orders["issues"][0]["evidence"])
        | set(orders["phases"][0])
        | set(orders["kpis"][0])
        | set(orders["gain"])
    )
    forms = ("`{}`", "`{}[]`", "`{}.")
    missing = sorted(k for k in keys if not any(f.format(k) in docs for f in forms))
    assert missing == []
