"""The engine: cache reuse, parallel equals serial, stable fingerprints, baselines."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from optimus.analyze.baseline import load_baseline, new_findings, write_baseline
from optimus.analyze.engine import ScanOptions, scan
from optimus.report.json_output import to_dict
from tests.helpers import write_tree

ASYNC = "import time\n\n\nasync def handler():\n    time.sleep({})\n"


def _tree(root: Path, n: int = 5) -> Path:
    files: dict[str, str] = {"svc/pyproject.toml": "[project]\nname='svc'\n"}
    for i in range(n):
        files[f"svc/pkg/m{i}.py"] = ASYNC.format(i)
    files["svc/pkg/big.py"] = "x = 1\n" * 1001
    return write_tree(root, files)


def _comparable(result) -> list[dict]:
    return to_dict(result)["findings"]


def test_warm_rescan_reuses_cache_and_gives_the_same_findings(tmp_path: Path) -> None:
    _tree(tmp_path)
    cold = scan([str(tmp_path)], ScanOptions(jobs=1))
    assert cold.stats.files_analyzed == 6 and cold.stats.files_cached == 0
    warm = scan([str(tmp_path)], ScanOptions(jobs=1))
    assert warm.stats.files_analyzed == 0 and warm.stats.files_cached == 6
    assert _comparable(warm) == _comparable(cold)
    target = tmp_path / "svc/pkg/m0.py"
    target.write_text(ASYNC.format(0) + "\n\nasync def two():\n    time.sleep(9)\n")
    os.utime(target, ns=(1, 1))  # a new mtime whatever the clock's resolution
    touched = scan([str(tmp_path)], ScanOptions(jobs=1))
    assert touched.stats.files_analyzed == 1 and touched.stats.files_cached == 5
    assert len(touched.findings) == len(cold.findings) + 1
    no_cache = scan([str(tmp_path)], ScanOptions(jobs=1, use_cache=False))
    assert no_cache.stats.files_cached == 0


def test_parallel_scan_equals_serial_scan(tmp_path: Path) -> None:
    _tree(tmp_path, n=260)  # above the pool threshold
    serial = scan([str(tmp_path)], ScanOptions(jobs=1, use_cache=False))
    parallel = scan([str(tmp_path)], ScanOptions(jobs=2, use_cache=False))
    assert len(serial.findings) == 261
    assert _comparable(parallel) == _comparable(serial)


def test_fingerprints_survive_unrelated_line_shifts(tmp_path: Path) -> None:
    _tree(tmp_path, n=1)
    before = {f.fingerprint for f in scan([str(tmp_path)], ScanOptions(use_cache=False)).findings}
    path = tmp_path / "svc/pkg/m0.py"
    path.write_text("# a new header comment\n\n\n" + path.read_text())
    after = scan([str(tmp_path)], ScanOptions(use_cache=False)).findings
    assert {f.fingerprint for f in after} == before
    assert any(f.line == 8 for f in after)


def test_baseline_reports_only_new_findings(tmp_path: Path) -> None:
    _tree(tmp_path, n=2)
    first = scan([str(tmp_path)], ScanOptions(use_cache=False))
    baseline = tmp_path / "baseline.json"
    assert write_baseline(first, str(baseline)) == 3
    (tmp_path / "svc/pkg/m1.py").write_text("\n\n" + ASYNC.format(1) + ASYNC.format(7))
    second = scan([str(tmp_path)], ScanOptions(use_cache=False))
    fresh = new_findings(second.findings, load_baseline(str(baseline)))
    assert [(f.path, f.line) for f in fresh] == [("svc/pkg/m1.py", 12)]


def test_multiple_paths_share_one_root(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "one/pyproject.toml": "",
            "one/a.py": ASYNC.format(1),
            "two/Cargo.toml": "[package]\nname='two'\n",
        },
    )
    result = scan([str(tmp_path / "one"), str(tmp_path / "two")], ScanOptions(use_cache=False))
    assert sorted(p.path for p in result.projects) == ["one", "two"]
    assert [f.path for f in result.findings if f.rule == "blocking-call-in-async"] == ["one/a.py"]


def test_engine_results_are_reused_while_the_project_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from optimus.engines.ruff import RuffEngine

    if RuffEngine().executable() is None:
        pytest.skip("ruff is not installed")
    write_tree(
        tmp_path,
        {
            "svc/pyproject.toml": "[project]\nname='svc'\n",
            "svc/client.py": "import requests\n\n\ndef f():\n    return requests.get('http://x')\n",
        },
    )
    first = scan([str(tmp_path)], ScanOptions(jobs=1))
    assert [f.rule for f in first.findings] == ["http-no-timeout"]

    def fail(*args: object) -> list:
        raise AssertionError("ruff ran again on an unchanged project")

    monkeypatch.setattr(RuffEngine, "run", fail)
    again = scan([str(tmp_path)], ScanOptions(jobs=1))
    assert _comparable(again) == _comparable(first)


def test_a_broken_rule_module_is_a_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from optimus import registry

    monkeypatch.setitem(registry._BROKEN, "optimus.rules.python.broken", "SyntaxError: x")
    _tree(tmp_path, n=1)
    result = scan([str(tmp_path)], ScanOptions(use_cache=False))
    (diag,) = [d for d in result.diagnostics if d.path == "optimus.rules.python.broken"]
    assert "failed to load" in diag.message and "SyntaxError" in diag.message
    assert result.findings  # the other rules still ran
