"""Bad files are diagnostics, never crashes; the rest of the scan goes on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from optimus.analyze.engine import ScanOptions, scan
from tests.helpers import write_tree

GOOD_ASYNC = "import time\n\nasync def handler():\n    time.sleep(1)\n"


def _scan(root: Path, **overrides: object):
    # Engines (ruff) would spend their own time on the 50 MB file; this is about Optimus.
    overrides.setdefault("engines", False)
    return scan([str(root)], ScanOptions(overrides=dict(overrides), use_cache=False, jobs=1))


def _diag(result, path: str) -> str:
    messages = [d.message for d in result.diagnostics if d.path == path]
    assert messages, f"no diagnostic for {path}: {result.diagnostics}"
    return messages[0]


def test_each_bad_file_is_one_diagnostic_and_good_files_still_scan(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "p/pyproject.toml": "[project]\nname = 'p'\n",
            "p/good.py": GOOD_ASYNC,
            "p/syntax.py": "async def broken(:\n    pass\n",
            "p/latin1.py": b"async def f():\n    return '\xe9'\n",
            "p/binary.py": b"async def \x00\x01\x02" + bytes(range(256)),
            "p/empty.py": "",
            "bad-toml/Cargo.toml": "[package\nname = 'x'\n",
            "bad-toml/src/main.rs": "fn main() {}\n",
            "bad-json/package.json": '{"dependencies": {"a": "1"},',
            "bad-yaml/pyproject.toml": "[project]\nname='y'\n",
            "bad-yaml/k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\n  bad: [\n",
            "bad-yaml/Dockerfile": 'FROM python:3.12-slim\nCMD ["uvicorn", "app:app"]\n',
        },
    )
    result = _scan(tmp_path)
    assert "syntax error" in _diag(result, "p/syntax.py").lower()
    assert "line 1" in _diag(result, "p/syntax.py")
    assert _diag(result, "p/latin1.py")
    assert _diag(result, "p/binary.py") == "binary file skipped"
    assert "TOML" in _diag(result, "bad-toml/Cargo.toml")
    assert "JSON" in _diag(result, "bad-json/package.json")
    assert "YAML" in _diag(result, "bad-yaml/k8s/deploy.yaml")
    assert not [d for d in result.diagnostics if d.path == "p/empty.py"]
    rules_on_good = {(f.path, f.rule) for f in result.findings}
    assert ("p/good.py", "blocking-call-in-async") in rules_on_good
    assert all("internal error" not in d.message for d in result.diagnostics)


def test_huge_file_is_skipped_with_a_diagnostic(tmp_path: Path) -> None:
    write_tree(tmp_path, {"p/pyproject.toml": "", "p/ok.py": "x = 1\n"})
    with open(tmp_path / "p" / "huge.py", "wb") as fh:
        fh.write(b"x = 1\n" * (50 * 1024 * 1024 // 6))
    result = _scan(tmp_path)
    assert "over max-file-size" in _diag(result, "p/huge.py")
    assert result.stats.files == 2  # pyproject.toml and ok.py


def test_unreadable_folder_is_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"p/pyproject.toml": "", "p/ok.py": "x = 1\n", "p/secret/a.py": "x\n"})
    secret = str(tmp_path / "p" / "secret")
    real_scandir = os.scandir

    def scandir(path):
        # Root reads every folder whatever its mode, so the refusal is simulated here.
        if os.fspath(path) == secret:
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = _scan(tmp_path)
    assert "cannot read folder" in _diag(result, "p/secret")
    assert result.stats.files == 2


def test_a_rule_crash_is_a_diagnostic_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from optimus.registry import get_rule

    # A file rule (large-file became a project rule): its crash is the file's diagnostic.
    rule = get_rule("blocking-call-in-async")
    assert rule is not None

    def boom(src):
        raise RuntimeError("kaput")

    monkeypatch.setattr(rule, "check", boom)
    write_tree(tmp_path, {"p/pyproject.toml": "", "p/a.py": "async def f():\n    x = 1\n"})
    result = _scan(tmp_path)
    message = _diag(result, "p/a.py")
    assert "internal error in rule blocking-call-in-async" in message and "kaput" in message
