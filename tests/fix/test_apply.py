"""The fix run end to end in tmp folders: dry run, branch in a worktree, in place, verify."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from optimus.errors import UsageError
from optimus.fix.apply import FixRequest, run_fix
from optimus.fix.convergence import FixOptions
from optimus.fix.workspace import BACKUP_DIR
from optimus.model import Applicability
from tests.fix.plant import (
    PIP,
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


def test_dry_run_shows_the_diff_and_changes_nothing(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "tiny")
    before = snapshot(root)
    with planted(sleep_fixer(), pip_fixer()):
        report = run_fix(FixRequest(root))
    assert snapshot(root) == before
    assert report.mode == "dry-run"
    assert sorted(f.rule for f in report.applied) == [SLEEP, PIP]
    sleep = next(f for f in report.applied if f.rule == SLEEP)
    assert "-    time.sleep(0)\n+    await asyncio.sleep(0)\n" in sleep.diff
    assert "# optimus: confirm the sleep length\n" in sleep.diff
    assert sleep.resolved is True and sleep.commit is None
    assert report.exit_code == 0


def test_apply_makes_a_branch_from_head_and_leaves_the_user_tree_alone(tmp_path: Path) -> None:
    root = git_repo(tiny_project(tmp_path / "tiny"))
    (root / "notes.txt").write_text("uncommitted\n", encoding="utf-8")
    (root / "tiny_app.py").write_text(
        (root / "tiny_app.py").read_text() + "# local edit\n", encoding="utf-8"
    )
    before = snapshot(root)
    status = git(root, "status", "--porcelain")
    with planted(sleep_fixer()):
        report = run_fix(FixRequest(root, apply=True))
    assert snapshot(root) == before
    assert git(root, "status", "--porcelain") == status
    assert git(root, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert report.branch == f"optimus/{SLEEP}"
    assert any("uncommitted changes" in note for note in report.notes)
    fixed = git(root, "show", f"{report.branch}:tiny_app.py")
    assert "await asyncio.sleep(0)" in fixed and "# local edit" not in fixed
    message = git(root, "log", "-1", "--format=%B", report.branch)
    assert message.startswith(f"optimus: fix {SLEEP} (1 change)")
    assert "tiny_app.py:5 (safe): await asyncio.sleep()" in message
    assert f"docs/rules/{SLEEP}.md" in message
    assert "confirm before merging: the sleep length" in message
    assert git(root, "rev-parse", f"{report.branch}~1").strip() == report.base_commit
    assert report.applied[0].commit == git(root, "rev-parse", report.branch).strip()
    assert git(root, "worktree", "list").count("\n") == 1  # the fix worktree is gone


def test_the_repository_s_hooks_do_not_run(tmp_path: Path) -> None:
    root = git_repo(tiny_project(tmp_path / "tiny"))
    marker = tmp_path / "hook-ran"
    for hook in ("post-checkout", "pre-commit", "commit-msg", "post-commit"):
        script = root / ".git" / "hooks" / hook
        script.write_text(f"#!/bin/sh\necho {hook} >> {marker}\n")
        script.chmod(0o755)
    with planted(sleep_fixer()):
        report = run_fix(FixRequest(root, apply=True))
    assert report.branch and not marker.exists()


def test_several_rules_go_on_a_batch_branch_one_commit_per_rule(tmp_path: Path) -> None:
    root = git_repo(tiny_project(tmp_path / "tiny"))
    with planted(sleep_fixer(), pip_fixer()):
        report = run_fix(FixRequest(root, apply=True))
    assert report.branch is not None and report.branch.startswith("optimus/batch-")
    subjects = git(root, "log", "--format=%s", f"main..{report.branch}").splitlines()
    assert subjects == [f"optimus: fix {PIP} (1 change)", f"optimus: fix {SLEEP} (1 change)"]
    assert "--no-cache-dir" in git(root, "show", f"{report.branch}:Dockerfile")


def test_second_run_is_a_no_op(tmp_path: Path) -> None:
    root = git_repo(tiny_project(tmp_path / "tiny"))
    with planted(sleep_fixer()):
        first = run_fix(FixRequest(root, apply=True))
        branches = git(root, "branch", "--list")
        second = run_fix(FixRequest(root, apply=True))
    assert first.applied and not second.applied
    assert second.branch == first.branch
    assert any(note.startswith("nothing to do") for note in second.notes)
    assert git(root, "branch", "--list") == branches
    assert second.exit_code == 0


def test_running_on_the_fixed_branch_finds_nothing_to_fix(tmp_path: Path) -> None:
    root = git_repo(tiny_project(tmp_path / "tiny"))
    with planted(sleep_fixer()):
        first = run_fix(FixRequest(root, apply=True))
        git(root, "checkout", "-q", first.branch or "")
        again = run_fix(FixRequest(root, apply=True))
    assert not again.applied and again.branch is None
    assert "nothing to fix" in again.notes[0]


def test_branch_name_can_be_given_and_must_be_new(tmp_path: Path) -> None:
    root = git_repo(tiny_project(tmp_path / "tiny"))
    with planted(sleep_fixer()):
        report = run_fix(FixRequest(root, apply=True, branch="perf/sleep"))
        assert report.branch == "perf/sleep"
        again = run_fix(FixRequest(root, apply=True, branch="perf/sleep"))
        assert again.branch == "perf/sleep" and again.notes[0].startswith("nothing to do")
        other = FixOptions(unsafe_fixes=True)  # another run: it needs a new branch
        with pytest.raises(UsageError, match="already exists"):
            run_fix(FixRequest(root, other, apply=True, branch="main"))


def test_an_untracked_folder_cannot_go_on_a_branch(tmp_path: Path) -> None:
    repo = git_repo(tiny_project(tmp_path / "repo"))
    tiny_project(repo / "new")
    with planted(sleep_fixer()), pytest.raises(UsageError, match="not in HEAD's commit"):
        run_fix(FixRequest(repo / "new", apply=True))
    assert git(repo, "worktree", "list").count("\n") == 1


def test_apply_outside_git_needs_in_place(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "tiny")
    with planted(sleep_fixer()), pytest.raises(UsageError, match="--in-place"):
        run_fix(FixRequest(root, apply=True))


def test_in_place_needs_apply(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="needs --apply"):
        run_fix(FixRequest(tiny_project(tmp_path / "tiny"), in_place=True))


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="path not found"):
        run_fix(FixRequest(tmp_path / "nope"))


def test_in_place_writes_and_keeps_a_backup(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "tiny")
    original = (root / "tiny_app.py").read_bytes()
    with planted(sleep_fixer()):
        report = run_fix(FixRequest(root, apply=True, in_place=True))
    assert report.mode == "in-place" and report.backup
    backup = Path(report.backup)
    assert backup.parent == root / BACKUP_DIR
    assert (backup / "tiny_app.py").read_bytes() == original
    assert "await asyncio.sleep(0)" in (root / "tiny_app.py").read_text()
    # The backup ignores itself and a second run has nothing left to do.
    assert (root / BACKUP_DIR / ".gitignore").read_text() == "*\n"
    with planted(sleep_fixer()):
        again = run_fix(FixRequest(root, apply=True, in_place=True))
    assert not again.applied and again.backup is None


def test_unsafe_fixes_need_the_flag(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "tiny")
    with planted(sleep_fixer(Applicability.UNSAFE)):
        plain = run_fix(FixRequest(root))
        unsafe = run_fix(FixRequest(root, options=FixOptions(unsafe_fixes=True)))
    assert not plain.applied
    assert [s.reason.split(" ")[0] for s in plain.skipped] == ["unsafe"]
    assert [f.rule for f in unsafe.applied] == [SLEEP] and not unsafe.skipped


def test_display_only_fixes_are_shown_never_applied(tmp_path: Path) -> None:
    root = git_repo(tiny_project(tmp_path / "tiny"))
    with planted(sleep_fixer(Applicability.DISPLAY_ONLY)):
        shown = run_fix(FixRequest(root, options=FixOptions(unsafe_fixes=True)))
        applied = run_fix(FixRequest(root, apply=True, options=FixOptions(unsafe_fixes=True)))
    assert not shown.applied and shown.skipped[0].reason.startswith("display-only")
    assert "+    await asyncio.sleep(0)" in (shown.skipped[0].diff or "")
    assert not applied.applied and applied.branch is None


def test_rule_and_project_filters(tmp_path: Path) -> None:
    tiny_project(tmp_path / "all" / "one")
    tiny_project(tmp_path / "all" / "two")
    root = tmp_path / "all"
    with planted(sleep_fixer(), pip_fixer()):
        only_pip = run_fix(FixRequest(root, options=FixOptions(rules=frozenset({PIP}))))
        two = run_fix(FixRequest(root, options=FixOptions(project="two")))
        with pytest.raises(UsageError, match=r"no project 'three' .*projects: one, two"):
            run_fix(FixRequest(root, options=FixOptions(project="three")))
    assert [f.rule for f in only_pip.applied] == [PIP, PIP]
    assert {f.project for f in two.applied} == {"two"} and len(two.applied) == 2


def test_a_project_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    tiny_project(repo / "services" / "tiny")
    git_repo(repo)
    with planted(sleep_fixer()):
        report = run_fix(FixRequest(repo / "services", apply=True, keep_worktree=True))
    assert report.applied[0].path == "tiny/tiny_app.py"
    changed = git(repo, "show", "--name-only", "--format=", report.branch or "").split()
    assert changed == ["services/tiny/tiny_app.py"]
    # --keep-worktree leaves the branch checked out in its worktree for a look.
    assert report.worktree and Path(report.worktree, "services/tiny/tiny_app.py").is_file()
    assert git(Path(report.worktree), "rev-parse", "--abbrev-ref", "HEAD").strip() == report.branch
    git(repo, "worktree", "remove", "--force", report.worktree)
    shutil.rmtree(Path(report.worktree).parent)


def test_verify_rolls_back_a_fix_that_breaks_the_tests(tmp_path: Path) -> None:
    root = git_repo(tiny_project(tmp_path / "tiny", test_command=PYTEST))
    before = snapshot(root)
    with planted(breaking_sleep_fixer(), pip_fixer()):
        report = run_fix(FixRequest(root, apply=True, verify=True))
    assert snapshot(root) == before
    assert [f.rule for f in report.applied] == [PIP]
    assert report.applied[0].verified == "passed"
    [back] = report.rolled_back
    assert back.rule == SLEEP and back.project == "."
    assert "assert 41 == 42" in back.output and back.returncode == 1
    assert report.exit_code == 1
    assert report.verify["status"] == "passed"
    assert report.verify["projects"][0]["baseline"]["passed"] is True
    tip = git(root, "show", f"{report.branch}:tiny_app.py")
    assert "time.sleep(0)" in tip and "return 42" in tip  # the bad fix is not on the branch
    assert report.branch == f"optimus/{PIP}"


def test_verify_keeps_good_fixes_and_says_so(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "tiny", test_command=PYTEST)
    said: list[str] = []
    with planted(sleep_fixer()):
        report = run_fix(FixRequest(root, verify=True, progress=said.append))
    assert said == [
        "running the tests before any fix: .",
        f"fixing {SLEEP}",
        f"testing {SLEEP}'s fixes: .",
    ]
    assert [f.verified for f in report.applied] == ["passed"]
    assert not report.rolled_back and report.exit_code == 0
    assert report.verify["projects"][0]["runs"] == 1


def test_red_baseline_stops_unless_forced(tmp_path: Path) -> None:
    root = git_repo(tiny_project(tmp_path / "tiny", test_command=PYTEST))
    (root / "tests" / "test_app.py").write_text("def test_red():\n    assert False\n")
    git(root, "commit", "-qam", "red")
    with planted(sleep_fixer()):
        stopped = run_fix(FixRequest(root, apply=True, verify=True))
        forced = run_fix(FixRequest(root, apply=True, verify=True, force=True))
    assert not stopped.applied and stopped.branch is None
    assert stopped.verify["status"] == "baseline-failed" and stopped.exit_code == 1
    assert "fail before any fix" in stopped.notes[-1]
    assert [f.verified for f in forced.applied] == ["no new failures (baseline failed)"]
    assert forced.branch == f"optimus/{SLEEP}" and forced.exit_code == 0


def test_forced_run_still_rolls_back_a_fix_that_breaks_a_passing_test(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "tiny", test_command=PYTEST)
    with open(root / "tests" / "test_app.py", "a") as fh:
        fh.write("\n\ndef test_red():\n    assert False\n")
    with planted(breaking_sleep_fixer()):
        report = run_fix(FixRequest(root, verify=True, force=True))
    [back] = report.rolled_back
    assert "tests/test_app.py::test_wait" in back.output and not report.applied
    assert report.verify["status"] == "baseline-failed"


def test_two_fixes_failing_together_are_retried_one_by_one(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "tiny", test_command=PYTEST)
    app = (root / "tiny_app.py").read_text()
    (root / "tiny_app.py").write_text(
        app + "\n\nasync def nap():\n    time.sleep(0)\n    return 1\n", encoding="utf-8"
    )
    with planted(breaking_sleep_fixer(only_line=5)):
        report = run_fix(FixRequest(root, verify=True))
    # Both findings are in one file (two passes, one step): the step fails, then each fix is
    # tried alone; the one in wait() breaks the test, the one in nap() is kept.
    assert [f.line for f in report.applied] == [10]
    assert [b.fixes[0].line for b in report.rolled_back] == [5]


def test_in_place_with_verify_writes_only_what_passed(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "tiny", test_command=PYTEST)
    app = (root / "tiny_app.py").read_bytes()
    with planted(breaking_sleep_fixer(), pip_fixer()):
        report = run_fix(FixRequest(root, apply=True, in_place=True, verify=True))
    assert (root / "tiny_app.py").read_bytes() == app
    assert "--no-cache-dir" in (root / "Dockerfile").read_text()
    backup = Path(report.backup or "")
    assert sorted(p.name for p in backup.iterdir()) == ["Dockerfile"]
    assert [b.rule for b in report.rolled_back] == [SLEEP] and report.exit_code == 1


def test_a_fix_that_makes_the_tests_hang_is_rolled_back_at_the_timeout(tmp_path: Path) -> None:
    check = "import pathlib, time\n\nif 'await' in pathlib.Path('tiny_app.py').read_text():\n"
    check += "    time.sleep(60)\n"
    root = tiny_project(tmp_path / "tiny", test_command=f"{sys.executable} check.py")
    (root / "check.py").write_text(check)
    with planted(sleep_fixer()):
        report = run_fix(FixRequest(root, verify=True, timeout=2))
    [back] = report.rolled_back
    assert back.returncode is None and "killed after 2 s" in back.output
    assert not report.applied and report.exit_code == 1
