"""Which paths a request may have scanned: resolved, under a root, never / or home."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from optimus.api.errors import ApiError
from optimus.api.roots import allowed_path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "root" / "a" / "b").mkdir(parents=True)
    (tmp_path / "rootless").mkdir()
    os.symlink(tmp_path / "root" / "a", tmp_path / "root" / "link-in")
    return tmp_path / "root"


def test_folders_under_a_root_resolve(root: Path) -> None:
    roots = (str(root.resolve()),)
    assert allowed_path(str(root / "a" / "b"), roots) == str((root / "a" / "b").resolve())
    assert allowed_path(str(root), roots) == str(root.resolve())
    # A link that stays inside the root is followed to its target.
    assert allowed_path(str(root / "link-in"), roots) == str((root / "a").resolve())


def test_a_sibling_with_a_common_prefix_is_not_inside(root: Path) -> None:
    # /x/root vs /x/rootless: a string prefix, not a parent.
    with pytest.raises(ApiError) as caught:
        allowed_path(str(root.parent / "rootless"), (str(root.resolve()),))
    assert caught.value.status == 403


@pytest.mark.parametrize("requested", ["/", "~", "~root", "relative/path", "", "a\x00b"])
def test_refused_requests(root: Path, requested: str) -> None:
    with pytest.raises(ApiError) as caught:
        allowed_path(requested, (str(root.resolve()),))
    assert caught.value.status in (403, 422)


def test_no_roots_means_no_scans(root: Path) -> None:
    with pytest.raises(ApiError, match="--root"):
        allowed_path(str(root), ())
