"""The walk: what it keeps, what it skips, and the folder stamps a rescan checks."""

from __future__ import annotations

import os
from pathlib import Path

from optimus.discover.walk import walk
from tests.helpers import write_tree


def test_kept_files_skipped_folders_and_gitignore(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app/main.py": "x = 1\n",
            "app/notes.txt": "not code\n",
            "app/requirements-dev.txt": "pytest\n",
            "app/node_modules/dep/index.js": "module.exports = 1\n",
            "app/.gitignore": "generated/\n",
            "app/generated/out.py": "y = 2\n",
        },
    )
    result = walk(str(tmp_path))
    kinds = {f.path: f.kind for f in result.files}
    assert kinds == {
        "app/main.py": "python",
        "app/requirements-dev.txt": "requirements",
        "app/.gitignore": "meta",
    }
    assert sorted(result.dirs) == [".", "app"]


def test_folder_stamps_are_the_folders_times(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/b/c.py": "x = 1\n"})
    result = walk(str(tmp_path))
    for rel, info in result.dirs.items():
        st = os.stat(tmp_path / rel)
        assert info.stamp == (st.st_mtime_ns, st.st_ctime_ns)
    assert set(result.dirs) == {".", "a", "a/b"}


def test_a_single_file(tmp_path: Path) -> None:
    target = write_tree(tmp_path, {"one.py": "x = 1\n"}) / "one.py"
    result = walk(str(target))
    assert [f.path for f in result.files] == ["one.py"] and result.dirs == {}
