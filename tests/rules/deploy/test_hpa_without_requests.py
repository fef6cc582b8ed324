"""hpa-without-requests: utilization metrics against the target's container requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.testing.harness import assert_rule_matches

RULE = "hpa-without-requests"
FIXTURES = Path(__file__).parent / "hpa_without_requests"
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def test_every_fixture_project_is_listed() -> None:
    assert PROJECTS == ["hpa_v1", "hpa_v2"]


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_projects(project: str) -> None:
    result = assert_rule_matches(str(FIXTURES / project), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


def test_messages() -> None:
    result = assert_rule_matches(str(FIXTURES / "hpa_v2"), RULE)
    by_line = {f.line: f for f in result.findings}
    api = by_line[10].message
    assert "HorizontalPodAutoscaler `api` scales Deployment `api` on cpu utilization" in api
    assert "`proxy`" in api and "`web`" not in api  # web has a CPU request
    assert "k8s/deployments.yaml" in api and "takes no action" in api
    assert "default metric: 80% CPU" in by_line[68].message
    assert all(f.severity.value == "high" and f.code == "K8003" for f in result.findings)


def test_v1_target_percentage() -> None:
    result = assert_rule_matches(str(FIXTURES / "hpa_v1"), RULE)
    [finding] = result.findings
    assert "StatefulSet `queue`" in finding.message and "`queue`" in finding.message
