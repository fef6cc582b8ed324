"""Running tests: pass, fail with the output's tail, timeout, missing program, no tests."""

from __future__ import annotations

import sys
from pathlib import Path

from optimus.verify.detect import TestCommand
from optimus.verify.runner import TAIL_CHARS, run_tests


def _py(code: str) -> TestCommand:
    return TestCommand((sys.executable, "-c", code))


def test_pass_and_fail(tmp_path: Path) -> None:
    ok = run_tests(_py("print('fine')"), tmp_path, 30)
    assert ok.passed and ok.returncode == 0 and ok.output == "fine\n"
    bad = run_tests(_py("import sys; print('x' * 9000); sys.exit('boom')"), tmp_path, 30)
    assert not bad.passed and bad.returncode == 1
    assert len(bad.output) == TAIL_CHARS and "boom" in bad.output[-10:]


def test_runs_in_the_folder_with_a_clean_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OPTIMUS_API_KEY", "secret")
    code = "import os; print(os.getcwd()); print(os.environ.get('OPTIMUS_API_KEY'))"
    run = run_tests(_py(code), tmp_path, 30)
    assert run.output.splitlines() == [str(tmp_path.resolve()), "None"]


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    shell = TestCommand(("sleep 30 & sleep 30",), shell=True)
    run = run_tests(shell, tmp_path, 0.5)
    assert run.timed_out and not run.passed and run.returncode is None
    assert run.seconds < 10 and "killed after 0.5 s" in run.output


def test_missing_program(tmp_path: Path) -> None:
    run = run_tests(TestCommand(("no-such-test-runner-xyz",)), tmp_path, 30)
    assert run.missing and not run.passed and "command not found" in run.output


def test_pytest_without_tests(tmp_path: Path) -> None:
    command = TestCommand((sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"))
    run = run_tests(command, tmp_path, 60)
    assert run.no_tests and run.returncode == 5


def test_failed_tests_are_read_from_pytest_cargo_and_go_output() -> None:
    from optimus.verify.runner import failed_tests

    pytest_out = "FAILED tests/test_a.py::test_x - assert 1 == 2\nERROR tests/test_b.py::test_y\n"
    cargo_out = "test api::lists ... ok\ntest api::reserves ... FAILED\n"
    go_out = (
        "=== RUN   TestQuote\n--- FAIL: TestQuote (0.00s)\n    --- FAIL: TestQuote/eu (0.00s)\n"
    )
    assert failed_tests(pytest_out) == {"tests/test_a.py::test_x", "tests/test_b.py::test_y"}
    assert failed_tests(cargo_out) == {"api::reserves"}
    assert failed_tests(go_out) == {"TestQuote", "TestQuote/eu"}
    assert failed_tests("npm ERR! Test failed.") is None


def test_an_interrupt_stops_the_tests_too(tmp_path: Path) -> None:
    import os
    import signal
    import threading

    import pytest

    pid_file = tmp_path / "pid"
    shell = TestCommand((f"echo $$ > {pid_file}; exec sleep 30",), shell=True)
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        run_tests(shell, tmp_path, 60)
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone: killed and reaped
