"""Stack detection: languages, frameworks, package managers, lockfiles, infrastructure.

Frameworks come from two places: the project's manifests (declared dependencies) and the
imports its code makes (collected during analysis, from the same bytes, without running it).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable

from optimus.discover.walk import STRONG_MARKERS, FileEntry
from optimus.model import LanguageStats, Stack
from optimus.parse.kinds import is_dockerfile_name

#: Dependency or import name (normalized: lower case, "_" as "-") to framework label.
FRAMEWORKS = {
    # Python
    "fastapi": "FastAPI",
    "flask": "Flask",
    "django": "Django",
    "starlette": "Starlette",
    "celery": "Celery",
    "sqlalchemy": "SQLAlchemy",
    "torch": "PyTorch",
    "tensorflow": "TensorFlow",
    "transformers": "Transformers",
    "pydantic": "Pydantic",
    "aiohttp": "aiohttp",
    "uvicorn": "Uvicorn",
    "gunicorn": "Gunicorn",
    "pandas": "pandas",
    "numpy": "NumPy",
    "scikit-learn": "scikit-learn",
    "sklearn": "scikit-learn",
    "alembic": "Alembic",
    "psycopg": "psycopg",
    "psycopg2": "psycopg2",
    "redis": "Redis",
    "httpx": "HTTPX",
    "requests": "Requests",
    # Rust
    "tokio": "tokio",
    "axum": "axum",
    "actix-web": "actix-web",
    "rocket": "Rocket",
    "serde": "serde",
    "reqwest": "reqwest",
    "sqlx": "sqlx",
    "diesel": "Diesel",
    "hyper": "hyper",
    "warp": "warp",
    "tonic": "tonic",
    # JavaScript / TypeScript
    "express": "Express",
    "next": "Next.js",
    "react": "React",
    "vue": "Vue",
    "@angular/core": "Angular",
    "@nestjs/core": "NestJS",
    "fastify": "Fastify",
    "koa": "Koa",
    "svelte": "Svelte",
    "prisma": "Prisma",
    "@prisma/client": "Prisma",
    "typeorm": "TypeORM",
    "vite": "Vite",
}

_LOCKFILES = {
    "Cargo.lock": "cargo",
    "package-lock.json": "npm",
    "npm-shrinkwrap.json": "npm",
    "yarn.lock": "yarn",
    "pnpm-lock.yaml": "pnpm",
    "bun.lockb": "bun",
    "poetry.lock": "poetry",
    "uv.lock": "uv",
    "pdm.lock": "pdm",
    "Pipfile.lock": "pipenv",
    "go.sum": "go",
    "Gemfile.lock": "bundler",
    "composer.lock": "composer",
}

_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", re.MULTILINE)


def normalize(name: str) -> str:
    """A dependency name in the form FRAMEWORKS uses (PEP 503-like)."""
    return re.sub(r"[-_.]+", "-", name.strip().lower())


def _pep508_names(items: Iterable[object]) -> set[str]:
    names = set()
    for item in items:
        if isinstance(item, str):
            match = _REQ_NAME.match(item)
            if match:
                names.add(normalize(match.group(1)))
    return names


def manifest_dependencies(abspath: str, name: str) -> tuple[set[str], str | None]:
    """Dependency names declared by one manifest, and the package manager it implies."""
    try:
        with open(abspath, "rb") as fh:
            data = fh.read(2_000_000)
    except OSError:
        return set(), None
    try:
        if name == "pyproject.toml":
            doc = tomllib.loads(data.decode("utf-8"))
            project = doc.get("project", {})
            deps = _pep508_names(project.get("dependencies", []))
            for group in project.get("optional-dependencies", {}).values():
                deps |= _pep508_names(group)
            for group in doc.get("dependency-groups", {}).values():
                deps |= _pep508_names(group)
            poetry = doc.get("tool", {}).get("poetry", {})
            deps |= {normalize(k) for k in poetry.get("dependencies", {})}
            manager = "poetry" if poetry else "uv" if "uv" in doc.get("tool", {}) else "pip"
            return deps, manager
        if name.startswith("requirements") or name == "Pipfile":
            text = data.decode("utf-8", "replace")
            lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith(("-", "#"))]
            return _pep508_names(lines), "pipenv" if name == "Pipfile" else "pip"
        if name == "Cargo.toml":
            doc = tomllib.loads(data.decode("utf-8"))
            deps: set[str] = set()
            for section in ("dependencies", "dev-dependencies", "build-dependencies"):
                deps |= {normalize(k) for k in doc.get(section, {})}
            deps |= {normalize(k) for k in doc.get("workspace", {}).get("dependencies", {})}
            return deps, "cargo"
        if name == "package.json":
            doc = json.loads(data)
            deps = set()
            for section in ("dependencies", "devDependencies", "peerDependencies"):
                value = doc.get(section, {})
                if isinstance(value, dict):
                    deps |= {k.lower() for k in value}
            return deps, "npm"
    except (ValueError, UnicodeDecodeError, AttributeError, TypeError):
        return set(), None
    return set(), None


def _infrastructure(path: str) -> str | None:
    lower = path.lower()
    base = lower.rsplit("/", 1)[-1]
    if is_dockerfile_name(base):
        return "Dockerfile"
    if base in ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml"):
        return "Docker Compose"
    if "/.github/workflows/" in f"/{lower}" and base.endswith((".yml", ".yaml")):
        return "GitHub Actions"
    if base == "chart.yaml":
        return "Helm"
    if base.endswith(".tf"):
        return "Terraform"
    if base == "procfile":
        return "Procfile"
    if base.endswith(".service"):
        return "systemd"
    return None


def detect_stack(
    project_path: str,
    files: list[FileEntry],
    languages: dict[str, LanguageStats],
    imports: set[str],
    k8s_files: Iterable[str] = (),
) -> Stack:
    """The stack of one project from its files, their language counts and their imports."""
    stack = Stack(languages=dict(sorted(languages.items(), key=lambda kv: -kv[1].lines)))
    frameworks: set[str] = set()
    managers: list[str] = []
    infra: set[str] = set()
    prefix = "" if project_path == "." else project_path + "/"
    for entry in files:
        local = entry.path[len(prefix) :]
        base = local.rsplit("/", 1)[-1]
        if "/" not in local:
            if base in _LOCKFILES:
                stack.lockfiles.append(base)
                managers.append(_LOCKFILES[base])
            if base in STRONG_MARKERS or (
                base.startswith("requirements") and base.endswith(".txt")
            ):
                stack.manifests.append(base)
                deps, manager = manifest_dependencies(entry.abspath, base)
                frameworks |= {FRAMEWORKS[d] for d in deps if d in FRAMEWORKS}
                if manager:
                    managers.append(manager)
            managers += {"go.mod": ["go"], "pom.xml": ["maven"], "Gemfile": ["bundler"]}.get(
                base, []
            )
            if base.startswith("build.gradle"):
                managers.append("gradle")
        kind = _infrastructure(local)
        if kind:
            infra.add(kind)
    if any(True for _ in k8s_files):
        infra.add("Kubernetes")
    frameworks |= {FRAMEWORKS[normalize(i)] for i in imports if normalize(i) in FRAMEWORKS}
    stack.frameworks = sorted(frameworks)
    stack.package_managers = sorted(set(managers))
    stack.lockfiles.sort()
    stack.manifests.sort()
    stack.infrastructure = sorted(infra)
    return stack
