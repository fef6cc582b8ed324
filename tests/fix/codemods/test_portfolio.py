"""Every codemod over a copy of examples/portfolio: each fixable finding is fixed or refused.

Passes run until no fixer proposes anything: each pass scans the tree and applies at most one
fix per file (a later finding of the same file may point at lines the first fix moved), as
the fix engine does. Every written file must parse; at the end, the findings of fixed rules
that remain are exactly the ones a fixer refused, and a last pass proposes nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from optimus.engines.hadolint import HadolintEngine
from optimus.fix.base import registered_fixers
from optimus.model import Finding
from tests.fix.codemods.conftest import apply, assert_parses, propose, run_scan

PORTFOLIO = Path(__file__).resolve().parents[3] / "examples" / "portfolio"
FIXED_RULES = {f.rule for f in registered_fixers()}


def _handled(finding: Finding) -> bool:
    return any(
        f.rule == finding.rule and (f.accepts is None or f.accepts(finding))
        for f in registered_fixers()
    )


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("portfolio") / "portfolio"
    shutil.copytree(PORTFOLIO, root)
    engines = HadolintEngine().executable() is not None
    applied: list[tuple[str, str]] = []
    for _ in range(40):
        touched: set[str] = set()
        result = run_scan(root, engines)
        projects = {p.path: p for p in result.projects}
        for finding in result.findings:
            if finding.path in touched or not _handled(finding):
                continue
            proposal = propose(root, finding, projects.get(finding.project))
            if proposal is None:
                continue
            apply(root, proposal)
            touched |= {c.path for c in proposal.changes}
            applied.append((finding.rule, finding.path))
            for change in proposal.changes:
                assert_parses(change.path, change.new_text)
        if not touched:
            break
    else:
        raise AssertionError("fixes did not converge on the portfolio")
    remaining = [f for f in run_scan(root, engines).findings if _handled(f)]
    return {"root": root, "applied": applied, "remaining": remaining, "engines": engines}


def test_expected_fixes_applied(fixed: dict[str, object]) -> None:
    applied = set(fixed["applied"])  # type: ignore[arg-type]
    expected = {
        ("cargo-release-profile", "inventory-service/Cargo.toml"),
        ("ci-no-dependency-cache", "orders-api/.github/workflows/ci.yml"),
        ("docker-heavy-base", "orders-api/Dockerfile"),
        ("docker-root-user", "orders-api/Dockerfile"),
        ("docker-cache-order", "orders-api/Dockerfile"),
        ("docker-pip-cache", "orders-api/Dockerfile"),
        ("db-pool-config", "orders-api/app/db.py"),
        ("blocking-call-in-async", "orders-api/app/routes.py"),
        ("deps-dev-prod-duplicate", "orders-api/pyproject.toml"),
        ("torch-inference-no-grad", "recommender/app/embeddings.py"),
        ("k8s-no-readiness-probe", "recommender/k8s/embeddings.yaml"),
        ("k8s-no-resources", "recommender/k8s/embeddings.yaml"),
        ("docker-heavy-base", "storefront/Dockerfile"),
        ("docker-root-user", "storefront/Dockerfile"),
        ("docker-cache-order", "storefront/Dockerfile"),
        ("docker-no-dockerignore", "storefront/Dockerfile"),
        ("docker-single-stage", "storefront/Dockerfile"),
        ("deps-dev-prod-duplicate", "storefront/package.json"),
    }
    if fixed["engines"]:
        expected.add(("docker-apt-hygiene", "orders-api/Dockerfile"))
    assert expected <= applied, expected - applied


def test_only_deliberate_refusals_remain(fixed: dict[str, object]) -> None:
    remaining = {(f.rule, f.path, f.line) for f in fixed["remaining"]}  # type: ignore[attr-defined]
    # orders-api's CMD runs uvicorn with --reload, which ignores --workers (a
    # dev-server-in-production finding says so); open() is blocking file I/O, which has no
    # codemod of its own
    assert remaining == {
        ("uvicorn-single-worker", "orders-api/Dockerfile", 18),
    }, remaining


def test_every_file_parses_and_a_second_run_is_a_no_op(fixed: dict[str, object]) -> None:
    root: Path = fixed["root"]  # type: ignore[assignment]
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in (".py", ".toml", ".yaml", ".yml", ".json"):
            assert_parses(str(path.relative_to(root)), path.read_text(encoding="utf-8"))
        elif path.is_file() and path.name == "Dockerfile":
            assert_parses(path.name, path.read_text(encoding="utf-8"))
    for finding in run_scan(root, bool(fixed["engines"])).findings:
        if _handled(finding):
            assert propose(root, finding) is None, finding
