"""The verifier: baseline once per project, judge the fixed tree, summary for the report."""

from __future__ import annotations

import sys
from pathlib import Path

from optimus.verify.session import Verifier
from tests.helpers import write_tree


def _project(root: Path, passing: bool) -> Path:
    """The configured test passes where the file ``ok`` exists."""
    files = {
        "svc/optimus.toml": f"test-command = '{sys.executable} check.py'\n",
        "svc/check.py": "import os, sys\n\nsys.exit(not os.path.exists('ok'))\n",
    }
    if passing:
        files["svc/ok"] = ""
    return write_tree(root, files)


def test_fixed_tree_failing_where_baseline_passed_is_not_kept(tmp_path: Path) -> None:
    verifier = Verifier(_project(tmp_path / "b", True), _project(tmp_path / "f", False), tmp_path)
    verdict = verifier.judge("svc")
    assert not verdict.keep and verdict.label == "failed" and verdict.run is not None
    assert verifier.judge("svc").run is not None
    tests = verifier.projects["svc"]
    assert tests.status == "passed" and len(tests.runs) == 2  # the baseline ran once
    summary = verifier.summary()
    assert summary["status"] == "passed" and summary["projects"][0]["runs"] == 2


def test_red_baseline_is_not_a_judge(tmp_path: Path) -> None:
    base, fixed = _project(tmp_path / "b", False), _project(tmp_path / "f", True)
    assert not Verifier(base, fixed, tmp_path).judge("svc").keep
    forced = Verifier(base, fixed, tmp_path, force=True)
    assert forced.judge("svc").label == "not judged (baseline failed)"
    assert forced.summary()["status"] == "baseline-failed"


def test_no_test_command_keeps_the_fix(tmp_path: Path) -> None:
    base = write_tree(tmp_path / "b", {"svc/README.md": "x"})
    verifier = Verifier(base, base, tmp_path)
    verdict = verifier.judge("svc")
    assert verdict.keep and verdict.label == "no test command"
    assert verifier.summary()["status"] == "no-test-command"


def test_against_a_red_baseline_only_new_failures_count() -> None:
    from optimus.verify.runner import TestRun
    from optimus.verify.session import _against_red_baseline

    def run(failures: frozenset[str] | None, timed_out: bool = False) -> TestRun:
        return TestRun("t", False, None if timed_out else 1, 1.0, "", timed_out, False, False,
                       failures)  # fmt: skip

    red = run(frozenset({"a"}))
    assert _against_red_baseline(red, run(frozenset({"a"}))).keep
    verdict = _against_red_baseline(red, run(frozenset({"a", "b"})))
    assert not verdict.keep and verdict.label == "failed: b failed only after the fix"
    assert _against_red_baseline(red, run(None, timed_out=True)).label == "failed (timed out)"
    unknown = _against_red_baseline(run(None), run(frozenset({"b"})))
    assert unknown.keep and unknown.label == "not judged (baseline failed)"
