"""ci-no-timeout: job-level timeout-minutes; reusable-workflow calls skipped."""

from __future__ import annotations

from pathlib import Path

from optimus.testing.harness import assert_rule_matches

RULE = "ci-no-timeout"
FIXTURES = Path(__file__).parent / "ci_no_timeout"


def test_fixture() -> None:
    result = assert_rule_matches(str(FIXTURES / "repo"), RULE)
    assert not result.diagnostics
    assert len(result.findings) == 8
    first = result.findings[0]
    assert first.message.startswith("job `build` sets no `timeout-minutes`")
    assert "360 minutes" in first.message
    assert first.code == "CI002" and first.severity.value == "low"
    assert all(not f.path.startswith("docs/") for f in result.findings)


def test_gate_jobs_of_shell_builtins_cannot_hang() -> None:
    from optimus.rules.deploy.ci_no_timeout import cannot_hang

    result = assert_rule_matches(str(FIXTURES / "repo"), RULE)
    gates = {f.message.split("`")[1] for f in result.findings if f.path.endswith("gates.yml")}
    assert "gate" not in gates and "gate-with-api-call" in gates and "changes" in gates
    assert cannot_hang({"steps": [{"run": 'echo "${{ needs.a.result }}"; exit 0'}]})
    assert not cannot_hang({"steps": [{"run": "echo ok"}, {"uses": "actions/checkout@v4"}]})
    assert not cannot_hang({"steps": [{"run": "sleep 5"}]})
    assert not cannot_hang({"steps": [{"run": "cat <<EOF\nx\nEOF"}]})
    assert not cannot_hang({"steps": []})
