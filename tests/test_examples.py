"""The bundled portfolio: every shipped rule fires where intended and nowhere else."""

from __future__ import annotations

from pathlib import Path

from optimus.registry import all_rules
from optimus.testing.harness import expected_findings, found_findings, scan_fixture

PORTFOLIO = Path(__file__).resolve().parent.parent / "examples" / "portfolio"


def test_portfolio_findings_are_exactly_the_intended_ones() -> None:
    result = scan_fixture(str(PORTFOLIO))
    expected = expected_findings(str(PORTFOLIO))
    found = found_findings(result)
    assert sorted(found - expected, key=str) == [], "findings nobody intended"
    assert sorted(expected - found, key=str) == [], "intended findings that did not fire"
    assert result.diagnostics == []


#: Rules that only fire with data the user supplies (an OSV export): the portfolio ships no
#: invented advisories for real packages.
NEEDS_USER_DATA = {"deps-vulnerable"}


def test_every_shipped_rule_fires_on_the_portfolio() -> None:
    expected_rules = {rule for _, _, rule in expected_findings(str(PORTFOLIO))}
    shipped = {r.name for r in all_rules() if not r.preview} - NEEDS_USER_DATA
    assert shipped - expected_rules == set()


def test_the_clean_project_has_no_findings_and_stacks_are_detected() -> None:
    result = scan_fixture(str(PORTFOLIO))
    assert not [f for f in result.findings if f.project == "clean-lib"]
    stacks = {p.path: p.stack for p in result.projects}
    assert set(stacks) == {
        "clean-lib",
        "inventory-service",
        "orders-api",
        "recommender",
        "storefront",
    }
    assert "FastAPI" in stacks["orders-api"].frameworks
    assert {"axum", "tokio", "serde"} <= set(stacks["inventory-service"].frameworks)
    assert "Express" in stacks["storefront"].frameworks
    assert "Kubernetes" in stacks["recommender"].infrastructure
    assert "TypeScript" in stacks["storefront"].languages
