"""The command line through a real subprocess: formats, exit codes, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import write_tree

OPTIMUS = [sys.executable, "-m", "optimus"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [*OPTIMUS, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "work",
        {
            "svc/pyproject.toml": "[project]\nname='svc'\ndependencies=['fastapi']\n",
            "svc/app.py": "import time\n\n\nasync def handler():\n    time.sleep(1)\n",
            "svc/big.py": "x = 1\n" * 1001,
        },
    )


def test_json_output_follows_the_contract(project: Path) -> None:
    done = run("scan", str(project), "--format", "json")
    assert done.returncode == 1, done.stderr  # blocking-call-in-async is high
    doc = json.loads(done.stdout)
    assert set(doc) == {
        "schema_version",
        "tool",
        "root",
        "projects",
        "findings",
        "diagnostics",
        "stats",
    }
    assert doc["tool"]["name"] == "optimus"
    assert [p["path"] for p in doc["projects"]] == ["svc"]
    assert {"path", "name", "stacks", "git"} <= set(doc["projects"][0])
    finding = next(f for f in doc["findings"] if f["rule"] == "blocking-call-in-async")
    assert {
        "rule",
        "code",
        "category",
        "severity",
        "confidence",
        "message",
        "path",
        "line",
        "end_line",
        "count",
        "project",
        "fixable",
        "fingerprint",
    } <= set(finding)
    assert finding["path"] == "svc/app.py" and finding["line"] == 5
    large = next(f for f in doc["findings"] if f["rule"] == "large-file")
    assert large["line"] is None and large["count"] == 1001
    assert set(doc["stats"]) >= {"files", "lines", "seconds"}


def test_exit_codes_follow_fail_on(project: Path) -> None:
    assert run("scan", str(project), "--fail-on", "critical").returncode == 0
    assert run("scan", str(project), "--fail-on", "low").returncode == 1
    assert run("scan", str(project), "--select", "large-file").returncode == 0
    assert run("scan", str(project), "--exit-zero").returncode == 0


def test_usage_errors_exit_2_with_one_clear_line(project: Path, tmp_path: Path) -> None:
    missing = run("scan", str(tmp_path / "nope"))
    assert missing.returncode == 2
    assert "path not found" in missing.stderr and "nope" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad_rule = run("scan", str(project), "--select", "no-such-rule")
    assert bad_rule.returncode == 2 and "unknown rule `no-such-rule`" in bad_rule.stderr
    (project / "optimus.toml").write_text("fail-on = 'sometimes'\n")
    bad_config = run("scan", str(project))
    assert bad_config.returncode == 2
    assert "optimus.toml" in bad_config.stderr and "`fail-on`" in bad_config.stderr
    assert run("scan", str(project), "--format", "xml").returncode == 2
    assert run("explain", "no-such-rule").returncode == 2


def test_table_output_and_output_file(project: Path, tmp_path: Path) -> None:
    done = run("scan", str(project))
    assert "svc/app.py:5" in done.stdout
    assert "blocking-call-in-async" in done.stdout
    out = tmp_path / "report.sarif"
    written = run("scan", str(project), "--format", "sarif", "--output", str(out))
    assert written.stdout == ""
    assert json.loads(out.read_text())["version"] == "2.1.0"
    markdown = run("scan", str(project), "--format", "markdown").stdout
    assert "blocking-call-in-async" in markdown


def test_baseline_command_then_scan_with_baseline(project: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    made = run("baseline", str(project), "-o", str(baseline))
    assert made.returncode == 0, made.stderr
    clean = run("scan", str(project), "--baseline", str(baseline), "--format", "json")
    assert clean.returncode == 0 and json.loads(clean.stdout)["findings"] == []
    (project / "svc" / "new.py").write_text("import time\nasync def f():\n    time.sleep(2)\n")
    fresh = run("scan", str(project), "--baseline", str(baseline), "--format", "json")
    assert fresh.returncode == 1
    assert [f["path"] for f in json.loads(fresh.stdout)["findings"]] == ["svc/new.py"]


def test_rules_and_explain(project: Path) -> None:
    listed = json.loads(run("rules", "--json").stdout)
    names = {r["name"] for r in listed}
    assert {"blocking-call-in-async", "large-file", "unwrap-density"} <= names
    explained = run("explain", "MT001")
    assert explained.returncode == 0 and "large-file" in explained.stdout
    assert "References" in explained.stdout


def test_explain_an_engine_id_points_to_the_engine() -> None:
    done = run("explain", "ruff:PERF401")
    assert done.returncode == 0
    assert "ruff engine" in done.stdout and "ruff rule PERF401" in done.stdout


def test_version() -> None:
    from optimus import __version__

    done = run("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"optimus {__version__}"
