"""uvicorn-single-worker: fixture projects per deploy target, plus command-line parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.registry import get_rule
from optimus.rules.python.uvicorn_single_worker import (
    find_server,
    single_worker_reason,
    split_command,
)
from optimus.testing.harness import assert_rule_matches

RULE = "uvicorn-single-worker"
FIXTURES = Path(__file__).parent / "uvicorn_single_worker"
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def test_every_fixture_project_is_listed() -> None:
    assert PROJECTS == [
        "compose_replicas",
        "compose_single_host",
        "gunicorn_conf",
        "gunicorn_systemd",
        "helm_chart",
        "k8s_deployment",
        "multi_stage",
        "procfile",
        "teaching_example",
        "web_concurrency_env",
    ]


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_projects(project: str) -> None:
    result = assert_rule_matches(str(FIXTURES / project), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


@pytest.mark.parametrize(
    "project",
    [
        "compose_replicas",
        "gunicorn_conf",
        "helm_chart",
        "k8s_deployment",
        "teaching_example",
        "web_concurrency_env",
    ],
)
def test_replicated_or_configured_projects_are_quiet(project: str) -> None:
    assert not assert_rule_matches(str(FIXTURES / project), RULE).findings


def test_message_for_dockerfile() -> None:
    result = assert_rule_matches(str(FIXTURES / "compose_single_host"), RULE)
    finding = next(f for f in result.findings if f.path == "Dockerfile")
    assert finding.line == 6
    assert "`uvicorn app.main:app`" in finding.message
    assert "one process" in finding.message
    assert "--workers N" in finding.message and "WEB_CONCURRENCY" in finding.message
    assert "own copy of the app in memory" in finding.message
    assert finding.code == "PY002" and finding.severity.value == "medium"
    admin = next(f for f in result.findings if "`admin`" in f.message)
    assert "--reload" in admin.message


def test_gunicorn_message_suggests_w_flag() -> None:
    result = assert_rule_matches(str(FIXTURES / "gunicorn_systemd"), RULE)
    (finding,) = result.findings
    assert finding.path == "deploy/app.service"
    assert "`gunicorn app.wsgi:application`" in finding.message
    assert "`-w N`" in finding.message


def _reason(command: str, env: dict[str, str] | None = None) -> str | None:
    server = find_server(split_command(command))
    assert server is not None, command
    return single_worker_reason(server, env or {})


@pytest.mark.parametrize(
    "command",
    [
        "uvicorn app:app",
        "uvicorn app:app --workers 1",
        "python -m uvicorn app:app --host 0.0.0.0",
        "poetry run uvicorn app:app",
        "exec /venv/bin/uvicorn app:app --reload",
        "fastapi run main.py",
        "gunicorn app:app",
        "gunicorn -w1 app:app",
        "opentelemetry-instrument gunicorn -k uvicorn.workers.UvicornWorker app:app",
        "sh -c 'alembic upgrade head && uvicorn app:app'",
    ],
)
def test_single_worker_commands(command: str) -> None:
    assert _reason(command) is not None


@pytest.mark.parametrize(
    ("command", "env"),
    [
        ("uvicorn app:app --workers 4", {}),
        ("uvicorn app:app --workers=4", {}),
        ("uvicorn app:app --workers $WORKERS", {}),
        ("fastapi run main.py --workers 2", {}),
        ("gunicorn -w 4 app:app", {}),
        ("gunicorn --workers=3 app:app", {}),
        ("gunicorn -c gunicorn_conf.py app:app", {}),
        ("uvicorn app:app", {"WEB_CONCURRENCY": "4"}),
        ("uvicorn app:app", {"WEB_CONCURRENCY": "${CPUS}"}),
        ("WEB_CONCURRENCY=4 uvicorn app:app", {}),
        ("gunicorn app:app", {"GUNICORN_CMD_ARGS": "--workers 4"}),
    ],
)
def test_multi_worker_commands(command: str, env: dict[str, str]) -> None:
    assert _reason(command, env) is None


@pytest.mark.parametrize(
    "command",
    ["pip install uvicorn", "python main.py", "fastapi dev main.py", "celery -A app worker"],
)
def test_not_a_server_start(command: str) -> None:
    assert find_server(split_command(command)) is None


def test_rule_metadata() -> None:
    rule = get_rule(RULE)
    assert rule is not None and rule.scope == "project"
    assert {"What it finds", "Why", "Example", "Instead", "When not to"} <= set(rule.doc)
    urls = {r.url for r in rule.references}
    assert "https://fastapi.tiangolo.com/deployment/server-workers/" in urls
    assert "https://docs.gunicorn.org/en/stable/settings.html#workers" in urls
