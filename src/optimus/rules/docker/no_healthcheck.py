"""docker-no-healthcheck: an image run by docker compose has no health check anywhere.

Only images that Docker itself runs are judged: a compose service builds the Dockerfile
(``build:`` as a string, or ``context`` + ``dockerfile``, resolved relative to the compose
file) and serves something (``ports``/``expose`` in compose, or ``EXPOSE`` in the image). It
fires when neither the Dockerfile's final stage (nor a stage it is built FROM) has a
HEALTHCHECK, nor any compose service of that name in that folder (overrides included) has a
``healthcheck:``. Projects with Kubernetes manifests, a Helm chart, Kustomize or Skaffold are
skipped: Kubernetes ignores HEALTHCHECK and uses its own probes.
"""

from __future__ import annotations

from collections.abc import Iterator

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.parse.errors import ParseError
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.deploy.compose_no_healthcheck import is_deployed_compose, swarm_deploy
from optimus.rules.docker._common import (
    ComposeBuild,
    compose_builds,
    compose_services,
    folder_of,
    has_dev_words,
    is_compose_file,
    is_dev_image,
    is_template,
    stage_chain,
)

_ORCHESTRATOR_FILES = frozenset(
    {"chart.yaml", "kustomization.yaml", "kustomization.yml", "skaffold.yaml", "skaffold.yml"}
)


def _orchestrated(ctx: ProjectContext) -> bool:
    """Whether the project deploys to Kubernetes (manifests, Helm, Kustomize, Skaffold)."""
    if any(p.rsplit("/", 1)[-1].lower() in _ORCHESTRATOR_FILES for p in ctx.paths):
        return True
    return next(iter(ctx.k8s_objects()), None) is not None


def _health_checked_services(ctx: ProjectContext) -> set[tuple[str, str]]:
    """(compose folder, service) pairs that define a healthcheck in any compose file."""
    found: set[tuple[str, str]] = set()
    for src in ctx.of_kind("yaml"):
        if is_compose_file(src):
            for name, service in compose_services(src):
                if "healthcheck" in service:
                    found.add((folder_of(src.path), name))
    return found


def _serves(build: ComposeBuild, exposes: bool) -> bool:
    """Published or exposed ports; the image's EXPOSE counts unless compose runs another
    command in it (a worker started from the web image serves nothing)."""
    if build.config.get("ports") or build.config.get("expose"):
        return True
    overridden = "command" in build.config or "entrypoint" in build.config
    return exposes and not overridden


def _depended_on(build: ComposeBuild) -> bool:
    """Whether another service of the same compose file lists this one in ``depends_on``."""
    try:
        docs = build.compose.yaml
    except ParseError:
        return False
    for doc in docs:
        services = doc.get("services") if isinstance(doc, dict) else None
        if not isinstance(services, dict):
            continue
        for name, service in services.items():
            if str(name) == build.service or not isinstance(service, dict):
                continue
            deps = service.get("depends_on")
            if isinstance(deps, (list, dict)) and build.service in {str(d) for d in deps}:
                return True
    return False


def _health_consumed(build: ComposeBuild) -> bool:
    """Whether anything would read the service's health: a dependent, a restart policy or
    Swarm's ``deploy:`` (a long-running, deployed service). A one-service sample that is
    started by hand and watched in the terminal has no consumer for it."""
    restart = build.config.get("restart")
    if restart not in (None, "no", False) or swarm_deploy(build.config):
        return True
    return _depended_on(build)


