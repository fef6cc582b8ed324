"""The whole-scan cache: an unchanged tree is replayed without a walk; any change is seen."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from optimus.analyze import engine, scan_cache
from optimus.analyze.engine import ScanOptions, scan
from optimus.analyze.scan_cache import ScanCache, StoredTree
from optimus.model import Project
from optimus.report.json_output import to_dict
from tests.helpers import write_tree

ASYNC = "import time\n\n\nasync def handler():\n    time.sleep({})\n"


def _tree(root: Path) -> Path:
    files = {"svc/pyproject.toml": "[project]\nname='svc'\n", "svc/README.md": "svc\n"}
    files.update({f"svc/pkg/m{i}.py": ASYNC.format(i) for i in range(3)})
    write_tree(root, files)
    # File systems keep times at a coarse granularity: let the next change get a new stamp.
    time.sleep(0.05)
    return root


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the walks, and trust stamps of files made during the test (they are fresh)."""
    monkeypatch.setattr(scan_cache, "_RACY_NS", 0)
    calls: list[str] = []
    real = engine.walk

    def counted(path: str, exclude: object = None) -> object:
        calls.append(path)
        return real(path, exclude)

    monkeypatch.setattr(engine, "walk", counted)
    return calls


def _dump(result) -> dict:
    out = to_dict(result)
    out.pop("stats")
    return out


def test_an_unchanged_tree_is_replayed_without_walking(tmp_path: Path, walks: list[str]) -> None:
    _tree(tmp_path)
    cold = scan([str(tmp_path)], ScanOptions(jobs=1))
    assert len(walks) == 1 and cold.stats.files_analyzed == 3
    warm = scan([str(tmp_path)], ScanOptions(jobs=1))
    assert len(walks) == 1  # no second walk
    assert _dump(warm) == _dump(cold)
    assert warm.stats.files_analyzed == 0 and warm.stats.files_cached == 3
    assert (warm.stats.files, warm.stats.lines) == (cold.stats.files, cold.stats.lines)
    assert warm.projects[0].stack.languages == cold.projects[0].stack.languages


def test_a_new_file_is_seen(tmp_path: Path, walks: list[str]) -> None:
    _tree(tmp_path)
    cold = scan([str(tmp_path)], ScanOptions(jobs=1))
    (tmp_path / "svc/pkg/new.py").write_text(ASYNC.format(9))
    warm = scan([str(tmp_path)], ScanOptions(jobs=1))
    assert len(walks) == 2
    assert warm.stats.files_analyzed == 1
    assert len(warm.findings) == len(cold.findings) + 1


def test_a_removed_file_is_seen(tmp_path: Path, walks: list[str]) -> None:
    _tree(tmp_path)
    cold = scan([str(tmp_path)], ScanOptions(jobs=1))
    (tmp_path / "svc/pkg/m0.py").unlink()
    warm = scan([str(tmp_path)], ScanOptions(jobs=1))
    assert len(walks) == 2
    assert len(warm.findings) == len(cold.findings) - 1


def test_an_edited_file_is_seen(tmp_path: Path, walks: list[str]) -> None:
    _tree(tmp_path)
    cold = scan([str(tmp_path)], ScanOptions(jobs=1))
    target = tmp_path / "svc/pkg/m1.py"
    target.write_text(ASYNC.format(1) + "\n\nasync def two():\n    time.sleep(2)\n")
    os.utime(target, ns=(1, 1))  # a different stamp whatever the clock's resolution
    warm = scan([str(tmp_path)], ScanOptions(jobs=1))
    assert len(walks) == 2 and warm.stats.files_analyzed == 1
    assert len(warm.findings) == len(cold.findings) + 1


def test_other_flags_walk_again(tmp_path: Path, walks: list[str]) -> None:
    _tree(tmp_path)
    cold = scan([str(tmp_path)], ScanOptions(jobs=1))
    assert any(f.rule == "blocking-call-in-async" for f in cold.findings)
    quiet = scan([str(tmp_path)], ScanOptions(jobs=1, overrides={"ignore": ("PY001",)}))
    assert len(walks) == 2
    assert not any(f.rule == "blocking-call-in-async" for f in quiet.findings)


def test_each_set_of_flags_keeps_its_own_result(tmp_path: Path, walks: list[str]) -> None:
    _tree(tmp_path)
    own = ScanOptions(jobs=1, overrides={"engines": False, "select": None})
    scan([str(tmp_path)], ScanOptions(jobs=1))
    scan([str(tmp_path)], own)
    assert len(walks) == 2
    scan([str(tmp_path)], ScanOptions(jobs=1))
    scan([str(tmp_path)], own)
    assert len(walks) == 2  # both replayed


