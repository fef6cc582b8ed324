"""docker-no-dockerignore fix: a .dockerignore generated for the stack at the build context."""

from __future__ import annotations

from pathlib import Path

from tests.fix.codemods.conftest import check_fixed, findings_of, propose, write

PY_DOCKERFILE = """\
FROM python:3.12-slim
WORKDIR /app
COPY .env.production ./.env
COPY . .
CMD ["python", "-m", "app"]
"""


def test_python_project_gets_python_entries(tree: Path) -> None:
    files = {
        "svc/Dockerfile": PY_DOCKERFILE,
        "svc/pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n',
        "svc/app/__init__.py": "",
    }
    texts = check_fixed(tree, "docker-no-dockerignore", files)
    assert list(texts) == ["svc/.dockerignore"]
    entries = [x for x in texts["svc/.dockerignore"].splitlines() if x and not x.startswith("#")]
    assert {".git", ".venv", "**/__pycache__", ".pytest_cache", ".env"} <= set(entries)
    assert "node_modules" not in entries and "target" not in entries
    # the Dockerfile copies .env.production by name: `.env.*` would hide it from the build
    assert ".env.*" not in entries
    assert (tree / "svc/Dockerfile").read_text() == PY_DOCKERFILE


def test_compose_context_above_the_dockerfile(tree: Path) -> None:
    files = {
        "compose.yaml": "services:\n  web:\n    build:\n      context: .\n"
        "      dockerfile: docker/web/Dockerfile\n",
        "docker/web/Dockerfile": 'FROM node:20-slim\nCOPY . .\nRUN npm ci\nCMD ["node", "a.js"]\n',
        "package.json": '{"name": "web", "version": "1.0.0"}\n',
        "a.js": "console.log(1)\n",
    }
    texts = check_fixed(tree, "docker-no-dockerignore", files)
    assert list(texts) == [".dockerignore"]
    assert "node_modules\n" in texts[".dockerignore"]


def test_rust_project_ignores_target_unless_copied(tree: Path) -> None:
    files = {
        "Dockerfile": "FROM debian:12-slim\nCOPY target/release/app /app\nCOPY . /src\n"
        'CMD ["/app"]\n',
        "Cargo.toml": '[package]\nname = "app"\nversion = "0.1.0"\n',
        "src/main.rs": "fn main() {}\n",
    }
    texts = check_fixed(tree, "docker-no-dockerignore", files)
    entries = texts[".dockerignore"].splitlines()
    assert "target" not in entries and ".git" in entries


def test_existing_ignore_file_is_refused(tree: Path) -> None:
    write(tree, {"Dockerfile": PY_DOCKERFILE, "requirements.txt": "flask\n"})
    [finding] = findings_of(tree, "docker-no-dockerignore")
    write(tree, {".dockerignore": ".git\n"})
    assert propose(tree, finding) is None


def test_git_kept_when_the_version_comes_from_git(tree: Path) -> None:
    files = {
        "Dockerfile": "FROM python:3.12-slim\nCOPY . /src\nRUN pip install --no-cache-dir /src\n",
        "pyproject.toml": '[build-system]\nrequires = ["hatchling", "hatch-vcs"]\n'
        '[project]\nname = "x"\ndynamic = ["version"]\n',
    }
    texts = check_fixed(tree, "docker-no-dockerignore", files)
    entries = texts[".dockerignore"].splitlines()
    assert ".git" not in entries and ".venv" in entries
