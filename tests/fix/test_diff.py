"""Unified diffs with a header: applicable as a patch, confirm lines marked."""

from __future__ import annotations

import subprocess
from pathlib import Path

from optimus.fix.diff import CONFIRM_PREFIX, file_diff, header


def test_modified_created_and_no_final_newline() -> None:
    assert file_diff("a.txt", "x\ny\n", "x\nz\n").splitlines()[:2] == ["--- a/a.txt", "+++ b/a.txt"]
    created = file_diff(".dockerignore", None, ".git\n")
    assert created.startswith("--- /dev/null\n+++ b/.dockerignore\n") and "+.git\n" in created
    tail = file_diff("a.txt", "x", "y")
    assert "-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n" in tail


def test_header_marks_values_to_confirm_on_single_lines() -> None:
    text = header("k8s-no-resources", "unsafe", "add\nrequests", "k8s/d.yaml:4", ("cpu: 100m",))
    assert text.splitlines() == [
        "# optimus: k8s-no-resources (unsafe) at k8s/d.yaml:4",
        "# optimus: add requests",
        f"{CONFIRM_PREFIX}cpu: 100m",
    ]


def test_header_and_diff_apply_with_git(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x\ny\n")
    patch = header("r", "safe", "m", "a.txt:2", ("v",)) + file_diff("a.txt", "x\ny\n", "x\nz\n")
    patch += file_diff("new.txt", None, "n\n")
    (tmp_path / "fix.patch").write_text(patch)
    subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, check=True)
    assert (tmp_path / "a.txt").read_text() == "x\nz\n"
    assert (tmp_path / "new.txt").read_text() == "n\n"
