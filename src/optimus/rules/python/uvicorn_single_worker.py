"""uvicorn-single-worker: a single-host production entry serving the app with one process.

Reads the commands that start an ASGI/WSGI server (``uvicorn``, ``fastapi run``,
``gunicorn``) in the final stage of Dockerfiles, docker compose services, systemd units and
Procfiles, works out how many worker processes they run (``--workers``/``-w``,
``WEB_CONCURRENCY``, a gunicorn config file), and reports the ones that run exactly one
where nothing replicates them (no Kubernetes workload, Helm chart, compose replicas or
managed container service in the project).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.parse.errors import ParseError
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules._purpose import not_for_production
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.docker._common import compose_services, env_pairs
from optimus.rules.python._commands import (
    ASSIGNMENT,
    LAUNCHERS,
    base_name,
    compose_dockerfile,
    compose_env,
    compose_words,
    instruction_words,
    is_dev_name,
    segments,
    service_line,
    split_command,
    stage_chain,
    start_instructions,
)

#: Kubernetes (and Argo, Knative) objects that replicate a container or scale it.
_REPLICATING_KINDS = frozenset(
    {
        "Deployment",
        "StatefulSet",
        "ReplicaSet",
        "DaemonSet",
        "HorizontalPodAutoscaler",
        "Rollout",
        "Kustomization",
    }
)
#: Files whose presence means the project is deployed by an orchestrator.
_ORCHESTRATOR_FILES = frozenset(
    {"chart.yaml", "kustomization.yaml", "kustomization.yml", "skaffold.yaml"}
)
#: Terraform resources that run containers as a scaled service.
_TF_SERVICES = re.compile(
    rb'resource\s+"(?:aws_ecs_service|aws_apprunner_service|google_cloud_run_service|'
    rb"google_cloud_run_v2_service|azurerm_container_app|kubernetes_deployment(?:_v1)?|"
    rb'helm_release)"'
)
_COMPOSE_NAME = re.compile(r"^(?:docker-)?compose(?:\.(?:prod|production))?\.ya?ml$")
_PYTHON = re.compile(r"^python(?:\d+(?:\.\d+)?)?$")
#: Launchers that take one argument (a user) before the command.
_LAUNCHERS_WITH_ARG = frozenset({"gosu", "su-exec"})
_APP = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.()]*$")


@dataclass(frozen=True)
class Server:
    """A server command found in a command line, with what decides its worker count."""

    name: str  # "uvicorn", "gunicorn" or "fastapi run"
    app: str | None
    workers: str | None
    config: bool
    reload: bool
    env: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.name} {self.app}" if self.app else self.name

    @property
    def flag(self) -> str:
        return "-w N" if self.name == "gunicorn" else "--workers N"


def _server_start(segment: list[str]) -> tuple[int, str] | None:
    """Index and name of the server a simple command runs, skipping launchers and env."""
    i = 0
    while i < len(segment):
        word = segment[i]
        base = word.rsplit("/", 1)[-1]
        if base in ("uvicorn", "gunicorn"):
            return i, base
        if base == "fastapi":
            rest = [w for w in segment[i + 1 :] if not w.startswith("-")]
            return (i, "fastapi run") if rest[:1] == ["run"] else None
        if base in _LAUNCHERS_WITH_ARG:
            i += 2
        elif (
            ASSIGNMENT.match(word)
            or word.startswith("-")
            or base in LAUNCHERS
            or _PYTHON.match(base)
        ):
            i += 1
        else:
            return None
    return None


def _option(args: list[str], long: str, short: str | None = None) -> str | None:
    """The value of the last ``--long V``/``--long=V``/``-s V``/``-sV`` option, or None."""
    value: str | None = None
    for i, arg in enumerate(args):
        if arg == long or (short and arg == short):
            value = args[i + 1] if i + 1 < len(args) else ""
        elif arg.startswith(long + "="):
            value = arg.split("=", 1)[1]
        elif short and arg.startswith(short) and not arg.startswith("--") and len(arg) > 2:
            value = arg[len(short) :]
    return value


def find_server(words: list[str]) -> Server | None:
    """The uvicorn / ``fastapi run`` / gunicorn command a command line runs, if any."""
    simple = segments(words)
    env: dict[str, str] = {}
    for segment in simple:
        for word in segment:
            if ASSIGNMENT.match(word):
                key, _, value = word.partition("=")
                env[key] = value
    for segment in simple:
        start = _server_start(segment)
        if start is None:
            continue
        index, name = start
        args = segment[index + 1 :]
        if name == "fastapi run":
            args = args[args.index("run") + 1 :]
        gunicorn = name == "gunicorn"
        app = next((a for a in args if _APP.match(a)), None)
        if name == "fastapi run":
            app = next((a for a in args if not a.startswith("-")), None)
        return Server(
            name=name,
            app=app,
            workers=_option(args, "--workers", "-w" if gunicorn else None),
            config=gunicorn and _option(args, "--config", "-c") is not None,
            reload="--reload" in args,
            env=env,
        )
    return None


def _count(value: str) -> int | None:
    """A literal worker count, or None when it is computed at run time (``$WORKERS``)."""
    text = value.strip().strip("'\"")
    return int(text) if text.isdigit() else None


def single_worker_reason(
    server: Server, env: dict[str, str], config_file: bool = False, platform_sets_env: bool = False
) -> str | None:
    """Why the server runs exactly one worker process, or None when it may run more.

    ``env`` is the environment the deployment sets (the command's own assignments win);
    ``config_file`` tells a gunicorn.conf.py that gunicorn loads by default;
    ``platform_sets_env`` a platform that sets WEB_CONCURRENCY itself (Heroku buildpacks).
    """
    env = {**env, **server.env}
    if server.workers is not None:
        flag = "-w" if server.name == "gunicorn" else "--workers"
        count = _count(server.workers)
        return f"`{flag} {server.workers}`" if count is not None and count <= 1 else None
    if server.name == "gunicorn":
        if server.config or config_file:
            return None
        if "GUNICORN_CMD_ARGS" in env:
            extra = split_command(env["GUNICORN_CMD_ARGS"])
            if _option(extra, "--config", "-c") is not None:
                return None
            workers = _option(extra, "--workers", "-w")
            if workers is not None:
                count = _count(workers)
                return f"`-w {workers}`" if count is not None and count <= 1 else None
    if "WEB_CONCURRENCY" in env:
        count = _count(env["WEB_CONCURRENCY"])
        return "`WEB_CONCURRENCY=1`" if count is not None and count <= 1 else None
    if platform_sets_env:
        return None
    flag = "-w/--workers" if server.name == "gunicorn" else "--workers"
    return f"no `{flag}` and no WEB_CONCURRENCY"


def _message(server: Server, reason: str, where: str = "") -> str:
    text = (
        f"`{server.label}`{where} serves the app with one process ({reason}), so it uses one "
        f"CPU core of the host: on a single host, run about one worker per core with "
        f"`{server.flag}` (or WEB_CONCURRENCY); each worker holds its own copy of the app in "
        f"memory, so large objects such as ML models are loaded N times"
    )
    if server.reload:
        text += "; `--reload` cannot be combined with workers (and is for development)"
    return text


def _replicated(ctx: ProjectContext) -> bool:
    """Whether something in the project runs the app as replicated containers."""
    for _src, obj in ctx.k8s_objects():
        kind, api = obj.get("kind"), str(obj.get("apiVersion"))
        if kind in _REPLICATING_KINDS or (
            kind == "Service" and api.startswith("serving.knative.dev")
        ):
            return True
    if ctx.has_file("Chart.yaml") or any(base_name(p) in _ORCHESTRATOR_FILES for p in ctx.paths):
        return True
    return any(_TF_SERVICES.search(src.data) for src in ctx.of_kind("terraform"))


# --- Dockerfiles -------------------------------------------------------------------------


def _dockerfile_hits(src: SourceFile, config_file: bool, covered: set[str]) -> Iterator[Hit]:
    if src.path in covered or is_dev_name(base_name(src.path)):
        return
    try:
        chain = stage_chain(src.dockerfile)
    except ParseError:
        return
    entrypoint, cmd = start_instructions(chain)
    env: dict[str, str] = {}
    for stage in reversed(chain):
        for ins in stage.of("ENV"):
            env.update(env_pairs(ins.args))
    words = (instruction_words(entrypoint) if entrypoint else []) + (
        instruction_words(cmd) if cmd else []
    )
    server = find_server(words)
    if server is None:
        return
    reason = single_worker_reason(server, env, config_file)
    if reason is None:
        return
    at = entrypoint if entrypoint and find_server(instruction_words(entrypoint)) else cmd
    yield Hit(
        _message(server, reason),
        line=at.line if at else None,
        end_line=at.end_line if at else None,
        path=src.path,
    )


# --- docker compose ----------------------------------------------------------------------

#: A bare uvicorn command: what a Dockerfile's CMD is judged against under compose's env.
_PROBE = Server("uvicorn", None, None, False, False)


def _compose_replicated(service: dict[str, Any]) -> bool:
    """deploy.replicas or scale above 1 (or computed), or a global swarm service."""
    deploy = service.get("deploy")
    values = [service.get("scale")]
    if isinstance(deploy, dict):
        if deploy.get("mode") == "global":
            return True
        values.append(deploy.get("replicas"))
    for value in values:
        if value is None or isinstance(value, bool):
            continue
        count = value if isinstance(value, int) else _count(str(value))
        if count is None or count > 1:
            return True
    return False


def _compose_hits(src: SourceFile, config_file: bool, covered: set[str]) -> Iterator[Hit]:
    for name, service in compose_services(src):
        env = compose_env(service.get("environment"))
        replicated = _compose_replicated(service)
        if "build" in service and (replicated or single_worker_reason(_PROBE, env) is None):
            built = compose_dockerfile(src.path, service["build"])
            if built:
                covered.add(built)
        if replicated:
            continue
        words = compose_words(service.get("entrypoint")) + compose_words(service.get("command"))
        server = find_server(words)
        if server is None:
            continue
        reason = single_worker_reason(server, env, config_file)
        if reason is not None:
            yield Hit(
                _message(server, reason, f" (compose service `{name}`)"),
                line=service_line(src, name),
                path=src.path,
                snippet=f"compose:{name}",
            )


# --- systemd and Procfile ----------------------------------------------------------------


def _systemd_lines(text: str) -> Iterator[tuple[int, str]]:
    """Logical lines of a unit file (backslash continuations joined) with their first line."""
    start, parts = 0, []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not parts:
            start = number
        stripped = raw.strip()
        if stripped.endswith("\\"):
            parts.append(stripped[:-1])
            continue
        parts.append(stripped)
        yield start, " ".join(p for p in parts if p)
        parts = []
    if parts:
        yield start, " ".join(p for p in parts if p)


def _systemd_hits(src: SourceFile, config_file: bool) -> Iterator[Hit]:
    if "@" in base_name(src.path):
        return  # a template unit: one instance per port is replication
    try:
        text = src.text
    except ParseError:
        return
    env: dict[str, str] = {}
    starts: list[tuple[int, str]] = []
    for number, line in _systemd_lines(text):
        key, sep, value = line.partition("=")
        if not sep or line.startswith(("#", ";")):
            continue
        key = key.strip()
        if key == "Environment":
            for word in split_command(value):
                name, _, val = word.partition("=")
                env[name] = val
        elif key == "ExecStart":
            starts.append((number, value.strip().lstrip("-@:+!")))
    for number, command in starts:
        server = find_server(split_command(command))
        reason = single_worker_reason(server, env, config_file) if server else None
        if server and reason:
            yield Hit(_message(server, reason), line=number, path=src.path)


def _procfile_hits(src: SourceFile, config_file: bool) -> Iterator[Hit]:
    try:
        lines = src.lines
    except ParseError:
        return
    for number, line in enumerate(lines, start=1):
        match = re.match(r"^\s*([\w-]+)\s*:\s*(.+)$", line)
        if not match:
            continue
        server = find_server(split_command(match.group(2)))
        # Heroku's (and Dokku's) Python buildpack sets WEB_CONCURRENCY by dyno size, which
        # uvicorn and gunicorn read: only an explicit single worker is one process there.
        reason = single_worker_reason(server, {}, config_file, True) if server else None
        if server and reason:
            yield Hit(_message(server, reason), line=number, path=src.path)


@rule
class UvicornSingleWorker(Rule):
    name = "uvicorn-single-worker"
    fixable = True
    code = "PY002"
    category = Category.PERFORMANCE
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 10
    scope = "project"
    summary = "A single-host production server (uvicorn, fastapi run, gunicorn) runs one process."
    doc = {
        "What it finds": (
            "The command that starts an ASGI/WSGI server with one worker process, where the "
            "project deploys to a single host: the final stage's CMD/ENTRYPOINT of a "
            "Dockerfile, a docker compose service's `command` (docker-compose.yml, "
            "compose.yaml and their `.prod` variants), a systemd unit's `ExecStart`, or a "
            "Procfile line. It counts `uvicorn` and `fastapi run` without `--workers N` "
            "(N > 1), and `gunicorn` without `-w/--workers`, a `-c` config or a "
            "gunicorn.conf.py, in both cases when WEB_CONCURRENCY is not set (Dockerfile "
            "ENV, compose `environment`, systemd `Environment=`, the command itself). "
            "Projects that replicate containers are skipped: a Kubernetes Deployment, "
            "StatefulSet, ReplicaSet, DaemonSet, HorizontalPodAutoscaler, Argo Rollout or "
            "Kustomization, a Knative/Cloud Run Service, a Helm chart, Terraform for ECS, "
            "Cloud Run, App Runner or Container Apps, and compose services with "
            "`deploy.replicas` above 1."
        ),
        "Why": (
            "One Python process runs Python code on one CPU core at a time, so a server with "
            "one worker leaves the other cores of the host idle and queues requests behind "
            "each other once that core is busy. Uvicorn's `--workers` defaults to "
            "`$WEB_CONCURRENCY` or 1, and gunicorn's `workers` to `$WEB_CONCURRENCY` or 1. "
            "FastAPI's deployment guide recommends several worker processes on a single "
            "server, and one process per container only when a cluster (Kubernetes and "
            "similar) replicates the containers. Each worker is a separate process with its "
            "own copy of the application in memory, so memory use grows with the worker "
            'count (FastAPI, "Memory").'
        ),
        "Example": (
            "```dockerfile\n"
            "FROM python:3.12-slim\n"
            "COPY . /app\n"
            'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "80"]\n'
            "```\n"
            "deployed with `docker compose up` on one VM."
        ),
        "Instead": (
            "Run about one worker per CPU core: `uvicorn app.main:app --workers 4`, "
            "`fastapi run --workers 4`, "
            "`gunicorn -w 4 -k uvicorn_worker.UvicornWorker app.main:app`, "
            "or set `WEB_CONCURRENCY` in the environment. Check memory first: a worker that "
            "loads a 2 GB model needs 2 GB more per worker. Or replicate the container "
            "(compose `deploy.replicas`, Kubernetes) and keep one process per container."
        ),
        "When not to": (
            "Projects whose README says they are not for production (teaching "
            "examples) are not reported. "
            "When something outside the project scales the containers (a Kubernetes or "
            "Nomad setup in another repository, a PaaS that runs several instances), one "
            "process per container is the recommended setup: suppress the finding. Also "
            "when the app must run as one process (in-memory state, a model too large to "
            "load twice). Procfiles only fire with an explicit `--workers 1`, because "
            "Heroku's Python buildpack sets WEB_CONCURRENCY by dyno size. Not seen: "
            "`uvicorn.run(...)` inside a Python entry point (`CMD python main.py`), wrapper "
            "shell scripts, Dockerfiles and compose files named for development "
            "(`Dockerfile.dev`), variables from `env_file`/`EnvironmentFile=`, and systemd "
            "template units (`app@.service`), which are treated as replicated."
        ),
        "Fix safety": (
            "Unsafe (applied only with `--unsafe-fixes`). `optimus fix` appends `--workers "
            "${WEB_CONCURRENCY:-$(nproc)}` to the Dockerfile command (an exec-form command "
            'becomes `sh -c "exec ..."` so the variable expands and the server stays PID 1); '
            "each worker holds its own copy of the app in memory. Refused with `--reload`, an "
            "explicit single worker, and in compose files, systemd units and Procfiles."
        ),
    }
    references = (
        Reference(
            "FastAPI: Server Workers - Uvicorn with Workers",
            "https://fastapi.tiangolo.com/deployment/server-workers/",
        ),
        Reference(
            "FastAPI in Containers: One Process per Container",
            "https://fastapi.tiangolo.com/deployment/docker/#one-process-per-container",
        ),
        Reference("Uvicorn: Settings (workers)", "https://www.uvicorn.org/settings/"),
        Reference(
            "Gunicorn: Settings - workers",
            "https://docs.gunicorn.org/en/stable/settings.html#workers",
        ),
        Reference(
            "Heroku: Optimizing Python Application Concurrency (WEB_CONCURRENCY default)",
            "https://devcenter.heroku.com/articles/python-concurrency",
        ),
    )

    def check_project(self, ctx: ProjectContext) -> Iterator[Hit]:
        if _replicated(ctx) or not_for_production(ctx):
            return  # replicated by its manifests, or a project that says it is not for production
        config_file = any(base_name(p) == "gunicorn.conf.py" for p in ctx.paths)
        covered: set[str] = set()
        for src in ctx.of_kind("yaml"):
            if _COMPOSE_NAME.match(base_name(src.path)):
                yield from _compose_hits(src, config_file, covered)
        for src in ctx.of_kind("dockerfile"):
            yield from _dockerfile_hits(src, config_file, covered)
        for src in ctx.of_kind("systemd"):
            yield from _systemd_hits(src, config_file)
        for src in ctx.of_kind("procfile"):
            yield from _procfile_hits(src, config_file)
