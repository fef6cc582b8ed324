"""Judge fixes by a project's own tests: the baseline tree against the fixed tree.

A :class:`Verifier` holds two copies of the code, the baseline (as it was) and the fixed tree
(where fixes are being made), and runs each touched project's test command in both, the
baseline once. A fix is kept when the fixed tree's tests pass, or cannot be judged (no test
command, the test program not installed, or a red baseline with ``--force``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optimus.config import find_config, load_config
from optimus.verify.detect import TestCommand, detect
from optimus.verify.runner import TestRun, run_tests

DEFAULT_TIMEOUT = 600.0


@dataclass
class ProjectTests:
    """What the verifier knows about one project's tests."""

    project: str
    command: TestCommand | None
    baseline: TestRun | None = None
    runs: list[TestRun] = field(default_factory=list)

    @property
    def status(self) -> str:
        """passed, baseline-failed, no-test-command, unavailable, no-tests, or pending."""
        if self.command is None:
            return "no-test-command"
        if self.baseline is None:
            return "pending"
        if self.baseline.missing:
            return "unavailable"
        if self.baseline.no_tests:
            return "no-tests"
        return "passed" if self.baseline.passed else "baseline-failed"

    def to_dict(self) -> dict[str, Any]:
        """The project's verification as plain data."""
        return {
            "project": self.project,
            "command": self.command.display if self.command else None,
            "status": self.status,
            "baseline": self.baseline.to_dict() if self.baseline else None,
            "runs": len(self.runs),
        }


@dataclass
class Verdict:
    """Whether a fix may stay, and the run that says so (None when nothing was run)."""

    keep: bool
    label: str
    run: TestRun | None = None


class Verifier:
    """Runs projects' tests in the baseline and the fixed tree, each baseline at most once."""

    def __init__(
        self,
        baseline_root: Path,
        fixed_root: Path,
        user_root: Path,
        timeout: float = DEFAULT_TIMEOUT,
        force: bool = False,
    ) -> None:
        self.baseline_root = baseline_root
        self.fixed_root = fixed_root
        self.user_root = user_root
        self.timeout = timeout
        self.force = force
        self.projects: dict[str, ProjectTests] = {}

    def _folder(self, root: Path, project: str) -> Path:
        return root if project == "." else root / project

    def tests_of(self, project: str) -> ProjectTests:
        """The project's test command and baseline run (run now if not yet run)."""
        known = self.projects.get(project)
        if known is not None:
            return known
        folder = self._folder(self.baseline_root, project)
        command = detect(
            folder, _configured(self.baseline_root, folder), self._folder(self.user_root, project)
        )
        tests = ProjectTests(project, command)
        if command is not None:
            tests.baseline = run_tests(command, folder, self.timeout)
        self.projects[project] = tests
        return tests

    def baseline_failures(self, projects: list[str]) -> list[ProjectTests]:
        """Run the baselines of ``projects``; those whose tests fail."""
        return [t for t in map(self.tests_of, projects) if t.status == "baseline-failed"]

    def judge(self, project: str) -> Verdict:
        """Run the project's tests on the fixed tree and say whether the fix may stay."""
        tests = self.tests_of(project)
        status = tests.status
        if status in ("no-test-command", "unavailable", "no-tests"):
            return Verdict(True, status.replace("-", " "))
        if status == "baseline-failed" and not self.force:
            return Verdict(False, "baseline failed", tests.baseline)
        assert tests.command is not None and tests.baseline is not None
        run = run_tests(tests.command, self._folder(self.fixed_root, project), self.timeout)
        tests.runs.append(run)
        if status == "passed":
            return Verdict(run.passed, "passed" if run.passed else "failed", run)
        return _against_red_baseline(tests.baseline, run)

    def summary(self) -> dict[str, Any]:
        """The ``verify`` object of the JSON report."""
        projects = [t.to_dict() for _, t in sorted(self.projects.items())]
        statuses = {p["status"] for p in projects}
        if "baseline-failed" in statuses:
            status = "baseline-failed"
        elif "passed" in statuses:
            status = "passed"
        else:
            status = "no-test-command"
        return {"enabled": True, "status": status, "timeout": self.timeout, "projects": projects}


def _against_red_baseline(baseline: TestRun, run: TestRun) -> Verdict:
    """With --force: a fix may stay unless it makes tests fail that passed before it."""
    if run.timed_out and not baseline.timed_out:
        return Verdict(False, "failed (timed out)", run)
    if baseline.failures is None or (run.failures is None and not run.passed):
        return Verdict(True, "not judged (baseline failed)", run)
    new = sorted((run.failures or frozenset()) - baseline.failures)
    if new:
        return Verdict(False, f"failed: {', '.join(new[:5])} failed only after the fix", run)
    return Verdict(True, "no new failures (baseline failed)", run)


def _configured(root: Path, folder: Path) -> str | None:
    """``test-command`` from the project's own configuration, else the scan root's.

    As for every setting, a project's configuration replaces the root's (no inheritance
    without ``extend``).
    """
    if folder != root and find_config(str(folder)) is not None:
        return load_config(str(folder), str(root)).test_command
    return load_config(str(root), str(root)).test_command
