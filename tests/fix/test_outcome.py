"""The JSON report: its shape matches docs/fixes.md, and exit codes follow the outcome."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

from optimus.fix.outcome import (
    SCHEMA_VERSION,
    AppliedFix,
    FixReport,
    ParseFailure,
    RolledBack,
    SkippedFix,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "fixes.md"


def _documented() -> dict:
    block = re.search(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None
    return json.loads(block.group(1))


def _names(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}


def test_documented_example_has_every_field_and_no_other() -> None:
    doc = _documented()
    assert set(doc) == set(FixReport(mode="dry-run", root=".").to_dict())
    assert doc["schema_version"] == SCHEMA_VERSION
    assert set(doc["applied"][0]) == _names(AppliedFix)
    assert set(doc["skipped"][0]) == _names(SkippedFix)
    assert set(doc["rolled_back"][0]) == _names(RolledBack)
    assert set(doc["failed_to_parse"][0]) == _names(ParseFailure)


def test_every_field_has_a_row_in_the_field_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in FixReport(mode="dry-run", root=".").to_dict():
        if name != "schema_version":
            assert re.search(rf"^\| `{name}(\[\])?` \|", text, re.MULTILINE), name


def test_exit_codes() -> None:
    report = FixReport(mode="branch", root=".")
    assert report.exit_code == 0
    report.verify = {"enabled": True, "status": "baseline-failed"}
    assert report.exit_code == 0  # forced: a red baseline did not stop the run
    report.verify["stopped"] = True
    assert report.exit_code == 1
    report = FixReport(mode="dry-run", root=".")
    report.failed_to_parse.append(ParseFailure("r", "a.py", "a.py", "bad", "m"))
    assert report.exit_code == 1
    assert json.loads(report.to_json())["failed_to_parse"][0]["error"] == "bad"
