"""Whether a project is deployed: Dockerfiles, Procfiles, compose files, Kubernetes workloads.

Shared by the dependency rules that treat applications and libraries differently. Files in
folders for development, tests, docs or examples (``.devcontainer/``, ``tests/``...) and
Dockerfiles named for development or tests (``Dockerfile.dev``, ``test.Dockerfile``) are not
evidence of a deployment.
"""

from __future__ import annotations

import posixpath
import re

from optimus.analyze.project_context import ProjectContext

_COMPOSE = re.compile(r"^(?:docker-)?compose(?:[.-][\w-]+)?\.ya?ml$")
#: Files that only deployed applications have (PaaS and serverless descriptors).
_PLATFORM_FILES = frozenset(
    {
        "fly.toml",
        "render.yaml",
        "railway.toml",
        "serverless.yml",
        "serverless.yaml",
        "netlify.toml",
        "chart.yaml",
        "skaffold.yaml",
    }
)
_K8S_WORKLOADS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet", "Rollout"}
)
#: Folders whose Dockerfiles and manifests are for development or tests, not deployment.
NOT_DEPLOY_DIRS = frozenset(
    {".devcontainer", "tests", "test", "testing", "docs", "doc", "examples", "example", "e2e"}
)
#: Dockerfile.dev, test.Dockerfile, Dockerfile.playwright: images for development or tests.
_DEV_DOCKERFILE = re.compile(
    r"(?:^|[/._-])(?:dev|devel|test|tests|ci|e2e|playwright)(?:[/._-]|$)", re.IGNORECASE
)


def local_path(ctx: ProjectContext, path: str) -> str:
    """A root-relative path made relative to the project's folder."""
    return path[len(ctx.prefix) :] if ctx.prefix and path.startswith(ctx.prefix) else path


def root_names(ctx: ProjectContext) -> set[str]:
    """Names of the files directly in the project's folder."""
    return {p for p in (local_path(ctx, path) for path in ctx.paths) if "/" not in p}


def _deploy_dir_ok(local: str) -> bool:
    return not any(part in NOT_DEPLOY_DIRS for part in local.split("/")[:-1])


def deployment_evidence(ctx: ProjectContext) -> str | None:
    """Why the project looks deployed (a Dockerfile, Procfile, compose file...), or None."""
    for src in ctx.of_kind("dockerfile"):
        if _deploy_dir_ok(src.project_path) and not _DEV_DOCKERFILE.search(src.project_path):
            return f"deployed with {src.project_path}"
    for src in ctx.of_kind("procfile"):
        return f"deployed with {src.project_path}"
    for src in ctx.of_kind("yaml"):
        base = posixpath.basename(src.project_path).lower()
        if _COMPOSE.match(base) and _deploy_dir_ok(src.project_path):
            return f"deployed with {src.project_path}"
    for src, obj in ctx.k8s_objects():
        if obj.get("kind") in _K8S_WORKLOADS and _deploy_dir_ok(src.project_path):
            return f"deployed as a Kubernetes {obj['kind']} in {src.project_path}"
    for src in ctx.of_kind("systemd"):
        return f"deployed as the systemd unit {src.project_path}"
    for path in ctx.paths:
        local = local_path(ctx, path)
        if posixpath.basename(local).lower() in _PLATFORM_FILES and _deploy_dir_ok(local):
            return f"deployed with {local}"
    app_yaml = ctx.source("app.yaml")  # Google App Engine, at the root and naming a runtime
    if app_yaml is not None and re.search(rb"^runtime:", app_yaml.data, re.MULTILINE):
        return "deployed with app.yaml"
    return None
