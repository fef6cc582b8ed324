"""What project rules see: kinds present and files read on demand."""

from __future__ import annotations

from pathlib import Path

from optimus.analyze.project_context import ProjectContext
from optimus.model import Project
from tests.helpers import write_tree


def test_read_text_reads_project_files_once_and_only_inside_the_project(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"svc/uv.lock": "version = 1\n", "svc/app.py": "x = 1\n", "other.txt": "x"}
    )
    ctx = ProjectContext(Project("svc", "svc"), {}, ["svc/uv.lock", "svc/app.py"], str(tmp_path))
    assert ctx.read_text("uv.lock") == "version = 1\n"
    (tmp_path / "svc" / "uv.lock").write_text("changed\n")
    assert ctx.read_text("uv.lock") == "version = 1\n"  # kept for the other rules
    assert ctx.read_text("../other.txt") is None  # not a file of this project
    assert ctx.read_text("missing.lock") is None
    assert ctx.kinds_present == {"meta", "python"}
