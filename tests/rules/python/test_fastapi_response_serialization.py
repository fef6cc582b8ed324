"""fastapi-response-serialization: fixture with the three shapes and the skipped routes."""

from __future__ import annotations

from pathlib import Path

from optimus.model import ScanResult
from optimus.registry import get_rule
from optimus.testing.harness import assert_rule_matches

RULE = "fastapi-response-serialization"
FIXTURE = Path(__file__).parent / "fastapi_response_serialization" / "api"


def assert_no_duplicates(result: ScanResult) -> None:
    """The harness compares sets: check that no place is reported twice."""
    places = [(f.path, f.line, f.message) for f in result.findings]
    assert len(places) == len(set(places)), places


def test_fixture_project() -> None:
    assert_no_duplicates(assert_rule_matches(str(FIXTURE), RULE))


def test_messages_cover_both_versions() -> None:
    result = assert_rule_matches(str(FIXTURE), RULE)
    messages = [f.message for f in result.findings]
    default = next(m for m in messages if "default_response_class=ORJSONResponse" in m)
    assert "deprecated since FastAPI 0.131" in default and "upgrade first" in default
    untyped = next(m for m in messages if "`list_items`" in m)
    assert "neither a return type nor `response_model`" in untyped
    assert "FastAPI < 0.130" in untyped and "Pydantic in Rust" in untyped
    manual = next(m for m in messages if "`manual` returns `JSONResponse(...)`" in m)
    assert "return the data" in manual
    assert all(f.severity.value == "low" for f in result.findings)
    assert all(f.confidence.value == "low" for f in result.findings)
    # every message says its advice holds only on FastAPI >= 0.130
    assert all("FastAPI >= 0.130" in m or "FastAPI 0.130 or later" in m for m in messages)
    assert "If the project runs FastAPI 0.130 or later" in untyped


def test_small_literals_and_annotated_responses_are_skipped() -> None:
    result = assert_rule_matches(str(FIXTURE), RULE)
    small = {f.message.split("`")[1] for f in result.findings if f.path == "app/small.py"}
    assert small == {"four", "nested", "mixed"}  # not root, logout, token, oauth_login


def test_metadata() -> None:
    r = get_rule(RULE)
    assert r is not None and r.code == "PY012"
    assert any("release-notes" in ref.url for ref in r.references)
