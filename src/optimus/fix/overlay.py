"""The in-memory overlay a pass of fixes works on: file texts read from disk, changed in memory.

Codemods read files through it (:class:`optimus.fix.base.FixContext`), so a fix sees what an
earlier fix of the same pass changed; nothing reaches the disk until the engine has checked
every change and calls :meth:`Overlay.write`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from optimus.model import Project


def _read(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None  # codemods edit text; a file that is not UTF-8 is out of their reach


def _safe_rel(path: str) -> str:
    """A root-relative path with / separators that cannot leave the root."""
    norm = os.path.normpath(path.replace("\\", "/")).replace(os.sep, "/")
    if norm.startswith("../") or norm == ".." or os.path.isabs(norm):
        raise ValueError(f"path outside the scan root: {path}")
    return norm


@dataclass
class Change:
    """One file's text before and after the fixes of a pass (``before`` None: a new file)."""

    path: str
    before: str | None
    after: str


class Overlay:
    """File texts under ``root``: the disk, with this pass's changes laid over it."""

    def __init__(self, root: Path, project: Project) -> None:
        self.root = root
        self.project = project
        self._texts: dict[str, str | None] = {}
        self._changed: dict[str, Change] = {}

    def for_project(self, project: Project) -> Overlay:
        """The same overlay (same changes) seen from another project."""
        view = Overlay(self.root, project)
        view._texts = self._texts
        view._changed = self._changed
        return view

    def read_text(self, path: str) -> str | None:
        """The current text of ``path`` (relative to the root), or None when absent."""
        rel = _safe_rel(path)
        if rel not in self._texts:
            self._texts[rel] = _read(self.root / rel)
        return self._texts[rel]

    def exists(self, path: str) -> bool:
        """Whether ``path`` (relative to the root) exists now (on disk or created this pass)."""
        rel = _safe_rel(path)
        if rel in self._changed:
            return True
        return (self.root / rel).exists()

    def set_text(self, path: str, text: str) -> None:
        """Lay a new text over ``path``; the first text seen is kept as ``before``."""
        rel = _safe_rel(path)
        before = self.read_text(rel)
        if rel in self._changed:
            self._changed[rel].after = text
        else:
            self._changed[rel] = Change(rel, before, text)
        self._texts[rel] = text

    def changes(self) -> list[Change]:
        """The files this overlay changed (those whose text really differs), by path."""
        return [c for _, c in sorted(self._changed.items()) if c.before != c.after]

    def write(self) -> list[Change]:
        """Write the changed files to disk (creating folders) and return the changes."""
        done = self.changes()
        for change in done:
            target = self.root / change.path
            target.parent.mkdir(parents=True, exist_ok=True)
            # newline="" keeps the codemod's line endings exactly as rendered
            with open(target, "w", encoding="utf-8", newline="") as fh:
                fh.write(change.after)
        return done


def restore(root: Path, changes: list[Change]) -> None:
    """Put files back as they were before ``changes`` (delete the ones they created)."""
    for change in changes:
        target = root / change.path
        if change.before is None:
            target.unlink(missing_ok=True)
        else:
            with open(target, "w", encoding="utf-8", newline="") as fh:
                fh.write(change.before)
