"""Scratch copies of a folder to fix in, and in-place writes that keep a backup.

A dry run and ``--apply --in-place`` make their fixes in a scratch copy, so a run that stops
half-way leaves the user's files as they were. The copy leaves out VCS folders, caches and
build output, and links (does not copy) installed dependencies (node_modules, virtual
environments), which the scan skips and the tests only read.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from optimus.errors import OptimusError
from optimus.fix.overlay import Change

BACKUP_DIR = ".optimus-backup"

_LEFT_OUT = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        "target",
        BACKUP_DIR,
    }
)
_LINKED = frozenset({"node_modules", ".venv", "venv"})


def copy_tree(source: Path, destination: Path) -> None:
    """Copy ``source`` to ``destination`` (which must not exist) for fixing."""
    destination.mkdir(parents=True)
    with os.scandir(source) as entries:
        for entry in entries:
            target = destination / entry.name
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), target)
            elif entry.is_dir():
                if entry.name in _LEFT_OUT:
                    continue
                if entry.name in _LINKED:
                    os.symlink(os.path.abspath(entry.path), target)
                else:
                    copy_tree(Path(entry.path), target)
            elif entry.is_file():
                shutil.copy2(entry.path, target)


def write_in_place(root: Path, changes: list[Change], stamp: str | None = None) -> Path:
    """Write ``changes`` under ``root``, first copying every file they replace to a backup.

    Returns the backup folder, ``<root>/.optimus-backup/<timestamp>``; it ignores itself
    (a ``.gitignore`` of ``*``) so neither git nor the next scan picks it up. New files are
    listed in ``created.txt`` there, to delete them when restoring.
    """
    stamp = stamp or time.strftime("%Y%m%d-%H%M%S")
    base = root / BACKUP_DIR
    folder = base / stamp
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = base / f"{stamp}-{suffix}"
    try:
        folder.mkdir(parents=True)
        (base / ".gitignore").write_text("*\n", encoding="utf-8")
        created = []
        for change in changes:
            source = root / change.path
            if change.before is None:
                created.append(change.path)
                continue
            saved = folder / change.path
            saved.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, saved)
        if created:
            (folder / "created.txt").write_text("\n".join(created) + "\n", encoding="utf-8")
        for change in changes:
            target = root / change.path
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="") as fh:
                fh.write(change.after)
    except OSError as exc:
        raise OptimusError(
            f"cannot write fixes in place under {root}: {exc.strerror} ({exc.filename}); "
            f"files already replaced are backed up in {folder}"
        ) from None
    return folder
