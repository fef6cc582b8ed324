"""Issue 5's done-when, on a git copy of examples/portfolio with the shipped codemods.

``fix --apply --verify --unsafe-fixes`` makes a branch whose rescan no longer shows the fixed
findings, whose files all parse and whose judged tests pass; a fix planted to break a test is
rolled back and reported; the user's tree is byte-identical; a second run does nothing.

The portfolio's tests need their projects' dependencies. Where this interpreter has them
(FastAPI, SQLAlchemy...), orders-api and recommender are judged with it; the Rust and Node
projects need crates and node_modules, so their baselines fail and ``--force`` applies their
fixes unjudged, as the report says. clean-lib needs only pytest and is always judged.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

from optimus.analyze.engine import ScanOptions, scan
from optimus.fix.apply import FixRequest, run_fix
from optimus.fix.base import Fixer
from optimus.fix.convergence import FixOptions
from optimus.fix.fixers import load_fixers
from optimus.fix.reparse import parse_error, parse_kind
from optimus.model import Applicability
from tests.fix.plant import SLEEP, breaking_sleep_fixer, git, git_repo, planted, snapshot

PORTFOLIO = Path(__file__).resolve().parents[2] / "examples" / "portfolio"
PORTFOLIO_DEPS = ("fastapi", "sqlalchemy", "httpx", "requests", "redis", "dateutil")

SLOW_MODULE = "import time\n\n\nasync def settle():\n    time.sleep(0)\n    return 42\n"
SLOW_TEST = (
    "import asyncio\n\nfrom cleanlib.slow import settle\n\n\n"
    "def test_settle():\n    assert asyncio.run(settle()) == 42\n"
)


def _has_portfolio_deps() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in PORTFOLIO_DEPS)


def _portfolio(tmp_path: Path) -> Path:
    root = tmp_path / "portfolio"
    shutil.copytree(PORTFOLIO, root)
    # The planted bug's home: a blocking call in clean-lib, and a test that sees its result.
    (root / "clean-lib" / "src" / "cleanlib" / "slow.py").write_text(SLOW_MODULE)
    (root / "clean-lib" / "tests" / "test_slow.py").write_text(SLOW_TEST)
    git_repo(root)
    # Virtual environments are untracked, as in a real checkout: the tests find them there.
    venv = Path(sys.prefix)
    (root / "clean-lib" / ".venv").symlink_to(venv)
    if _has_portfolio_deps():
        (root / "orders-api" / ".venv").symlink_to(venv)
        (root / "recommender" / ".venv").symlink_to(venv)
    return root


def _checkout(root: Path, branch: str, where: Path) -> Path:
    where.mkdir()
    archive = subprocess.run(
        ["git", "archive", branch], cwd=root, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    return where


def test_portfolio_fix_apply_verify_end_to_end(tmp_path: Path) -> None:
    root = _portfolio(tmp_path)
    before = snapshot(root)
    planted_bug = Fixer(
        SLEEP,
        Applicability.SAFE,
        breaking_sleep_fixer().func,
        lambda finding: finding.path.startswith("clean-lib/"),
    )
    request = FixRequest(
        root,
        FixOptions(unsafe_fixes=True),
        apply=True,
        verify=True,
        force=True,
        timeout=300,
    )
    with planted(planted_bug, *load_fixers()):
        report = run_fix(request)
        branches = git(root, "branch", "--list")
        second = run_fix(request)

    # The user's tree, index, HEAD and branch are untouched.
    assert snapshot(root) == before
    assert git(root, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"

    # The planted bug was caught by clean-lib's own tests and is not on the branch.
    [back] = report.rolled_back
    assert back.rule == SLEEP and back.project == "clean-lib"
    assert "assert 41 == 42" in back.output
    assert report.branch and report.branch.startswith("optimus/batch-")
    applied_rules = {f.rule for f in report.applied}
    assert {"docker-pip-cache", "cargo-release-profile", "docker-root-user"} <= applied_rules
    assert not report.failed_to_parse and report.converged

    branch = _checkout(root, report.branch, tmp_path / "branch")
    assert "time.sleep(0)" in (branch / "clean-lib" / "src" / "cleanlib" / "slow.py").read_text()

    # Every file on the branch parses.
    for path in branch.rglob("*"):
        rel = path.relative_to(branch).as_posix()
        if path.is_file() and parse_kind(rel):
            assert parse_error(rel, path.read_text(encoding="utf-8")) is None, rel

    # The branch's rescan no longer shows the fixed findings.
    rescan = scan([str(branch)], ScanOptions(use_cache=False))
    left = {(f.rule, f.path, f.fingerprint) for f in rescan.findings}
    fixed = {(f.rule, f.path, f.fingerprint) for f in report.applied}
    assert fixed and not fixed & left
    assert all(f.resolved for f in report.applied)

    # Judged projects' tests pass on the branch, run here independently of the report.
    statuses = {p["project"]: p for p in report.verify["projects"]}
    assert statuses["clean-lib"]["status"] == "passed"
    for project, info in statuses.items():
        if info["status"] != "passed":
            assert info["status"] in ("baseline-failed", "unavailable", "no-test-command")
            assert all(f.verified != "passed" for f in report.applied if f.project == project)
            continue
        python = root / project / ".venv" / "bin" / "python"
        done = subprocess.run(
            [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=branch / project,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout[-2000:]
    if _has_portfolio_deps():
        assert statuses["orders-api"]["status"] == "passed"
        assert any(f.verified == "passed" for f in report.applied if f.project == "orders-api")

    # A second run is a no-op.
    assert not second.applied and second.branch == report.branch
    assert second.notes[0].startswith("nothing to do")
    assert git(root, "branch", "--list") == branches
