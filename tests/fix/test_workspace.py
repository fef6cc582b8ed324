"""Scratch copies and in-place writes with a backup."""

from __future__ import annotations

import os
from pathlib import Path

from optimus.fix.overlay import Change
from optimus.fix.workspace import BACKUP_DIR, copy_tree, write_in_place
from tests.helpers import write_tree


def test_copy_leaves_out_vcs_and_caches_and_links_dependencies(tmp_path: Path) -> None:
    src = write_tree(
        tmp_path / "src",
        {
            "a.py": "x\n",
            ".git/HEAD": "ref\n",
            "web/node_modules/lib/index.js": "x\n",
            "svc/__pycache__/a.pyc": b"\0",
            "svc/target/debug/bin": b"\0",
            "svc/b.py": "y\n",
        },
    )
    os.symlink("a.py", src / "link.py")
    copy_tree(src, tmp_path / "dst")
    dst = tmp_path / "dst"
    assert (dst / "a.py").read_text() == "x\n" and (dst / "svc" / "b.py").exists()
    assert not (dst / ".git").exists() and not (dst / "svc" / "__pycache__").exists()
    assert not (dst / "svc" / "target").exists()
    assert (dst / "web" / "node_modules").is_symlink()
    assert os.readlink(dst / "link.py") == "a.py"


def test_in_place_backs_up_replaced_files_and_lists_created_ones(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"a.py": "old\n", "sub/b.py": "b\n"})
    changes = [Change("a.py", "old\n", "new\n"), Change("sub/.dockerignore", None, ".git\n")]
    backup = write_in_place(root, changes, stamp="20260101-000000")
    assert backup == root / BACKUP_DIR / "20260101-000000"
    assert (backup / "a.py").read_text() == "old\n" and (root / "a.py").read_text() == "new\n"
    assert (backup / "created.txt").read_text() == "sub/.dockerignore\n"
    assert (root / "sub" / ".dockerignore").read_text() == ".git\n"
    again = write_in_place(root, [Change("a.py", "new\n", "newer\n")], stamp="20260101-000000")
    assert again.name == "20260101-000000-2" and (again / "a.py").read_text() == "new\n"
