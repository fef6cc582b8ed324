"""docker-no-dockerignore (DK007): whole-context copies without a .dockerignore."""

from __future__ import annotations

import shutil
from pathlib import Path

from optimus.testing.harness import assert_rule_matches, scan_fixture

RULE = "docker-no-dockerignore"
FIXTURES = Path(__file__).parent / "no_dockerignore"


def test_fixtures_match_markers() -> None:
    result = assert_rule_matches(str(FIXTURES), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


def test_messages_name_the_copy_and_the_context() -> None:
    result = assert_rule_matches(str(FIXTURES), RULE)
    by_path = {f.path: f for f in result.findings}
    plain = by_path["plain/Dockerfile"]
    assert plain.line == 6 and plain.message.startswith("`COPY . .` uses the whole build context")
    assert "(`plain/`)" in plain.message and ".git" in plain.message
    assert "Dockerfile.dockerignore" in plain.message
    api = by_path["compose_context/api/Dockerfile"].message
    assert "`compose_context/api/`, the context of compose service `api`" in api
    assert "compose_context/compose.yaml" in api


def test_the_ignore_file_makes_it_quiet(tmp_path: Path) -> None:
    project = tmp_path / "app"
    shutil.copytree(FIXTURES / "plain", project)
    assert [f.rule for f in scan_fixture(str(project), [RULE]).findings] == [RULE]
    (project / ".dockerignore").write_text(".git\n")
    assert not scan_fixture(str(project), [RULE]).findings


def test_named_dockerfile_ignore_file(tmp_path: Path) -> None:
    (tmp_path / "api.Dockerfile").write_text("FROM python:3.12-slim\nCOPY . /app\n")
    (tmp_path / "api.Dockerfile.dockerignore").write_text(".git\n")
    assert not scan_fixture(str(tmp_path), [RULE]).findings
