"""``optimus fix`` on the command line: diffs, JSON report, exit codes, usage errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimus.cli.app import _register, app
from tests.fix.plant import (
    SLEEP,
    breaking_sleep_fixer,
    git,
    git_repo,
    pip_fixer,
    planted,
    sleep_fixer,
    snapshot,
    tiny_project,
)

PYTEST = f"{sys.executable} -m pytest -q -p no:cacheprovider"
REPORT_KEYS = {
    "schema_version",
    "mode",
    "root",
    "applied",
    "skipped",
    "rolled_back",
    "failed_to_parse",
    "branch",
    "worktree",
    "base_commit",
    "backup",
    "verify",
    "passes",
    "converged",
    "notes",
}


@pytest.fixture(scope="module", autouse=True)
def _commands() -> None:
    if not any(c.name == "fix" for c in app.registered_commands):
        _register()


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"NO_COLOR": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def optimus(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "optimus", *args], capture_output=True, text=True, env=env
    )


def test_dry_run_prints_a_patch_and_changes_nothing(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "tiny")
    before = snapshot(root)
    with planted(sleep_fixer()):
        code, out, err = invoke("fix", str(root))
    assert code == 0 and snapshot(root) == before
    assert out.startswith(f"# optimus: {SLEEP} (safe) at tiny_app.py:5\n")
    assert "# optimus: confirm the sleep length\n" in out and "+import asyncio\n" in out
    assert "1 fix available" in err and "--apply" in err
    (root / "fix.patch").write_text(out)
    subprocess.run(["git", "apply", "fix.patch"], cwd=root, check=True)
    assert "await asyncio.sleep(0)" in (root / "tiny_app.py").read_text()


def test_the_dry_run_patch_equals_what_apply_in_place_writes(tmp_path: Path) -> None:
    patched = tiny_project(tmp_path / "patched")
    extra = "\n\nasync def nap():\n    time.sleep(1)\n"
    with open(patched / "tiny_app.py", "a") as fh:
        fh.write(extra)
    shutil.copytree(patched, tmp_path / "in-place")
    with planted(sleep_fixer(), pip_fixer()):
        _, out, _ = invoke("fix", str(patched))
        code, _, _ = invoke("fix", str(tmp_path / "in-place"), "--apply", "--in-place")
    assert code == 0 and out.count("# optimus: blocking-call-in-async") == 2
    (tmp_path / "fix.patch").write_text(out)
    subprocess.run(["git", "apply", str(tmp_path / "fix.patch")], cwd=patched, check=True)
    for name in ("tiny_app.py", "Dockerfile"):
        assert (patched / name).read_bytes() == (tmp_path / "in-place" / name).read_bytes()


def test_json_report_shape(tmp_path: Path) -> None:
    root = git_repo(tiny_project(tmp_path / "tiny", test_command=PYTEST))
    with planted(breaking_sleep_fixer(), pip_fixer()):
        code, out, _ = invoke("fix", str(root), "--apply", "--verify", "--json")
    doc = json.loads(out)
    assert code == 1  # a fix was rolled back
    assert set(doc) == REPORT_KEYS and doc["schema_version"] == "1"
    assert doc["mode"] == "branch" and doc["branch"] == "optimus/docker-pip-cache"
    [applied] = doc["applied"]
    assert {"rule", "applicability", "message", "project", "path", "line", "fingerprint"} <= set(
        applied
    )
    assert applied["commit"] and applied["verified"] == "passed" and applied["resolved"] is True
    [back] = doc["rolled_back"]
    assert back["rule"] == SLEEP and "assert 41 == 42" in back["output"]
    assert back["fixes"][0]["path"] == "tiny_app.py"
    assert doc["verify"]["enabled"] is True and doc["verify"]["status"] == "passed"
    assert doc["verify"]["projects"][0]["baseline"]["returncode"] == 0
    assert doc["base_commit"] == git(root, "rev-parse", "HEAD").strip()


def test_apply_summary_and_second_run(tmp_path: Path) -> None:
    root = git_repo(tiny_project(tmp_path / "tiny"))
    with planted(sleep_fixer()):
        code, out, err = invoke("fix", str(root), "--apply")
        assert code == 0 and out == ""
        assert f"1 fix committed on branch optimus/{SLEEP}" in err
        code, out, err = invoke("fix", str(root), "--apply")
    assert code == 0 and "nothing to do: branch" in err


def test_rule_filter_takes_names_and_codes(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "tiny")
    with planted(sleep_fixer(), pip_fixer()):
        _, out, _ = invoke("fix", str(root), "--rule", "docker-pip-cache", "--json")
        assert [f["rule"] for f in json.loads(out)["applied"]] == ["docker-pip-cache"]
        _, out, _ = invoke("fix", str(root), "--rule", "PY001,docker-pip-cache", "--json")
    assert {f["rule"] for f in json.loads(out)["applied"]} == {SLEEP, "docker-pip-cache"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--in-place"], "needs --apply"),
        (["--branch", "x"], "--branch names the branch"),
        (["--apply"], "not in a git repository"),
        (["--rule", "no-such-rule"], "unknown rule 'no-such-rule'"),
        (["--apply", "--timeout", "0"], "--timeout"),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    root = tiny_project(tmp_path / "tiny")
    done = optimus("fix", str(root), *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1


def test_missing_path_exits_2(tmp_path: Path) -> None:
    done = optimus("fix", str(tmp_path / "nope"))
    assert done.returncode == 2 and "path not found" in done.stderr


def test_diff_colours_on_a_terminal() -> None:
    from rich.console import Console

    from optimus.cli.fix_cmd import _diff

    console = Console(force_terminal=True, color_system="standard", width=200)
    with console.capture() as captured:
        _diff(console, "# optimus: confirm cpu: 100m\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n")
    text = captured.get()
    assert "\x1b[32m+b" in text and "\x1b[31m-a" in text  # green and red
    assert "\x1b[1;33m# optimus: confirm cpu: 100m" in text  # bold yellow
