"""k8s-no-resources: requests and memory limits, merged over patches, LimitRange, Helm."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.testing.harness import assert_rule_matches

RULE = "k8s-no-resources"
FIXTURES = Path(__file__).parent / "k8s_no_resources"
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def test_every_fixture_project_is_listed() -> None:
    assert PROJECTS == ["helm_chart", "kustomize", "limit_range", "manifests"]


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_projects(project: str) -> None:
    result = assert_rule_matches(str(FIXTURES / project), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


@pytest.mark.parametrize("project", ["helm_chart", "limit_range"])
def test_quiet_projects(project: str) -> None:
    assert not assert_rule_matches(str(FIXTURES / project), RULE).findings


def test_helm_templates_are_skipped_without_a_diagnostic() -> None:
    result = assert_rule_matches(str(FIXTURES / "helm_chart"), RULE)
    assert not [d for d in result.diagnostics if "templates" in d.path]


def test_messages_name_the_container_and_what_is_missing() -> None:
    result = assert_rule_matches(str(FIXTURES / "manifests"), RULE)
    by_line = {f.line: f for f in result.findings}
    web = by_line[18]
    assert web.message.startswith("container `web` of Deployment `api` sets no")
    assert "`requests.cpu`, `requests.memory`, `limits.memory`" in web.message
    assert "BestEffort" not in web.message  # other containers of the pod set resources
    assert "a CPU limit is optional" in web.message
    assert web.code == "K8001" and web.severity.value == "medium"
    requests_only = by_line[29].message
    assert "sets no `limits.memory`:" in requests_only and "scheduler" not in requests_only
    logger = by_line[34].message  # a memory limit is copied to the memory request
    assert "sets no `requests.cpu`:" in logger and "memory" not in logger.split(":")[0]
    report = by_line[58].message
    assert "CronJob `nightly`" in report and "BestEffort" in report


def test_cpu_limits_are_never_demanded() -> None:
    result = assert_rule_matches(str(FIXTURES / "manifests"), RULE)
    assert all("`limits.cpu`" not in f.message for f in result.findings)


def test_init_containers_are_not_reported() -> None:
    result = assert_rule_matches(str(FIXTURES / "manifests"), RULE)
    worker = {f.line: f.severity.value for f in result.findings if f.path.endswith("worker.yaml")}
    assert worker == {17: "medium"}  # the app container, not the wait-for-db init container
    api = {f.line for f in result.findings if f.path.endswith("api.yaml")}
    assert 14 not in api and 18 in api  # migrate: the app containers' requests size the pod
