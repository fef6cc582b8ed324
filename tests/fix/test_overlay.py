"""The overlay: reads through to disk, keeps changes in memory until written, restores."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.fix.overlay import Overlay, restore
from optimus.model import Project


def test_changes_stay_in_memory_until_written(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"one\r\ntwo\r\n")
    overlay = Overlay(tmp_path, Project(".", "p"))
    assert overlay.read_text("a.txt") == "one\r\ntwo\r\n"  # line endings kept
    assert overlay.read_text("missing.txt") is None and not overlay.exists("missing.txt")
    overlay.set_text("a.txt", "one\r\n2\r\n")
    overlay.set_text("sub/new.txt", "new\n")
    assert overlay.exists("sub/new.txt") and overlay.read_text("a.txt") == "one\r\n2\r\n"
    assert (tmp_path / "a.txt").read_bytes() == b"one\r\ntwo\r\n"
    written = overlay.write()
    assert [c.path for c in written] == ["a.txt", "sub/new.txt"]
    assert (tmp_path / "a.txt").read_bytes() == b"one\r\n2\r\n"
    assert (tmp_path / "sub" / "new.txt").read_text() == "new\n"
    restore(tmp_path, written)
    assert (tmp_path / "a.txt").read_bytes() == b"one\r\ntwo\r\n"
    assert not (tmp_path / "sub" / "new.txt").exists()


def test_a_change_back_to_the_original_is_no_change(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x\n")
    overlay = Overlay(tmp_path, Project(".", "p"))
    overlay.set_text("a.txt", "y\n")
    overlay.set_text("a.txt", "x\n")
    assert overlay.changes() == []


def test_views_share_changes_and_paths_cannot_escape(tmp_path: Path) -> None:
    overlay = Overlay(tmp_path, Project(".", "p"))
    view = overlay.for_project(Project("svc", "svc"))
    view.set_text("svc/a.txt", "a\n")
    assert overlay.read_text("./svc/a.txt") == "a\n" and view.project.name == "svc"
    with pytest.raises(ValueError, match="outside"):
        overlay.read_text("../x")
    with pytest.raises(ValueError, match="outside"):
        overlay.set_text("/etc/passwd", "")


def test_non_utf8_files_read_as_absent(tmp_path: Path) -> None:
    (tmp_path / "bin.dat").write_bytes(b"\xff\xfe\x00")
    assert Overlay(tmp_path, Project(".", "p")).read_text("bin.dat") is None
