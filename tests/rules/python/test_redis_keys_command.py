"""redis-keys-command: Python and JS/TS fixtures with tricky negatives, plus message checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.model import ScanResult
from optimus.registry import get_rule
from optimus.testing.harness import assert_rule_matches

RULE = "redis-keys-command"
FIXTURES = Path(__file__).parent / "redis_keys_command"


def assert_no_duplicates(result: ScanResult) -> None:
    """The harness compares sets: check that no place is reported twice."""
    places = [(f.path, f.line, f.message) for f in result.findings]
    assert len(places) == len(set(places)), places


@pytest.mark.parametrize("project", ["pyservice", "nodeservice"])
def test_fixture_projects(project: str) -> None:
    result = assert_rule_matches(str(FIXTURES / project), RULE)
    assert_no_duplicates(result)
    assert not result.diagnostics or not [
        d for d in result.diagnostics if "internal error" in d.message
    ]


def test_messages_name_call_and_alternative() -> None:
    result = assert_rule_matches(str(FIXTURES / "pyservice"), RULE)
    messages = {f.line: f.message for f in result.findings if f.path == "app/cache.py"}
    first = messages[11]
    assert '`r.keys(f"session:{user_id}:*")`' in first or "r.keys(f'session" in first
    assert "r.scan_iter(match=" in first and "KEYS" in first
    django = [f for f in result.findings if f.path == "app/django_cache.py"]
    assert any("cache.iter_keys(" in f.message for f in django)
    node = assert_rule_matches(str(FIXTURES / "nodeservice"), RULE)
    assert all("scanStream" in f.message for f in node.findings)
    assert {f.severity.value for f in result.findings} == {"high"}


def test_metadata() -> None:
    r = get_rule(RULE)
    assert r is not None and r.code == "PY013"
    assert all(r.doc.get(s) for s in ("What it finds", "Why", "Example", "Instead", "When not to"))
    assert all(ref.url.startswith("https://") for ref in r.references)
