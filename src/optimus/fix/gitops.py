"""The git commands the fix engine needs, run so that the user's checkout is never touched.

Every command runs with ``--no-optional-locks`` (``git status`` would otherwise refresh and
rewrite the user's index), never runs the repository's hooks or signs, and falls back to an
Optimus identity when the user has none configured. Fixes are made in a separate ``git worktree``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from optimus.errors import OptimusError, UsageError

_IDENTITY = {
    "GIT_AUTHOR_NAME": "Optimus",
    "GIT_AUTHOR_EMAIL": "optimus@localhost",
    "GIT_COMMITTER_NAME": "Optimus",
    "GIT_COMMITTER_EMAIL": "optimus@localhost",
}


#: No automatic gc in the user's repository, and none of its hooks (a post-checkout hook
#: would run on ``git worktree add``): Optimus's git work is invisible.
_QUIET_CONFIG = ("-c", "gc.auto=0", "-c", f"core.hooksPath={os.devnull}")


class GitError(OptimusError):
    """A git command failed; the message holds the command and its stderr."""


def git(cwd: Path | str, *args: str, check: bool = True) -> str:
    """Run git in ``cwd`` and return its stdout (stripped of the final newline)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_TERMINAL_PROMPT"] = "0"
    try:
        done = subprocess.run(
            ["git", "--no-optional-locks", *_QUIET_CONFIG, *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    except FileNotFoundError:
        raise UsageError("git is not installed (needed for --apply in a repository)") from None
    if check and done.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.rstrip("\n")


def _has_identity(cwd: Path | str, env: dict[str, str]) -> bool:
    done = subprocess.run(
        ["git", "config", "user.email"], cwd=cwd, capture_output=True, text=True, env=env
    )
    return done.returncode == 0 and bool(done.stdout.strip())


def repo_root(path: Path) -> Path | None:
    """The top of the git working tree that holds ``path``, or None outside git."""
    folder = path if path.is_dir() else path.parent
    try:
        top = git(folder, "rev-parse", "--show-toplevel")
    except (GitError, UsageError):
        return None
    return Path(top) if top else None


def head_commit(repo: Path) -> str | None:
    """The commit HEAD points at, or None in a repository without commits."""
    try:
        return git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except GitError:
        return None


def is_dirty(repo: Path) -> bool:
    """Whether the working tree or index differs from HEAD (untracked files included)."""
    return bool(git(repo, "status", "--porcelain", "--untracked-files=normal"))


def add_worktree(repo: Path, where: Path, commit: str) -> None:
    """Check ``commit`` out, detached, in a new worktree at ``where``."""
    git(repo, "worktree", "add", "--detach", "--quiet", str(where), commit)


def remove_worktree(repo: Path, where: Path) -> None:
    """Remove a worktree made by :func:`add_worktree` (changes in it are dropped)."""
    git(repo, "worktree", "remove", "--force", str(where), check=False)
    git(repo, "worktree", "prune", check=False)


def commit_files(worktree: Path, paths: list[str], message: str) -> str:
    """Stage exactly ``paths`` (worktree-relative) and commit them; returns the commit id."""
    git(worktree, "add", "--", *paths)
    _commit(worktree, message)
    return git(worktree, "rev-parse", "HEAD")


def _commit(worktree: Path, message: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    if not _has_identity(worktree, env):
        env.update(_IDENTITY)
    done = subprocess.run(
        [
            "git",
            "--no-optional-locks",
            *_QUIET_CONFIG,
            "-c",
            "commit.gpgsign=false",
            "commit",
            "--quiet",
            "--no-verify",
            "-F",
            "-",
        ],
        cwd=worktree,
        input=message,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise GitError(f"git commit: {done.stderr.strip() or done.stdout.strip()}")


def branch_exists(repo: Path, name: str) -> bool:
    """Whether ``refs/heads/<name>`` exists."""
    return bool(git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{name}", check=False))


def create_branch(repo: Path, name: str, commit: str) -> None:
    """Create branch ``name`` at ``commit`` without checking it out anywhere."""
    if git(repo, "check-ref-format", "--branch", name, check=False) == "":
        raise UsageError(f"--branch: {name!r} is not a valid git branch name")
    git(repo, "branch", "--no-track", name, commit)


def branches(repo: Path) -> list[tuple[str, str]]:
    """Every local branch as (name, commit)."""
    out = git(repo, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads/")
    found = []
    for line in out.splitlines():
        name, _, sha = line.partition(" ")
        if sha:
            found.append((name, sha))
    return found


def trailer(repo: Path, commit: str, key: str) -> str | None:
    """The value of trailer ``key`` in ``commit``'s message, or None."""
    out = git(repo, "log", "-1", f"--format=%(trailers:key={key},valueonly)", commit, check=False)
    return out.strip() or None
