"""Git facts about a project that is a repository, read with git itself (never a library)."""

from __future__ import annotations

import shutil
import subprocess

from optimus.model import GitFacts


def _git(folder: str, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", folder, *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_facts(folder: str) -> GitFacts | None:
    """Branch, last commit date, commit and contributor counts and dirtiness, or None."""
    if shutil.which("git") is None or _git(folder, "rev-parse", "--git-dir") is None:
        return None
    branch = _git(folder, "rev-parse", "--abbrev-ref", "HEAD")
    last = _git(folder, "log", "-1", "--format=%cI")
    count = _git(folder, "rev-list", "--count", "HEAD")
    authors = _git(folder, "log", "--format=%aE")
    status = _git(folder, "status", "--porcelain", "--untracked-files=normal")
    return GitFacts(
        branch=branch,
        last_commit=last or None,
        commits=int(count) if count and count.isdigit() else 0,
        contributors=len(set(authors.splitlines())) if authors else 0,
        dirty=bool(status),
    )
