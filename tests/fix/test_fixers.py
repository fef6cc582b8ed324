"""Fixer lookup: by rule and accepts(), safety filter, and marking scan findings fixable."""

from __future__ import annotations

from pathlib import Path

from optimus.analyze.engine import ScanOptions, scan
from optimus.fix.base import Fixer
from optimus.fix.fixers import allowed, codemod_modules, fixers_for, mark_fixable
from optimus.model import Applicability, Category, Confidence, Finding, Severity
from tests.fix.plant import SLEEP, pip_fixer, planted, sleep_fixer, tiny_project


def _finding(rule: str, message: str) -> Finding:
    return Finding(
        rule, "X1", Category.PERFORMANCE, Severity.HIGH, Confidence.HIGH, message, "a.py", 1, 1,
        ".", "f",
    )  # fmt: skip


def test_fixers_for_matches_rule_and_accepts() -> None:
    sleep = sleep_fixer()

    def raises(finding: Finding) -> bool:
        raise RuntimeError("bad accepts")

    broken = Fixer(SLEEP, Applicability.SAFE, sleep.func, raises)
    fixers = [sleep, pip_fixer(), broken]
    assert fixers_for(_finding(SLEEP, "`time.sleep()` in async"), fixers) == [sleep]
    assert fixers_for(_finding(SLEEP, "`requests.get()` in async"), fixers) == []
    assert fixers_for(_finding("other", "time.sleep"), fixers) == []


def test_safety_filter() -> None:
    assert allowed(Applicability.SAFE, False)
    assert not allowed(Applicability.UNSAFE, False) and allowed(Applicability.UNSAFE, True)
    assert not allowed(Applicability.DISPLAY_ONLY, True)


def test_mark_fixable_sets_the_flag_only_where_a_fixer_accepts(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "p")
    with planted(sleep_fixer(Applicability.DISPLAY_ONLY)):
        result = mark_fixable(scan([str(root)], ScanOptions(use_cache=False)))
    flags = {f.rule: f.fixable for f in result.findings}
    assert flags[SLEEP] is True and flags["docker-pip-cache"] is False


def test_codemod_modules_are_found_on_disk() -> None:
    assert all(m.startswith("optimus.fix.codemods.") for m in codemod_modules())
