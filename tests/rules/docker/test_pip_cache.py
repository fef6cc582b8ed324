"""docker-pip-cache (DK004): pip and uv installs that keep their cache in the image."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.parse.dockerfile import parse_dockerfile
from optimus.rules.docker._common import run_commands
from optimus.rules.docker.pip_cache import cache_kept
from optimus.testing.harness import assert_rule_matches

RULE = "docker-pip-cache"
FIXTURES = Path(__file__).parent / "pip_cache"


def test_fixtures_match_markers() -> None:
    result = assert_rule_matches(str(FIXTURES), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]


def test_messages_name_the_command_the_cache_and_the_fix() -> None:
    result = assert_rule_matches(str(FIXTURES), RULE)
    pip = next(f for f in result.findings if f.path == "pip/Dockerfile" and f.line == 4)
    assert pip.message.startswith("`pip install -r requirements.txt` keeps pip's")
    assert "~/.cache/pip" in pip.message and "--no-cache-dir" in pip.message
    assert "--mount=type=cache,target=/root/.cache/pip" in pip.message
    uv = next(f for f in result.findings if f.path == "uv/Dockerfile" and f.line == 6)
    assert "`uv sync --frozen --no-install-project`" in uv.message
    assert "--no-cache" in uv.message and "UV_NO_CACHE=1" in uv.message
    heredoc = next(f for f in result.findings if f.path == "pip/Dockerfile" and f.line == 23)
    assert heredoc.end_line == 26 and "`pip install polars`" in heredoc.message
    assert {f.line for f in result.findings if f.path == "stages/Dockerfile"} == {8, 16}


@pytest.mark.parametrize(
    ("command", "env", "tool"),
    [
        ("pip install x", {}, "pip"),
        ("pip3.12 install x", {}, "pip"),
        ("python -m pip install x", {}, "pip"),
        ("pip --no-cache-dir install x", {}, None),
        ("pip install x", {"PIP_NO_CACHE_DIR": "false"}, None),
        ("pip install x", {"PIP_NO_CACHE_DIR": ""}, "pip"),
        ("uv pip sync requirements.txt", {}, "uv"),
        ("uv sync", {"UV_NO_CACHE": "true"}, None),
        ("uv sync", {"UV_NO_CACHE": "0"}, "uv"),
        ("uv --cache-dir /tmp/c sync", {}, "uv"),
        ("uv run pytest", {}, None),
        ("pip wheel .", {}, None),
    ],
)
def test_cache_kept(command: str, env: dict[str, str], tool: str | None) -> None:
    ins = parse_dockerfile(f"FROM x\nRUN {command}\n").instructions[1]
    assert cache_kept(run_commands(ins)[0], env) == tool


def test_a_plain_dockerfile_beside_a_production_one_is_the_development_image() -> None:
    result = assert_rule_matches(str(FIXTURES), RULE)
    paths = {f.path for f in result.findings}
    assert "dev_beside_prod/Dockerfile.prod" in paths
    assert "dev_beside_prod/Dockerfile" not in paths
    # Dockerfile.staging is no production name: the plain Dockerfile beside it still ships.
    assert {"prod_variants/Dockerfile", "prod_variants/Dockerfile.staging"} <= paths


@pytest.mark.parametrize(
    ("siblings", "path", "dev"),
    [
        ({"Dockerfile.prod"}, "app/Dockerfile", True),
        ({"Dockerfile.production"}, "Dockerfile", True),
        ({"prod.Dockerfile"}, "Dockerfile", True),
        ({"Dockerfile-prod"}, "Dockerfile", True),
        ({"Dockerfile_production"}, "Dockerfile", True),
        ({"Dockerfile.prod"}, "app/Dockerfile.worker", False),  # only the plain Dockerfile
        ({"Dockerfile.products"}, "Dockerfile", False),
        ({"Dockerfile.staging", "docker-compose.prod.yml"}, "Dockerfile", False),
        (set(), "Dockerfile", False),
    ],
)
def test_production_sibling(siblings: set[str], path: str, dev: bool) -> None:
    from optimus.parse.source import SourceFile
    from optimus.rules.docker._common import is_dev_image

    src = SourceFile(path, path, "dockerfile", b"FROM python:3.12-slim\n")
    src.siblings = frozenset(siblings)
    assert is_dev_image(src) is dev