@rule
class DockerNoHealthcheck(Rule):
    name = "docker-no-healthcheck"
    code = "DK006"
    category = Category.RELIABILITY
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    effort = 10
    kinds = frozenset({"dockerfile", "yaml"})
    scope = "project"
    summary = "A service image run by docker compose has no health check."
    doc = {
        "What it finds": (
            "A Dockerfile built by a docker compose service (`build: ./api`, or "
            "`build: {context, dockerfile}`) that serves something (`ports`/`expose` in "
            "compose, or `EXPOSE` in the image when compose does not replace its command), "
            "where neither the final stage of the Dockerfile "
            "(or a stage it is built FROM) has a `HEALTHCHECK` nor the compose service (in "
            "any compose file of that folder, overrides included) has a `healthcheck:`. "
            "Projects with Kubernetes manifests, a Helm chart, Kustomize or Skaffold files "
            "are not reported, nor compose files named for development or tests "
            "(`docker-compose.dev.yml`, `compose.test.yaml`, `compose.override.yml`) or "
            "development Dockerfiles, nor services run with compose watch (`develop:`). "
            "Something must read the health status: another service `depends_on` the "
            "service, or it has a restart policy or a Swarm `deploy:` section (a one-service "
            "sample started by hand has no consumer for it). A compose `build.target` is "
            "followed: the stage it names is the image that runs."
        ),
        "Why": (
            "Without a health check Docker only knows whether the process is running: a "
            "server stuck in a loop or unable to reach its database still shows as up. With "
            "one, `docker ps` shows `healthy`/`unhealthy`, compose can start dependants with "
            "`depends_on: condition: service_healthy`, and Swarm replaces unhealthy tasks. "
            "Kubernetes does not use the image's HEALTHCHECK (it has liveness, readiness and "
            "startup probes), which is why projects deployed there are skipped; hadolint "
            "(DL3057) and Checkov (CKV_DOCKER_2) ask for HEALTHCHECK everywhere, which is "
            "noise for Kubernetes images."
        ),
        "Example": (
            "```yaml\n# compose.yaml\nservices:\n  api:\n    build: .\n    ports: "
            '["8000:8000"]\n```\n\nwith a Dockerfile that has no `HEALTHCHECK`.'
        ),
        "Instead": (
            "```dockerfile\nHEALTHCHECK --interval=30s --timeout=3s --retries=3 \\\n"
            "  CMD curl -fsS http://localhost:8000/health || exit 1\n```\n\n"
            "or in compose:\n\n```yaml\n    healthcheck:\n      test: "
            '["CMD", "curl", "-fsS", "http://localhost:8000/health"]\n      interval: 30s\n```'
            "\n\nIn slim images without curl, use the runtime itself (`python -c` with "
            "urllib, `wget -q --spider` on Alpine) or a small static probe binary."
        ),
        "When not to": (
            "Images run by an orchestrator kept in another repository (Kubernetes, Nomad, "
            "ECS with task-definition health checks), one-shot jobs, and services whose "
            "health is watched from outside (a load balancer's checks)."
        ),
    }
    references = (
        Reference(
            "Dockerfile reference: HEALTHCHECK",
            "https://docs.docker.com/reference/dockerfile/#healthcheck",
        ),
        Reference(
            "Docker Compose: services, healthcheck",
            "https://docs.docker.com/reference/compose-file/services/#healthcheck",
        ),
        Reference(
            "Kubernetes: Liveness, Readiness, and Startup Probes",
            "https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/",
        ),
    )

    def check_project(self, ctx: ProjectContext) -> Iterator[Hit]:
        if _orchestrated(ctx):
            return
        checked = _health_checked_services(ctx)
        by_dockerfile: dict[str, list[ComposeBuild]] = {}
        for build in compose_builds(ctx):
            name = build.compose.path.rsplit("/", 1)[-1]
            if has_dev_words(name) or "override" in name.lower():
                continue  # compose.override.yml is where compose puts development settings
            if not is_deployed_compose(build.compose):
                continue  # CI folders, debug settings: the same test as compose-no-healthcheck
            by_dockerfile.setdefault(build.dockerfile, []).append(build)
        for path, builds in by_dockerfile.items():
            src = ctx.sources.get(path)
            if src is None or src.kind != "dockerfile" or is_dev_image(src) or is_template(src):
                continue
            if any((folder_of(b.compose.path), b.service) in checked for b in builds):
                continue
            target = builds[0].config.get("build")
            target = target.get("target") if isinstance(target, dict) else None
            try:
                chain = stage_chain(src.dockerfile, str(target) if target else None)
            except ParseError:
                continue
            if not chain or any(stage.of("HEALTHCHECK") for stage in chain):
                continue
            exposes = any(stage.of("EXPOSE") for stage in chain)
            # `develop:` (compose watch) marks a service run for development.
            serving = [
                b
                for b in builds
                if _serves(b, exposes) and "develop" not in b.config and _health_consumed(b)
            ]
            if not serving:
                continue
            first = serving[0]
            others = f" and {len(serving) - 1} more" if len(serving) > 1 else ""
            yield Hit(
                f"the image of compose service `{first.service}` ({first.compose.path}){others} "
                "has no HEALTHCHECK and the service sets no `healthcheck:`, so Docker only "
                "knows whether the process runs, not whether it answers: `docker ps` shows no "
                "health, `depends_on: condition: service_healthy` cannot wait for it and Swarm "
                "cannot replace a hung task. Add a HEALTHCHECK to the final stage or a "
                "`healthcheck:` to the service",
                line=chain[0].from_instruction.line,
                path=path,
            )
