"""``optimus report`` through a real subprocess: formats, output file, filters and errors."""

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
        [*OPTIMUS, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=180
    )


@pytest.fixture
def work(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "work",
        {
            "svc/pyproject.toml": "[project]\nname='svc'\ndependencies=['fastapi']\n",
            "svc/app.py": "import time\n\n\nasync def handler():\n    time.sleep(1)\n",
            "lib/pyproject.toml": "[project]\nname='lib'\n",
            "lib/lib.py": "def f():\n    return 1\n",
        },
    )


def test_markdown_by_default_exit_zero_even_with_findings(work: Path) -> None:
    done = run("report", str(work), "--no-engines")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Optimization report: ")
    assert "## svc " in done.stdout and "## lib 100/100 (A)" in done.stdout
    assert "blocking-call-in-async" in done.stdout


def test_json_for_one_project(work: Path) -> None:
    done = run("report", str(work), "--project", "svc", "--format", "json", "--no-engines")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["report_version"] == 1
    assert [p["name"] for p in doc["projects"]] == ["svc"]
    assert doc["projects"][0]["issues"][0]["rule"] == "blocking-call-in-async"


def test_html_to_a_file(work: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    done = run("report", str(work), "-f", "html", "-o", str(out), "--no-engines")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page


def test_selection_options_reach_the_scan(work: Path) -> None:
    done = run(
        "report", str(work), "--ignore", "blocking-call-in-async", "-f", "json", "--no-engines"
    )
    doc = json.loads(done.stdout)
    rules = {i["rule"] for p in doc["projects"] for i in p["issues"]}
    assert "blocking-call-in-async" not in rules


def test_line_cost_changes_the_score(work: Path) -> None:
    default = json.loads(run("report", str(work), "-p", "svc", "-f", "json", "--no-engines").stdout)
    costly = json.loads(
        run(
            "report", str(work), "-p", "svc", "-f", "json", "--no-engines", "--line-cost", "1"
        ).stdout
    )
    assert (
        costly["projects"][0]["score"]["debt_ratio"] > default["projects"][0]["score"]["debt_ratio"]
    )
    assert costly["score_settings"]["minutes_per_line"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--project", "nope"], "--project: no project named 'nope' was found (found: lib, svc)"),
        (["--rating-grid", "0.1,0.05,0.2,0.5"], "--rating-grid: the four ratios must increase"),
        (["--rating-grid", "x"], "--rating-grid: expected four ratios"),
        (["--line-cost", "0"], "--line-cost: must be a number above 0"),
    ],
)
def test_usage_errors_exit_2_with_one_line(work: Path, args: list[str], message: str) -> None:
    done = run("report", str(work), "--no-engines", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    done = run("report", str(tmp_path / "absent"))
    assert done.returncode == 2
    assert "path not found" in done.stderr


def test_unwritable_output_is_a_usage_error(work: Path, tmp_path: Path) -> None:
    done = run("report", str(work), "--no-engines", "-o", str(tmp_path / "no" / "dir" / "r.md"))
    assert done.returncode == 2
    assert "cannot write" in done.stderr
