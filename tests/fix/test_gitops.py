"""The git helpers on real repositories: roots, HEAD, dirtiness without touching the index."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.errors import UsageError
from optimus.fix import gitops
from optimus.fix.apply import FixRequest, run_fix
from tests.fix.plant import git, git_repo, tiny_project


def test_repo_root_head_and_dirty(tmp_path: Path) -> None:
    assert gitops.repo_root(tmp_path) is None
    root = git_repo(tiny_project(tmp_path / "repo"))
    assert gitops.repo_root(root / "tests") == root
    assert gitops.head_commit(root) == git(root, "rev-parse", "HEAD").strip()
    assert not gitops.is_dirty(root)
    index = (root / ".git" / "index").read_bytes()
    (root / "tiny_app.py").touch()  # a stat change: plain `git status` would rewrite the index
    (root / "new.txt").write_text("x\n")
    assert gitops.is_dirty(root)
    assert (root / ".git" / "index").read_bytes() == index


def test_commit_without_a_configured_identity(tmp_path: Path, monkeypatch) -> None:
    root = git_repo(tiny_project(tmp_path / "repo"))
    monkeypatch.setenv("HOME", str(tmp_path))  # no global git identity there
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (root / "a.txt").write_text("a\n")
    sha = gitops.commit_files(root, ["a.txt"], "add a\n")
    assert (
        git(root, "log", "-1", "--format=%an <%ae>", sha).strip() == "Optimus <optimus@localhost>"
    )


def test_a_repository_without_commits_is_a_usage_error(tmp_path: Path) -> None:
    root = tiny_project(tmp_path / "repo")
    git(root, "init", "-q")
    with pytest.raises(UsageError, match="no commit yet"):
        run_fix(FixRequest(root, apply=True))


def test_invalid_branch_name(tmp_path: Path) -> None:
    root = git_repo(tiny_project(tmp_path / "repo"))
    with pytest.raises(UsageError, match="not a valid git branch name"):
        gitops.create_branch(root, "bad..name", gitops.head_commit(root) or "")