def test_a_configuration_outside_the_tree_is_read_again(tmp_path: Path, walks: list[str]) -> None:
    tree = tmp_path / "tree"
    _tree(tree)
    (tree / "svc/optimus.toml").write_text('extend = "../../shared.toml"\n')
    shared = tmp_path / "shared.toml"
    shared.write_text("ignore = []\n")
    time.sleep(0.05)
    cold = scan([str(tree)], ScanOptions(jobs=1))
    assert any(f.rule == "blocking-call-in-async" for f in cold.findings)
    shared.write_text('ignore = ["blocking-call-in-async"]\n')
    warm = scan([str(tree)], ScanOptions(jobs=1))
    assert len(walks) == 2
    assert not any(f.rule == "blocking-call-in-async" for f in warm.findings)


def test_fresh_stamps_are_not_trusted(tmp_path: Path) -> None:
    # Without the test's override: folders made a moment ago cannot prove anything.
    _tree(tmp_path)
    scan([str(tmp_path)], ScanOptions(jobs=1))
    stored = ScanCache(str(tmp_path), flags=engine._given(ScanOptions())).stored
    assert stored is not None and stored.tree is None


def test_no_cache_neither_reads_nor_writes_it(tmp_path: Path, walks: list[str]) -> None:
    _tree(tmp_path)
    scan([str(tmp_path)], ScanOptions(jobs=1, use_cache=False))
    assert ScanCache(str(tmp_path), flags=engine._given(ScanOptions())).stored is None
    scan([str(tmp_path)], ScanOptions(jobs=1))
    again = scan([str(tmp_path)], ScanOptions(jobs=1, use_cache=False))
    assert len(walks) == 3 and again.stats.files_analyzed == 3


def _stamps(root: Path) -> StoredTree:
    (root / "a").mkdir()
    (root / "a/f.py").write_text("x = 1\n")
    d, f = os.stat(root / "a"), os.stat(root / "a/f.py")
    return StoredTree(
        str(root),
        [str(root)],
        "[]",
        [("a", d.st_mtime_ns, d.st_ctime_ns)],
        [("a/f.py", f.st_size, f.st_mtime_ns)],
        [(Project("a", "a"), str(root / "a"), False, "", True)],
        "",
        time.time_ns(),
    )


def test_stored_tree_stamps(tmp_path: Path) -> None:
    tree = _stamps(tmp_path)
    assert tree.unchanged()
    assert not tree.trustworthy()  # stamped just now
    tree.started_ns += 10 * scan_cache._RACY_NS
    assert tree.trustworthy()
    (tmp_path / "a/f.py").write_text("x = 22\n")
    assert not tree.unchanged()


def test_stored_tree_sees_a_missing_folder(tmp_path: Path) -> None:
    tree = _stamps(tmp_path)
    (tmp_path / "a/f.py").unlink()
    (tmp_path / "a").rmdir()
    assert not tree.unchanged()


def test_root_settings_from_outside_the_tree_are_read_again(
    tmp_path: Path, walks: list[str]
) -> None:
    tree = tmp_path / "tree"
    _tree(tree)
    (tree / "optimus.toml").write_text('extend = "../shared.toml"\n')
    shared = tmp_path / "shared.toml"
    shared.write_text('exclude = ["svc"]\n')
    time.sleep(0.05)
    assert scan([str(tree)], ScanOptions(jobs=1)).projects == []
    shared.write_text("exclude = []\n")
    again = scan([str(tree)], ScanOptions(jobs=1))
    assert len(walks) == 2
    assert [p.path for p in again.projects] == ["svc"]


def test_stored_tree_pickles_compactly_and_back(tmp_path: Path) -> None:
    import pickle

    tree = _stamps(tmp_path)
    tree.files.append(("b/ü.py", 2**40, -5))
    back = pickle.loads(pickle.dumps(tree))
    assert back == tree
    empty = StoredTree("/", ["/"], "", [], [], [], "", 0)
    assert pickle.loads(pickle.dumps(empty)) == empty


def test_a_configuration_the_walk_ignores_is_read_again(tmp_path: Path, walks: list[str]) -> None:
    # A gitignored pyproject.toml has no stamp in the stored walk: a replay reads it again.
    _tree(tmp_path)
    (tmp_path / ".gitignore").write_text("svc/pyproject.toml\n")
    (tmp_path / "svc/setup.py").write_text("")  # keeps svc a project without its pyproject
    time.sleep(0.05)
    cold = scan([str(tmp_path)], ScanOptions(jobs=1))
    assert any(f.rule == "blocking-call-in-async" for f in cold.findings)
    with (tmp_path / "svc/pyproject.toml").open("a") as fh:
        fh.write('[tool.optimus]\nignore = ["blocking-call-in-async"]\n')
    os.utime(tmp_path / "svc/pyproject.toml", ns=(1, 1))
    warm = scan([str(tmp_path)], ScanOptions(jobs=1))
    assert not any(f.rule == "blocking-call-in-async" for f in warm.findings)
    assert len(walks) == 2
