"""Run a test command with a timeout and a clean environment; keep the tail of its output."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from optimus.verify.detect import TestCommand, clean_env

#: How much of a test run's output a report keeps (its end: where failures are summarized).
TAIL_CHARS = 4000


@dataclass
class TestRun:
    """One run of a project's tests."""

    command: str
    passed: bool
    returncode: int | None
    seconds: float
    output: str
    timed_out: bool = False
    #: The test program is not installed: the run says nothing about the fix.
    missing: bool = False
    #: The runner found no tests (pytest's exit code 5): nothing to judge with.
    no_tests: bool = False
    #: The ids of the tests that failed, when the output names them (pytest, cargo, go);
    #: None when a failed run's output does not say which.
    failures: frozenset[str] | None = frozenset()

    def to_dict(self) -> dict[str, object]:
        """The run as plain data for the JSON report."""
        return {
            "command": self.command,
            "passed": self.passed,
            "returncode": self.returncode,
            "seconds": self.seconds,
            "timed_out": self.timed_out,
            "output": self.output,
        }


def run_tests(command: TestCommand, cwd: Path, timeout: float) -> TestRun:
    """Run ``command`` in ``cwd``; a run past ``timeout`` seconds is killed and fails."""
    started = time.perf_counter()
    argv = ["/bin/sh", "-c", command.argv[0]] if command.shell else list(command.argv)
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=clean_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a timeout kills its children
        )
    except FileNotFoundError:
        return TestRun(
            command.display, False, None, 0.0, f"{argv[0]}: command not found", missing=True
        )
    try:
        out, _ = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, _ = proc.communicate()
        timed_out = True
    except BaseException:
        # Ctrl-C reaches only our process group, not the tests' own: stop them too.
        _kill_group(proc)
        proc.wait()
        raise
    text = out.decode("utf-8", errors="replace")
    if timed_out:
        text += f"\n[optimus: killed after {timeout:g} s]"
    passed = not timed_out and proc.returncode == 0
    return TestRun(
        command=command.display,
        passed=passed,
        returncode=None if timed_out else proc.returncode,
        seconds=round(time.perf_counter() - started, 2),
        output=text[-TAIL_CHARS:],
        timed_out=timed_out,
        no_tests=_is_pytest(command) and proc.returncode == _PYTEST_NO_TESTS,
        failures=frozenset() if passed else failed_tests(text),
    )


#: Lines that name a failed test: pytest's summary, cargo test, go test.
_FAILED = re.compile(
    r"^(?:(?:FAILED|ERROR) (?P<pytest>\S+)"
    r"|test (?P<cargo>\S+) \.\.\. FAILED"
    r"|\s*--- FAIL: (?P<go>\S+))",
    re.MULTILINE,
)


def failed_tests(output: str) -> frozenset[str] | None:
    """The ids of the failed tests named in ``output``, or None when it names none."""
    found = frozenset(
        next(group for group in match.groups() if group) for match in _FAILED.finditer(output)
    )
    return found or None


_PYTEST_NO_TESTS = 5


def _is_pytest(command: TestCommand) -> bool:
    return not command.shell and "pytest" in command.argv[:3]


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
