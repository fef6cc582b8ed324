"""ci-no-timeout: job-level timeout-minutes; reusable-workflow calls skipped."""

from __future__ import annotations

from pathlib import Path

from optimus.testing.harness import assert_rule_matches

RULE = "ci-no-timeout"
FIXTURES = Path(__file__).parent / "ci_no_timeout"


def test_fixture() -> None:
    result = assert_rule_matches(str(FIXTURES / "repo"), RULE)
    assert not result.diagnostics
    assert len(result.findings) == 4
    first = result.findings[0]
    assert first.message.startswith("job `build` sets no `timeout-minutes`")
    assert "360 minutes" in first.message
    assert first.code == "CI002" and first.severity.value == "low"
    assert all(not f.path.startswith("docs/") for f in result.findings)
