"""dev-server-in-production: Dockerfiles, compose services and Procfiles, and dev-only files."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.registry import get_rule
from optimus.rules.python.dev_server_in_production import find_dev_server
from optimus.rules.python.uvicorn_single_worker import split_command
from optimus.testing.harness import assert_rule_matches

RULE = "dev-server-in-production"
FIXTURES = Path(__file__).parent / "dev_server_in_production"
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def test_every_fixture_project_is_listed() -> None:
    assert PROJECTS == ["compose_app", "inherited", "procfile_app"]


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_projects(project: str) -> None:
    result = assert_rule_matches(str(FIXTURES / project), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


def test_messages() -> None:
    result = assert_rule_matches(str(FIXTURES / "compose_app"), RULE)
    by_path = {(f.path, f.line): f for f in result.findings}
    docker = by_path["Dockerfile", 6]
    assert "`uvicorn app.main:app --host 0.0.0.0 --reload`" in docker.message
    assert "the image's CMD" in docker.message and "drop `--reload`" in docker.message
    assert docker.severity.value == "high" and docker.code == "PY004"
    django = by_path["compose.yaml", 10]
    assert "compose service `admin`" in django.message
    assert "`python manage.py runserver 0.0.0.0:8000`" in django.message
    assert "gunicorn" in django.message


def test_inherited_cmd_and_procfile() -> None:
    (inherited,) = assert_rule_matches(str(FIXTURES / "inherited"), RULE).findings
    assert "fastapi run" in inherited.message
    (procfile,) = assert_rule_matches(str(FIXTURES / "procfile_app"), RULE).findings
    assert "Procfile `web`" in procfile.message and "comment" not in procfile.message
    assert "Werkzeug" in procfile.message


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        ("uvicorn app:app --reload", "reload"),
        ("poetry run uvicorn app:app --host 0.0.0.0 --reload", "reload"),
        ("python3.12 -m uvicorn app:app --reload", "reload"),
        ("gunicorn --reload -w 2 app:app", "reload"),
        ("hypercorn app:app --reload", "reload"),
        ("fastapi dev main.py", "fastapi"),
        ("python -m flask run --host=0.0.0.0", "flask"),
        ("flask --app app run", "flask"),
        ("python manage.py migrate && python manage.py runserver", "django"),
        ("./manage.py runserver_plus", "django"),
        ("django-admin runserver", "django"),
        ("npm run dev", "node"),
        ("yarn dev", "node"),
        ("pnpm run dev", "node"),
        ("npx next dev -p 3000", "node"),
        ("sh -c 'alembic upgrade head && uvicorn app:app --reload'", "reload"),
        ("exec env PORT=80 next dev", "node"),
    ],
)
def test_dev_servers(command: str, kind: str) -> None:
    found = find_dev_server(split_command(command))
    assert found is not None and found.kind == kind


@pytest.mark.parametrize(
    "command",
    [
        "uvicorn app:app --workers 4",
        "fastapi run main.py",
        "flask db upgrade",
        "python manage.py migrate",
        "gunicorn -w 4 app:app",
        "npm start",
        "npm dev",
        "next start",
        "yarn build",
        "python main.py --reload",
        "echo uvicorn --reload",
        'if [ "$ENV" = dev ]; then uvicorn app:app --reload; else gunicorn app:app; fi',
    ],
)
def test_not_dev_servers(command: str) -> None:
    assert find_dev_server(split_command(command)) is None


def test_rule_metadata() -> None:
    rule = get_rule(RULE)
    assert rule is not None and rule.scope == "project" and not rule.preview
    urls = {r.url for r in rule.references}
    assert "https://www.uvicorn.org/settings/#development" in urls
    assert "https://docs.djangoproject.com/en/5.0/ref/django-admin/#runserver" in urls
    assert "https://flask.palletsprojects.com/en/stable/deploying/" in urls
    assert "https://fastapi.tiangolo.com/fastapi-cli/" in urls
