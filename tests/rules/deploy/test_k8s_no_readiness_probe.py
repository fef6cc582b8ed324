"""k8s-no-readiness-probe: only workloads a Service selects, one pod-level probe suffices."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.testing.harness import assert_rule_matches

RULE = "k8s-no-readiness-probe"
FIXTURES = Path(__file__).parent / "k8s_no_readiness_probe"
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def test_every_fixture_project_is_listed() -> None:
    assert PROJECTS == ["kustomize", "namespaces", "no_service", "service_selects"]


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_projects(project: str) -> None:
    result = assert_rule_matches(str(FIXTURES / project), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


@pytest.mark.parametrize("project", ["kustomize", "no_service"])
def test_quiet_projects(project: str) -> None:
    assert not assert_rule_matches(str(FIXTURES / project), RULE).findings


def test_message_names_the_service_and_the_serving_container() -> None:
    result = assert_rule_matches(str(FIXTURES / "service_selects"), RULE)
    [finding] = result.findings  # the log shipper sidecar (no ports) is not reported
    assert finding.message.startswith("container `web` of Deployment `api`")
    assert "Service `api`" in finding.message
    assert "liveness probe is optional" in finding.message
    assert finding.severity.value == "high" and finding.code == "K8002"
