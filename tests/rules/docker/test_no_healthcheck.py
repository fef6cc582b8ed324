"""docker-no-healthcheck (DK006): compose-run images without any health check."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.testing.harness import assert_rule_matches

RULE = "docker-no-healthcheck"
FIXTURES = Path(__file__).parent / "no_healthcheck"
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_projects(project: str) -> None:
    result = assert_rule_matches(str(FIXTURES / project), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


@pytest.mark.parametrize(
    "project",
    [
        "dev_compose",
        "healthcheck_in_compose",
        "healthcheck_in_image",
        "helm_chart",
        "k8s_project",
        "no_ports",
        "override_healthcheck",
        "one_service_sample",
        "compose_watch",
    ],
)
def test_quiet_projects(project: str) -> None:
    assert not assert_rule_matches(str(FIXTURES / project), RULE).findings


def test_message_names_the_service_and_both_fixes() -> None:
    result = assert_rule_matches(str(FIXTURES / "compose_web"), RULE)
    (finding,) = result.findings
    assert finding.path == "Dockerfile" and finding.line == 4
    assert finding.message.startswith("the image of compose service `web` (compose.yaml) has")
    assert "and 1 more" not in finding.message  # the worker replaces the command
    assert "HEALTHCHECK" in finding.message and "`healthcheck:`" in finding.message
    assert "service_healthy" in finding.message


def test_contexts_and_dockerfiles_resolve_relative_to_compose() -> None:
    result = assert_rule_matches(str(FIXTURES / "monorepo"), RULE)
    assert {f.path for f in result.findings} == {
        "services/api/Dockerfile.prod",
        "docker/web.Dockerfile",
    }
