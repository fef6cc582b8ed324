"""The example reports in docs/examples/ are what scripts/generate_report.py writes today."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_example_reports_are_up_to_date() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_report.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_example_reports_cover_every_project() -> None:
    md = (ROOT / "docs" / "examples" / "portfolio-report.md").read_text(encoding="utf-8")
    projects = [p.name for p in (ROOT / "examples" / "portfolio").iterdir() if p.is_dir()]
    assert len(projects) >= 5
    for name in projects:
        assert f"\n## {name} " in md
