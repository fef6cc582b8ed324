"""Every rule keeps its contract: metadata, documentation sections, sources, fresh doc page."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from optimus.model import Category, Confidence, Severity
from optimus.registry import all_rules
from optimus.rules.base import Rule

ROOT = Path(__file__).resolve().parents[2]
RULES = all_rules()


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rule_metadata_and_docs(rule: Rule) -> None:
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert re.fullmatch(r"[A-Z][A-Z0-9]\d{3}", rule.code)
    assert isinstance(rule.category, Category)
    assert isinstance(rule.severity, Severity)
    assert isinstance(rule.confidence, Confidence)
    assert rule.effort > 0
    assert rule.scope in ("file", "project", "engine")
    if rule.scope == "engine":
        assert rule.engine != "optimus", "an engine-only rule names its engine"
    if rule.scope == "file":
        assert rule.kinds, "a file rule names the kinds it reads"
    assert rule.summary.endswith(".")
    for section in ("What it finds", "Why", "Example", "Instead", "When not to"):
        assert rule.doc.get(section, "").strip(), f"{rule.name} lacks its '{section}' section"
    if rule.fixable:
        assert rule.doc.get("Fix safety", "").strip()
    assert rule.references, "every rule cites at least one primary source"
    assert all(ref.url.startswith("https://") for ref in rule.references)


def test_names_and_codes_are_unique() -> None:
    assert len({r.name for r in RULES}) == len(RULES)
    assert len({r.code for r in RULES}) == len(RULES)


def test_rule_doc_pages_are_generated_and_fresh() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
