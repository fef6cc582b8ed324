"""Fixes carried by findings: edits applied in order, a BOM respected, bad edits refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.fix.edits import apply_edits, edit_fixer
from optimus.fix.overlay import Overlay
from optimus.model import (
    Applicability,
    Category,
    Confidence,
    Edit,
    Finding,
    Fix,
    Project,
    Severity,
)


def _finding(fix: Fix | None) -> Finding:
    return Finding(
        "docker-pip-cache", "DK001", Category.COST, Severity.LOW, Confidence.HIGH, "m",
        "Dockerfile", 2, 2, ".", "fp", fix=fix,
    )  # fmt: skip


def test_apply_edits_in_any_order() -> None:
    edits = [Edit(6, 6, "--no-cache-dir "), Edit(0, 3, "run")]
    assert apply_edits("RUN x pip", edits) == "run x --no-cache-dir pip"


@pytest.mark.parametrize("edits", [[Edit(0, 5, "a"), Edit(3, 6, "b")], [Edit(0, 99, "")]])
def test_overlapping_or_out_of_range_edits_are_refused(edits: list[Edit]) -> None:
    with pytest.raises(ValueError, match="bad edit"):
        apply_edits("0123456789", edits)


def test_edit_fixer_makes_the_finding_s_edits(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("\ufeffFROM x\nRUN pip install a\n", encoding="utf-8")
    text = "FROM x\nRUN pip install a\n"
    at = text.index("install ") + len("install ")
    fix = Fix((Edit(at, at, "--no-cache-dir "),), Applicability.SAFE, "no pip cache")
    finding = _finding(fix)
    fixer = edit_fixer(finding)
    assert fixer is not None and fixer.applicability is Applicability.SAFE
    proposal = fixer.func(finding, Overlay(tmp_path, Project(".", "p")))
    assert proposal is not None and proposal.message == "no pip cache"
    assert proposal.changes[0].new_text == "\ufeffFROM x\nRUN pip install --no-cache-dir a\n"
    assert edit_fixer(_finding(None)) is None
