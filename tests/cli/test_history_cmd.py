"""``optimus scan --save`` then ``optimus history``: trends in the terminal and as JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from optimus.store.db import Database
from tests.cli.storecli import run_cli, url_of
from tests.helpers import write_tree

SLOW = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"


@pytest.fixture
def portfolio(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "work",
        {
            "svc/pyproject.toml": "[project]\nname='svc'\n",
            "svc/app.py": SLOW,
            "web/pyproject.toml": "[project]\nname='web'\n",
            "web/main.py": "print('hi')\n",
        },
    )


def _save(capsys: pytest.CaptureFixture[str], portfolio: Path, url: str) -> None:
    ran = run_cli(
        capsys, "scan", str(portfolio), "--no-engines", "--no-cache", "--save", "--database", url
    )
    assert ran.code == 1, ran.err  # the high finding
    assert "Saved scan" in ran.err


def test_save_then_history(
    database: Database, portfolio: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = url_of(database)
    _save(capsys, portfolio, url)
    (portfolio / "svc" / "app.py").write_text(SLOW + "\n\nasync def other():\n    time.sleep(2)\n")
    _save(capsys, portfolio, url)

    doc = json.loads(run_cli(capsys, "history", "svc", "--json", "--database", url).out)
    [svc] = doc
    assert svc["path"] == "svc"
    assert [s["by_severity"]["high"] for s in svc["scans"]] == [1, 2]
    assert svc["deltas"][0]["rule"] == "blocking-call-in-async"
    assert (svc["deltas"][0]["first"], svc["deltas"][0]["latest"]) == (1, 2)

    table = run_cli(capsys, "history", "svc", "--database", url)
    assert table.code == 0
    assert "blocking-call-in-async 1 -> 2 since" in table.out

    summary = run_cli(capsys, "history", "--database", url)
    assert "svc" in summary.out and "web" in summary.out

    limited = json.loads(run_cli(capsys, "history", "-n", "1", "--json", "--database", url).out)
    assert {len(p["scans"]) for p in limited} == {1}


def test_empty_history_says_how_to_fill_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = run_cli(capsys, "history", "--database", f"sqlite:///{tmp_path / 'h.db'}")
    assert ran.code == 0
    assert "optimus scan PATH --save" in ran.out


def test_unknown_project_exits_2(sqlite_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    ran = run_cli(capsys, "history", "nothing-here", "--database", url_of(sqlite_db))
    assert ran.code == 2
    assert "no recorded project matches 'nothing-here'" in ran.err


def test_save_uses_the_environment_variable(
    portfolio: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    monkeypatch.setenv("OPTIMUS_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    ran = run_cli(capsys, "scan", str(portfolio), "--no-engines", "--save")
    assert "Saved scan 1 to" in ran.err and str(tmp_path / "env.db") in ran.err
    assert json.loads(run_cli(capsys, "history", "--json").out)


def test_database_without_save_is_a_usage_error(
    portfolio: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = run_cli(capsys, "scan", str(portfolio), "--database", "sqlite:///x.db")
    assert ran.code == 2
    assert "--database only applies with --save" in ran.err


def test_database_down_exits_2_naming_host_not_password(tmp_path: Path, portfolio: Path) -> None:
    # A real subprocess: the console script's error boundary, exit code and stderr.
    env = {**os.environ, "NO_COLOR": "1", "OPTIMUS_CACHE_DIR": str(tmp_path / "cache")}
    url = "postgresql://alice:s3cret@127.0.0.1:9/history"
    done = subprocess.run(
        [sys.executable, "-m", "optimus", "history", "--database", url],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert "database unavailable at 127.0.0.1:9/history" in done.stderr
    assert "s3cret" not in done.stderr
    assert "Traceback" not in done.stderr


def test_save_keeps_findings_a_baseline_hides(
    sqlite_db: Database, portfolio: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    made = run_cli(capsys, "baseline", str(portfolio), "--no-cache", "-o", str(baseline))
    assert made.code == 0, made.err
    url = url_of(sqlite_db)
    ran = run_cli(
        capsys,
        "scan",
        str(portfolio),
        "--no-engines",
        "--baseline",
        str(baseline),
        "--format",
        "json",
        "--save",
        "--database",
        url,
    )
    assert json.loads(ran.out)["findings"] == []  # the report shows nothing new
    [svc] = json.loads(run_cli(capsys, "history", "svc", "--json", "--database", url).out)
    assert svc["scans"][0]["by_severity"]["high"] == 1  # history has it all
