"""compose-no-healthcheck: compose services others wait for without a healthcheck, and
long-running services without a restart policy.

Reads docker compose files (``compose.yaml``, ``docker-compose.yml``, ``docker-compose.prod.yml``;
not override, development, test or CI variants). A service another service lists in
``depends_on`` (except with ``condition: service_completed_successfully``, a one-shot task)
needs a healthcheck for the dependent to wait until it is ready; with ``condition:
service_healthy`` a missing healthcheck makes ``docker compose up`` fail. A service built
from a local Dockerfile whose stage defines ``HEALTHCHECK`` has one. Services that publish
``ports`` or that others depend on need ``restart:`` (or ``deploy.restart_policy``).
When every dependent already waits for the dependency itself (``nc -z``, ``wait-for-it``,
``dockerize -wait``, ``pg_isready`` or a retry loop in its compose ``command``/``entrypoint``
or in the entrypoint script its image runs, including the init scripts of the project's own
published image that a dependent runs by ``image:``), the missing healthcheck is not reported:
the problem it would solve (dependents reaching the service before it is ready) does not occur.
An in-memory cache or broker that is ready within milliseconds (memcached, Redis, Valkey, KeyDB,
Dragonfly images) is not reported either when every dependent first waits in that way for
another of its dependencies that is not such a cache (a database): that wait outlasts the
cache's start.
Nor is it when every dependent is Traefik with the Docker provider, or nginx reaching the
service through an ``upstream`` of two or more servers (read as text from the config files
the dependent bind-mounts or copies into its image): nginx tries the next server when one
refuses the connection.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import shlex
from collections.abc import Iterable, Iterator
from typing import Any

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.parse.dockerfile import Dockerfile, parse_dockerfile
from optimus.parse.errors import ParseError
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.deploy._image_waits import (
    OwnBuild,
    on_disk,
    own_image_build,
    python_waits,
    read_text,
    start_texts,
)
from optimus.rules.deploy._k8s import is_test_file
from optimus.rules.deploy._yaml_lines import line_of
from optimus.rules.docker._common import stage_chain

_COMPOSE_NAME = re.compile(r"^(?:docker-)?compose((?:\.[a-z0-9_-]+)*)\.ya?ml$")
#: Name parts of compose files that are not how the app runs for real.
_NOT_DEPLOYED = frozenset(
    {"override", "dev", "development", "local", "test", "tests", "testing", "ci", "debug", "e2e"}
)
_DEV_DIRS = frozenset({".devcontainer", "devcontainer", "ci", ".ci", ".github", ".circleci"})
#: Debug logging or a debug/development mode switched on: a development or test setup
#: (Lemmy's `RUST_LOG=...debug`, `DEBUG=1`, `NODE_ENV=development`).
_DEBUG_SETTING = re.compile(
    rb"(?im)^\s*-?\s*[\"']?(?:RUST_LOG\s*[=:][^\n]*\bdebug\b"
    rb"|(?:DEBUG|FLASK_DEBUG|DJANGO_DEBUG)\s*[=:]\s*[\"']?(?:1|true|yes)\b"
    rb"|(?:LOG_LEVEL|LOGLEVEL)\s*[=:]\s*[\"']?debug\b"
    rb"|(?:NODE_ENV|FLASK_ENV|APP_ENV|RAILS_ENV)\s*[=:]\s*[\"']?development\b)"
)
_ONE_SHOT = "service_completed_successfully"
_PROD_NAME = re.compile(r"[.\-_](?:prod|production|deploy|live|release|swarm|stack)[.\-_]")


def is_deployed_compose(src: SourceFile) -> bool:
    """Whether a file is a compose file that describes a deployment (not dev, test or CI)."""
    parts = src.project_path.lower().split("/")
    match = _COMPOSE_NAME.match(parts[-1])
    if match is None or is_test_file(src) or any(p in _DEV_DIRS for p in parts[:-1]):
        return False
    if _DEBUG_SETTING.search(src.data):
        return False
    words = set(re.split(r"[.\-_]", match.group(1).strip(".")))
    return not words & _NOT_DEPLOYED and not has_development_service(src)


#: The files `docker compose` reads by itself from a folder, and the override it layers on
#: top of each (`docker-compose.yml` + `docker-compose.override.yml`).
_DEFAULT_COMPOSE = re.compile(r"^((?:docker-)?compose)(?:\.override)?\.ya?ml$")


def compose_layers(path: str) -> str:
    """The key of the files Compose itself layers into one setup: a folder's default compose
    file with its ``*.override.y(a)ml``. Every other compose file of the folder stands alone:
    `docker-compose.postgres.yml` beside `docker-compose.mariadb.yml` are alternatives, one
    of which is copied or passed with `-f`, not layers of one setup."""
    folder, _, name = path.rpartition("/")
    match = _DEFAULT_COMPOSE.match(name.lower())
    if match is None:
        return path
    return f"{folder}/{match.group(1)}.yaml" if folder else f"{match.group(1)}.yaml"


def _folder(path: str) -> str:
    path = path.strip().rstrip("/")
    while path.startswith("./"):
        path = path[2:]
    return "." if path in ("", ".") else path


#: `build.target` stages that name a development build (`target: development` runs the dev
#: server of a multi-stage Dockerfile whose production stage is another).
_DEV_TARGETS = frozenset({"dev", "develop", "devel", "development"})


def _is_source_folder(path: str) -> bool:
    """A relative path to a folder, not a file (`./app/src`, not `./nginx.conf`)."""
    last = _folder(path).rsplit("/", 1)[-1]
    return path.startswith(".") and ("." not in last.lstrip(".") or last in (".", ".."))


def _develops(service: dict[str, Any]) -> bool:
    """Whether a service is a development one: it builds a development `target`, or
    bind-mounts its own build context, or a source folder inside it, over the image (`build:
    ./app` with `./app:/usr/src/app`, `build: ./frontend` with `./frontend/src:/code/src`):
    live code for development, not a deployment. Inside a context of `.` (the whole folder)
    only the folder itself counts: `./data` or `./nginx` there are data and configuration."""
    build = service.get("build")
    if isinstance(build, dict) and str(build.get("target", "")).lower() in _DEV_TARGETS:
        return True
    context = build.get("context", ".") if isinstance(build, dict) else build
    volumes = service.get("volumes")
    if not isinstance(context, str) or not isinstance(volumes, list):
        return False
    context = _folder(context)
    for volume in volumes:
        source = volume.split(":", 1)[0] if isinstance(volume, str) else None
        if isinstance(volume, dict) and volume.get("type") == "bind":
            source = volume.get("source")
        if not isinstance(source, str) or not source.startswith("."):
            continue
        folder = _folder(source)
        if folder == context or (
            context not in (".", "..")
            and not context.startswith("$")
            and folder.startswith(context + "/")
            and _is_source_folder(source)
        ):
            return True
    return False


def has_development_service(src: SourceFile) -> bool:
    """Whether a compose file runs a development service (see ``_develops``): the file is a
    development setup, not how the app is deployed."""
    try:
        docs = src.yaml
    except ParseError:
        return False
    for doc in docs:
        services = doc.get("services") if isinstance(doc, dict) else None
        for service in services.values() if isinstance(services, dict) else []:
            if isinstance(service, dict) and _develops(service):
                return True
    return False


def _dependencies(service: dict[str, Any]) -> dict[str, str]:
    """The services this one depends on, with the condition it waits for."""
    value = service.get("depends_on")
    if isinstance(value, list):
        return {str(v): "service_started" for v in value if isinstance(v, str)}
    if isinstance(value, dict):
        out = {}
        for name, spec in value.items():
            condition = spec.get("condition") if isinstance(spec, dict) else None
            out[str(name)] = str(condition or "service_started")
        return out
    return {}


def _has_healthcheck(service: dict[str, Any]) -> bool:
    check = service.get("healthcheck")
    if not isinstance(check, dict) or check.get("disable") is True:
        return False
    test = check.get("test")
    return not (test == ["NONE"] or test == "NONE")


def _dockerfile_path(compose_path: str, build: Any) -> tuple[str, str | None] | None:
    """The root-relative Dockerfile a compose ``build`` uses, and its target stage."""
    if isinstance(build, str):
        context, dockerfile, target = build, "Dockerfile", None
    elif isinstance(build, dict):
        context = str(build.get("context", "."))
        dockerfile = str(build.get("dockerfile", "Dockerfile"))
        target = str(build["target"]) if build.get("target") else None
    else:
        return None
    if "://" in context or context.startswith(("/", "$")) or dockerfile.startswith("/"):
        return None
    folder = posixpath.dirname(compose_path)
    return posixpath.normpath(posixpath.join(folder, context, dockerfile)), target


def _image_healthcheck(dockerfile: Dockerfile, target: str | None) -> bool | None:
    """Whether the built stage (or the local stages it builds on) defines a HEALTHCHECK:
    True, False (none, or ``HEALTHCHECK NONE``), None when an external base image may."""
    stage = dockerfile.stage_named(target) if target else dockerfile.final_stage
    seen = []
    while stage is not None and stage not in seen:
        seen.append(stage)
        checks = stage.of("HEALTHCHECK")
        if checks:
            return checks[-1].args.strip().upper() != "NONE"
        parent = dockerfile.stage_named(stage.image)
        stage = parent if parent is not None and parent.index < stage.index else None
    return None


def _built_with_healthcheck(ctx: ProjectContext, src: SourceFile, service: dict[str, Any]) -> bool:
    where = _dockerfile_path(src.path, service.get("build"))
    if where is None:
        return False
    dockerfile = ctx.sources.get(where[0])
    if dockerfile is None or dockerfile.kind != "dockerfile":
        return False
    try:
        return _image_healthcheck(dockerfile.dockerfile, where[1]) is True
    except ParseError:
        return False


#: Commands that wait until another container accepts connections.
_WAIT = re.compile(
    r"\b(?:nc|netcat|ncat)\b[^\n;|&]*\s-\w*z"
    r"|\bwait[-_]for[-_]it\b|\bwait-for(?:\.sh)?\b|\bwait[-_]for[-_](?:db|database|postgres\w*)\b"
    r"|\bdockerize\b[^\n]*\s-wait\b|\bpg_isready\b|\b(?:mysqladmin|mariadb-admin)\b[^\n]*\bping\b"
    r"|/dev/tcp/"
)
#: A retry loop (``until <probe>; do ... sleep``) whose condition probes readiness.
_WAIT_LOOP = re.compile(
    r"^[^\n#]*\b(?:until|while)\b[^\n]*"
    r"(?:ready|alive|ping|connect|curl|wget|psql|mysql|redis-cli|healthy|nc\b)[^\n]*"
    r"(?=[\s\S]{0,400}?\bsleep\b)",
    re.MULTILINE,
)
#: Words of a command that name a script the container runs (``/entrypoint``, ``./start.sh``).
_SCRIPT = re.compile(r"^[\w./-]*/[\w.-]+$|^[\w.-]+\.sh$")


def _text_of(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return value if isinstance(value, str) else ""


def _wait_lines(text: str) -> list[str]:
    """The lines of a command or script that wait for another service."""
    lines = [line.strip() for line in text.splitlines() if _WAIT.search(line)]
    lines += [m.group(0).strip() for m in _WAIT_LOOP.finditer(text)]
    return [line for line in lines if not line.startswith("#")]


def _scripts(command: str) -> list[str]:
    """The script paths a command runs (``/entrypoint``, ``./docker-entrypoint.sh``)."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    return [w for w in words if _SCRIPT.match(w)]


def _script_sources(
    ctx: ProjectContext, context: str, dockerfile: Dockerfile | None, names: list[str]
) -> list[str]:
    """Root-relative paths of the build context's files that these script paths run: by the
    Dockerfile's ``COPY src dest``, else by the only file of that name in the context."""
    copies: list[tuple[str, str]] = []
    for stage in dockerfile.stages if dockerfile else []:
        for ins in stage.of("COPY") + stage.of("ADD"):
            words = [w for w in ins.words if not w.startswith("--")]
            if "from" not in ins.flags and len(words) == 2:
                copies.append((words[0], words[1]))
    under = "" if context in ("", ".") else context + "/"
    found: list[str] = []
    for name in dict.fromkeys(names):
        base = posixpath.basename(name)
        copied = [
            source
            for source, dest in copies
            if dest == name
            or posixpath.basename(dest.rstrip("/")) == base
            or (dest.endswith(("/", ".")) and posixpath.basename(source) == base)
        ]
        if copied:
            found.append(posixpath.normpath(posixpath.join(context, copied[-1])))
            continue
        same = [p for p in ctx.paths if p.startswith(under) and p.rsplit("/", 1)[-1] == base]
        if len(same) == 1:
            found.append(same[0])
        elif not same:
            found.append(posixpath.normpath(posixpath.join(context, base)))  # at its top
    return found


def _built_from(
    ctx: ProjectContext, src: SourceFile, service: dict[str, Any]
) -> tuple[str, Dockerfile | None, str | None, OwnBuild | None] | None:
    """(root-relative build context, its parsed Dockerfile or None, the built stage's name,
    and how the image was found to be the project's own when the service names it by
    ``image:`` instead of building it)."""
    where = _dockerfile_path(src.path, service.get("build"))
    own = None
    if where is not None:
        build = service.get("build")
        context = str(build.get("context", ".")) if isinstance(build, dict) else str(build)
        context = posixpath.normpath(posixpath.join(posixpath.dirname(src.path), context))
    elif isinstance(service.get("image"), str):
        own = own_image_build(ctx, service["image"])
        if own is None:
            return None
        where, context = (own.dockerfile, own.target), own.context or "."
    else:
        return None
    source = ctx.sources.get(where[0])
    try:
        if source is not None:
            dockerfile = source.dockerfile if source.kind == "dockerfile" else None
        else:  # the build context is a project of its own
            text = read_text(ctx, where[0])
            dockerfile = parse_dockerfile(text) if text is not None else None
    except ParseError:
        dockerfile = None
    return context, dockerfile, where[1], own


#: Words that name one kind of backing service, as hosts, variables and tools spell them
#: (``$SQL_HOST``, ``pg_isready``, ``mysqladmin``, ``REDIS_URL``).
_FAMILIES = (
    frozenset({"postgres", "postgresql", "postgis", "timescaledb", "pg", "psql", "sql"})
    | {"db", "database", "psycopg", "psycopg2", "asyncpg"},
    frozenset({"mysql", "mariadb", "sql", "db", "database", "pymysql", "mysqldb"}),
    frozenset({"redis", "valkey", "keydb"}),
    frozenset({"rabbitmq", "rabbit", "amqp", "mq", "broker"}),
    frozenset({"memcached", "memcache"}),
    frozenset({"mongo", "mongodb"}),
    frozenset({"elasticsearch", "opensearch", "elastic", "search"}),
    frozenset({"kafka"}),
)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _hints(dependency: str, service: dict[str, Any]) -> set[str]:
    """Words by which a wait may refer to a dependency: the kinds of service its name or
    image says it is (``db`` and ``postgres:16`` give postgres, pg, sql, database...)."""
    words = _words(dependency)
    image = service.get("image")
    if isinstance(image, str):
        words |= _words(image.split("@")[0].rsplit("/", 1)[-1].split(":")[0])
    return {w for family in _FAMILIES if family & words for w in family}


def _refers_to(line: str, hints: set[str]) -> bool:
    return any(
        w in hints or any(w.startswith(h) for h in hints if len(h) >= 4) for w in _words(line)
    )


def _waits_for(
    ctx: ProjectContext,
    src: SourceFile,
    service: dict[str, Any],
    dependency: str,
    services: dict[str, dict[str, Any]],
) -> str | None:
    """How a service waits for a dependency before it starts (the waiting command and where
    it is), or None. A wait counts when it names the dependency, refers to its kind of
    service (``nc -z $SQL_HOST`` for a ``postgres`` image, ``pg_isready``), or, when the
    service depends on nothing else, names no other service (a host from a variable).
    Waits in the init and service scripts of the image's supervisor (s6-overlay) and in the
    scripts those call must name or refer to the dependency: an image runs many of them."""
    command = f"{_text_of(service.get('entrypoint'))}\n{_text_of(service.get('command'))}"
    texts = [(command, "its compose `command`/`entrypoint`")]
    strict: list[tuple[list[str], str]] = []
    names = _scripts(command)
    built = _built_from(ctx, src, service)
    if built is not None:
        context, dockerfile, target, own = built
        chain = stage_chain(dockerfile, target) if dockerfile is not None else []
        entry_words: list[str] = []
        for keyword in ("ENTRYPOINT", "CMD"):
            if keyword.lower() in service:
                continue  # compose's `entrypoint:`/`command:` replaces the image's
            instructions = next((s.of(keyword) for s in chain if s.of(keyword)), [])
            if instructions:
                entry_words += instructions[-1].words
                text = " ".join(instructions[-1].words)
                texts.append((text, f"the image's {keyword}"))
                names += _scripts(text)
        for path in _script_sources(ctx, context, dockerfile, names):
            text = read_text(ctx, path)
            if text is not None:
                texts.append((text, f"`{path}`"))
        if dockerfile is not None:
            image = f" of the image built from {own.how}" if own is not None else ""
            for start in start_texts(ctx, context, dockerfile, target, entry_words):
                lines = python_waits(start.text) if start.python else _wait_lines(start.text)
                strict.append((lines, f"`{start.path}`{image}"))
    others = [re.escape(s) for s in services if s != dependency]
    own_name = re.compile(rf"(?<![\w-]){re.escape(dependency)}(?![\w-])")
    other = re.compile(rf"(?<![\w-])(?:{'|'.join(others)})(?![\w-])") if others else None
    hints = _hints(dependency, services.get(dependency, {}))
    only = [d for d, c in _dependencies(service).items() if c != _ONE_SHOT] == [dependency]
    candidates = [(_wait_lines(text), origin, only) for text, origin in texts]
    candidates += [(lines, origin, False) for lines, origin in strict]
    for lines, origin, loose in candidates:
        for line in lines:
            names_other = other is not None and other.search(line) is not None
            if (
                own_name.search(line)
                or (not names_other and _refers_to(line, hints))
                or (loose and not names_other)
            ):
                return f"`{_short(line)}` in {origin}"
    return None


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _has_restart(service: dict[str, Any]) -> bool:
    deploy = service.get("deploy")
    return "restart" in service or (isinstance(deploy, dict) and "restart_policy" in deploy)


#: Stateless document converters that applications call per document, through an endpoint
#: setting, long after they start (Gotenberg: office and e-mail to PDF; Apache Tika: text
#: and metadata extraction).
_CONVERTERS = frozenset({"gotenberg", "tika"})
#: An optional-feature endpoint setting (``PAPERLESS_TIKA_GOTENBERG_ENDPOINT``, ``TIKA_URL``).
_ENDPOINT_KEY = re.compile(r"(?:ENDPOINT|URL|URI|HOST|SERVER)S?$", re.IGNORECASE)


def _environment(service: dict[str, Any]) -> dict[str, str]:
    value = service.get("environment")
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        pairs = (str(item).split("=", 1) for item in value)
        return {p[0]: p[1] for p in pairs if len(p) == 2}
    return {}


def _on_demand_converter(
    name: str,
    service: dict[str, Any],
    dependents: list[tuple[str, str]],
    merged: dict[str, dict[str, Any]],
) -> bool:
    """A document converter (Gotenberg, Tika) that every dependent reaches only through an
    endpoint setting naming it (``*_ENDPOINT: http://gotenberg:3000``) and never in its
    start command: it is called per document, not at start, so start order does not
    matter."""
    image = service.get("image")
    if not isinstance(image, str) or _image_name(image) not in _CONVERTERS:
        return False
    host = re.compile(rf"^(?:[a-z][a-z0-9+.-]*://)?{re.escape(name)}(?::\d+)?(?:/|$)")
    for dependent in {d for d, _ in dependents}:
        config = merged.get(dependent, {})
        command = f"{_text_of(config.get('entrypoint'))} {_text_of(config.get('command'))}"
        if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", command):
            return False  # used in its start command
        settings = _environment(config)
        if not any(_ENDPOINT_KEY.search(k) and host.match(v) for k, v in settings.items()):
            return False
    return True


def _image_name(image: str) -> str:
    return image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0].lower()


def _dynamic_proxy(service: dict[str, Any]) -> bool:
    """A Traefik service with the Docker provider: it discovers containers and routes only to
    running ones (and to healthy ones, once they have a healthcheck), whatever the start order."""
    image = service.get("image")
    command = service.get("command")
    text = " ".join(command) if isinstance(command, list) else str(command or "")
    return (
        isinstance(image, str)
        and image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0] == "traefik"
        and "providers.docker" in text
    )


def swarm_deploy(service: dict[str, Any]) -> bool:
    """A `deploy:` section that deploys (replicas, placement, update or restart settings);
    `deploy.resources` alone is also read by plain `docker compose up` on a laptop."""
    deploy = service.get("deploy")
    return isinstance(deploy, dict) and bool(set(deploy) - {"resources"})


@rule
class ComposeNoHealthcheck(Rule):
    name = "compose-no-healthcheck"
    code = "DC001"
    category = Category.RELIABILITY
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    effort = 10
    kinds = frozenset({"yaml", "dockerfile"})
    scope = "project"
    summary = (
        "A compose service that others depend on has no healthcheck, or a long-running "
        "service has no restart policy."
    )
    doc = {
        "What it finds": (
            "In docker compose files (`compose.yaml`, `docker-compose.yml`, "
            "`docker-compose.prod.yml`...; not override, dev, test or CI variants, nor "
            "files under `.devcontainer/`, `ci/` or `.github/`, nor files that switch on "
            "debug logging or a development mode such as `RUST_LOG=...debug`, `DEBUG=1` or "
            "`NODE_ENV=development`, nor files with a development service: one that builds a "
            "`target: development` (or `dev`, `develop`, `devel`) stage, or bind-mounts its own "
            "build context, or a source folder inside it, over the image for live code (`build: "
            "./app` with `./app:/usr/src/app`, `build: ./frontend` with "
            "`./frontend/src:/code/src`)): (1) a service that another service lists in "
            "`depends_on` and that has no `healthcheck` (medium when a dependent waits with "
            "`condition: service_healthy`, low otherwise); a service built from a local Dockerfile "
            "whose stage defines `HEALTHCHECK` has one; (2) a service that publishes `ports` or "
            "that others depend on, with neither `restart:` nor `deploy.restart_policy`, where the "
            "setup is deployed: the file is named for "
            "production (`docker-compose.prod.yml`) or another service already sets a "
            "policy or a Swarm `deploy:` section (`deploy.resources` alone does not count: "
            "plain `docker compose up` reads it too). A service others wait for with `condition: "
            "service_completed_successfully` is a one-shot task and is not reported, nor is "
            "a service whose only dependents are Traefik with the Docker provider (it routes "
            "by discovery, not by start order) or nginx reaching it through an `upstream` "
            "block of two or more servers in the config the dependent bind-mounts "
            "(`./nginx/nginx.conf:/etc/nginx/nginx.conf`, a `conf.d` folder) or its "
            "Dockerfile copies in (`COPY nginx.conf /etc/nginx/`), read as text: nginx "
            "passes a refused connection on to the next server, nor a document converter "
            "(Gotenberg, "
            "Apache Tika) that every dependent reaches only through an endpoint setting in "
            "its `environment:` (`*_ENDPOINT`, `*_URL`... naming the service as host, such "
            "as `PAPERLESS_TIKA_GOTENBERG_ENDPOINT: http://gotenberg:3000`) and never in its "
            "start command: such a service is called per document, long after start, and "
            "start order does not matter to it. When "
            "every dependent already waits for the service by itself (`nc -z`, `wait-for-it`, "
            "`wait-for`, `dockerize -wait`, `pg_isready`, a retry loop with `sleep`) in its "
            "compose `command`/`entrypoint` or in the entrypoint script its image runs (found "
            "through the Dockerfile's `COPY`), the missing healthcheck is not reported: "
            "dependents cannot reach it before it is ready. That includes a dependent that "
            "runs the project's own published image by `image:` (its name is the project's "
            "folder or manifest name, a Dockerfile's `org.opencontainers.image.source` label "
            "names its owner and name, or a compose file of the project builds it under that "
            "name): the rule reads that Dockerfile's start scripts and the init and service "
            "scripts of its supervisor, copied in one by one or as a folder (`COPY "
            "docker/rootfs /` with s6-overlay's `s6-rc.d/*/run`, `services.d`, "
            "`cont-init.d`, `/docker-entrypoint.d`), and the scripts those run; such a wait "
            "must name the service or its kind (`pg_isready`, `mariadb-admin ping`, "
            "`wait-for-redis`, a Python loop that pings or connects and sleeps). An in-memory "
            "cache or broker that accepts connections within milliseconds of starting (a "
            "`memcached`, `redis`, `valkey`, `keydb` or `dragonfly` image) is not reported "
            "when every dependent first waits in such a way for another of its dependencies "
            "that is not such a cache (Zulip's entrypoint waits for PostgreSQL with "
            "`pg_isready`, then migrates): the cache is up long before the dependent starts. "
            "Only the "
            "files Compose layers by itself are merged (a folder's `compose.yaml` or "
            "`docker-compose.yml` with its "
            "`*.override.yml`, which as a development file is not read here); every other "
            "compose file is judged on its own, since the files of one folder are often "
            "alternatives (`docker-compose.postgres.yml` beside `docker-compose.mariadb.yml`). "
            "One finding per service and problem, on the service's line."
        ),
        "Why": (
            "`depends_on` alone only orders container start: Compose starts the dependent "
            "as soon as the dependency's container is running, not when it accepts "
            "connections, so the app's first requests to a database that is still "
            "initialising fail. `condition: service_healthy` waits for the dependency's "
            "healthcheck, and fails when the dependency has none (Compose file reference, "
            "`depends_on` and `healthcheck`). Without a restart policy the default is "
            "`no`: a crashed service stays down until someone restarts it, and it does not "
            "come back after the Docker daemon or the host restarts (Compose file "
            "reference, `restart`). Downtime avoided: not measured."
        ),
        "Example": (
            "```yaml\n"
            "services:\n"
            "  api:\n"
            "    build: .\n"
            "    ports: ['8000:8000']\n"
            "    depends_on: [db]\n"
            "  db:\n"
            "    image: postgres:16\n"
            "```"
        ),
        "Instead": (
            "```yaml\n"
            "services:\n"
            "  api:\n"
            "    build: .\n"
            "    ports: ['8000:8000']\n"
            "    restart: unless-stopped\n"
            "    depends_on:\n"
            "      db: {condition: service_healthy}\n"
            "  db:\n"
            "    image: postgres:16\n"
            "    restart: unless-stopped\n"
            "    healthcheck:\n"
            "      test: ['CMD-SHELL', 'pg_isready -U postgres']\n"
            "      interval: 5s\n"
            "      retries: 10\n"
            "```"
        ),
        "When not to": (
            "Compose files used only for local development or tests (name those "
            "`compose.dev.yaml`, `docker-compose.override.yml`, `docker-compose.test.yml` and the "
            "rule skips them; a file whose service builds a development target or mounts its own "
            "source for live reload is skipped too, as are the Dockerfiles it builds by the "
            "`docker-no-healthcheck` rule). An image from a registry may define its own "
            "`HEALTHCHECK`, which the rule cannot see: suppress the finding then. Likewise when "
            "every dependent's image waits for the service in a start script the rule cannot see "
            "(an image built elsewhere, a wait compiled into the application): the images the "
            "project builds itself, by `build:` or under its own name, are read, and their waits "
            "count. An in-memory cache whose every dependent first waits for a database is not "
            "reported (see above), though the rule cannot see how much data it loads at start: a "
            "Redis that reads gigabytes of snapshot from disk answers `LOADING` until it is done, "
            "so give that one a healthcheck anyway. Other services that the dependents call only "
            "on demand, never at start, need no start ordering either; the rule recognises only "
            "Gotenberg and Tika behind an endpoint setting (a service that stores state, such as "
            "object storage, is reported even behind one). A load balancer over several servers "
            "rides out one that is still starting; the rule recognises nginx `upstream` blocks in "
            "the config files the dependent mounts or copies (not HAProxy, Envoy or configs "
            "generated at start), and an upstream of a single server is still reported: nginx "
            "answers 502 until it is up. Services that `extends` another service inherit its "
            "settings and are not checked."
        ),
    }
    references = (
        Reference(
            "Compose file reference: healthcheck",
            "https://docs.docker.com/reference/compose-file/services/#healthcheck",
        ),
        Reference(
            "Compose file reference: depends_on (conditions)",
            "https://docs.docker.com/reference/compose-file/services/#depends_on",
        ),
        Reference(
            "Compose file reference: restart",
            "https://docs.docker.com/reference/compose-file/services/#restart",
        ),
        Reference(
            "Docker: Control startup and shutdown order in Compose",
            "https://docs.docker.com/compose/how-tos/startup-order/",
        ),
    )

    def check_project(self, ctx: ProjectContext) -> Iterator[Hit]:
        # Compose layers a folder's default file with its override: a service is judged on the
        # union of what those say about it. Other compose files of the folder (alternatives
        # such as `docker-compose.postgres.yml` and `docker-compose.mariadb.yml`) stand alone.
        folders: dict[str, list[tuple[SourceFile, dict[str, Any]]]] = {}
        for src in ctx.of_kind("yaml"):
            if not is_deployed_compose(src) or b"services" not in src.data:
                continue
            try:
                docs = src.yaml
            except ParseError:
                continue
            for doc in docs:
                if isinstance(doc, dict) and isinstance(doc.get("services"), dict):
                    folders.setdefault(compose_layers(src.path), []).append((src, doc))
        for files in folders.values():
            yield from self._check_folder(ctx, files)

    def _check_folder(
        self, ctx: ProjectContext, files: list[tuple[SourceFile, dict[str, Any]]]
    ) -> Iterator[Hit]:
        merged: dict[str, dict[str, Any]] = {}
        sites: dict[str, tuple[SourceFile, dict[str, Any]]] = {}
        sites_define: dict[str, bool] = {}
        waiting: dict[str, list[tuple[str, str]]] = {}
        for src, doc in files:
            for key, service in doc["services"].items():
                if not isinstance(service, dict):
                    continue
                name = str(key)
                merged.setdefault(name, {}).update(service)
                defines = "image" in service or "build" in service
                if name not in sites or (defines and not sites_define.get(name, False)):
                    sites[name] = (src, doc)  # where the service is defined, for its line
                    sites_define[name] = defines
                for dep, condition in _dependencies(service).items():
                    if condition != _ONE_SHOT:
                        waiting.setdefault(dep, []).append((name, condition))
        # Restart policies matter where the setup is deployed, not on a laptop: the file is
        # named for production, or some service already sets a policy (the others then
        # most likely lack one by oversight).
        restart_matters = any(_PROD_NAME.search(src.path.rsplit("/", 1)[-1]) for src, _ in files)
        restart_matters = restart_matters or any(
            _has_restart(service) or swarm_deploy(service) for service in merged.values()
        )
        for name, service in merged.items():
            if "extends" in service:
                continue  # settings come from the extended service
            dependents = waiting.get(name, [])
            if not dependents and "ports" not in service:
                continue
            src, doc = sites[name]
            line = line_of(src, doc, ("services", name))
            if (
                dependents
                and not _has_healthcheck(service)
                and not _built_with_healthcheck(ctx, src, service)
            ):
                if all(
                    _dynamic_proxy(merged.get(d, {}))
                    or (d in sites and _balances(ctx, sites[d][0], merged[d], name))
                    for d, _ in dependents
                ):
                    # Traefik routes by discovery; an nginx upstream of several servers
                    # passes a refused connection on to the next one
                    continue
                healthy = sorted({d for d, c in dependents if c == "service_healthy"})
                # Every dependent waits for it by itself: the healthcheck would only move that
                # wait into Compose (with service_healthy, its absence breaks `up`: not here).
                waits = {} if healthy else _dependents_waiting(ctx, name, dependents, merged, sites)
                on_demand = not healthy and _on_demand_converter(name, service, dependents, merged)
                # An in-memory cache is up in milliseconds; a dependent that first waits for
                # a database (and migrates) cannot reach it before it is ready.
                if not healthy and not waits and not on_demand and instant_cache(service):
                    waits = _waiting_for_another(ctx, name, dependents, merged, sites)
                if not waits and not on_demand:
                    yield Hit(
                        _healthcheck_message(name, service, dependents, healthy),
                        line=line,
                        path=src.path,
                        snippet=f"{name}/healthcheck",
                        severity=Severity.MEDIUM if healthy else None,
                    )
            if restart_matters and not _has_restart(service):
                if "ports" in service:
                    role = "publishes ports"
                else:
                    role = f"is a dependency of {_names(d for d, _ in dependents)}"
                yield Hit(
                    f"service `{name}` {role} but has no `restart:` policy: the default is "
                    f"`no`, so after a crash, a daemon restart or a reboot it stays down "
                    f"until someone starts it. Add `restart: unless-stopped` (or "
                    f"`deploy.restart_policy` under Swarm)",
                    line=line,
                    path=src.path,
                    snippet=f"{name}/restart",
                )


def _dependents_waiting(
    ctx: ProjectContext,
    name: str,
    dependents: list[tuple[str, str]],
    merged: dict[str, dict[str, Any]],
    sites: dict[str, tuple[SourceFile, dict[str, Any]]],
) -> dict[str, str]:
    """How each dependent waits for ``name`` by itself; empty unless all of them do."""
    waits = {}
    for dependent in sorted({d for d, _ in dependents}):
        if dependent not in merged:
            return {}
        how = _waits_for(ctx, sites[dependent][0], merged[dependent], name, merged)
        if how is None:
            return {}
        waits[dependent] = how
    return waits


#: In-memory caches and brokers that accept connections within milliseconds of starting
#: (image names, without registry, owner or tag).
_INSTANT_CACHES = frozenset({"memcached", "redis", "valkey", "keydb", "dragonfly"})


def instant_cache(service: dict[str, Any]) -> bool:
    """Whether a service runs an in-memory cache or broker image that is ready within
    milliseconds of starting (memcached, Redis, Valkey, KeyDB, Dragonfly)."""
    image = service.get("image")
    return isinstance(image, str) and _image_name(image) in _INSTANT_CACHES


def _waiting_for_another(
    ctx: ProjectContext,
    name: str,
    dependents: list[tuple[str, str]],
    merged: dict[str, dict[str, Any]],
    sites: dict[str, tuple[SourceFile, dict[str, Any]]],
) -> dict[str, str]:
    """For an instant-start cache ``name``: how each dependent first waits, by itself, for
    another of its dependencies that is not an instant cache too (a database); empty unless
    all of them do. That wait, and what the dependent does after it, outlasts the cache's
    start, so the dependent cannot reach the cache before it accepts connections."""
    waits = {}
    for dependent in sorted({d for d, _ in dependents}):
        config = merged.get(dependent)
        if config is None or dependent not in sites:
            return {}
        how = None
        for other, condition in sorted(_dependencies(config).items()):
            if other == name or condition == _ONE_SHOT or other not in merged:
                continue
            if instant_cache(merged[other]):
                continue  # waiting for another cache takes no longer than this one's start
            how = _waits_for(ctx, sites[dependent][0], config, other, merged)
            if how is not None:
                break
        if how is None:
            return {}
        waits[dependent] = how
    return waits


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in sorted(set(names)))


def _healthcheck_message(
    name: str, service: dict[str, Any], dependents: list[tuple[str, str]], healthy: list[str]
) -> str:
    image = f" (image `{service['image']}`)" if isinstance(service.get("image"), str) else ""
    if healthy:
        verb = "waits" if len(healthy) == 1 else "wait"
        return (
            f"service `{name}`{image} has no `healthcheck`, yet {_names(healthy)} {verb} for "
            f"it with `condition: service_healthy`: unless the image defines a HEALTHCHECK, "
            f"`docker compose up` fails because the dependency has no healthcheck. Add a "
            f"`healthcheck:` that tests the service is ready (e.g. `pg_isready`, "
            f"`redis-cli ping`)"
        )
    names = sorted({d for d, _ in dependents})
    verb = "depends" if len(names) == 1 else "depend"
    return (
        f"service `{name}`{image} has no `healthcheck`, and {_names(names)} {verb} on it: "
        f"`depends_on` then only waits for its container to start, not until it accepts "
        f"connections, so the first requests to it can fail. Add a `healthcheck:` and use "
        f"`depends_on: {{{name}: {{condition: service_healthy}}}}` in the dependents"
    )


#: An nginx `upstream name { ... }` block (upstream blocks hold no nested braces).
_UPSTREAM = re.compile(r"\bupstream\s+[^\s{]+\s*\{([^{}]*)\}")
_UPSTREAM_SERVER = re.compile(r"(?:^|[;{\s])server\s+([^\s;]+)")
#: nginx configuration files, as mounted or copied (the official image's templates too).
_NGINX_CONF = (".conf", ".conf.template")


def _config_paths(ctx: ProjectContext, path: str) -> list[str]:
    """The nginx config files at a root-relative path: the file, or those in the folder."""
    if path.endswith(_NGINX_CONF):
        return [path]
    under = path.rstrip("/") + "/"
    found = [p for p in ctx.paths if p.startswith(under) and p.endswith(_NGINX_CONF)]
    if not found:  # a build context that is a project of its own: its files are on disk
        folder = on_disk(ctx, path)
        with contextlib.suppress(OSError):
            if folder and os.path.isdir(folder):
                found = [under + n for n in sorted(os.listdir(folder)) if n.endswith(_NGINX_CONF)]
    return found[:50]


def _nginx_configs(ctx: ProjectContext, src: SourceFile, service: dict[str, Any]) -> list[str]:
    """Root-relative paths of the nginx config files a service reads: bind-mounted from the
    compose file's folder (`./nginx/nginx.conf:/etc/nginx/nginx.conf`, `./nginx/conf.d:...`)
    or copied into its image by its Dockerfile (`COPY nginx.conf /etc/nginx/`)."""
    found: list[str] = []
    folder = posixpath.dirname(src.path)
    volumes = service.get("volumes")
    for volume in volumes if isinstance(volumes, list) else []:
        source = volume.split(":", 1)[0] if isinstance(volume, str) else None
        if isinstance(volume, dict) and volume.get("type") == "bind":
            source = volume.get("source")
        if isinstance(source, str) and source.startswith("."):
            found += _config_paths(ctx, posixpath.normpath(posixpath.join(folder, source)))
    built = _built_from(ctx, src, service)
    if built is not None and built[1] is not None:
        context, dockerfile = built[0], built[1]
        for stage in dockerfile.stages:
            for ins in stage.of("COPY") + stage.of("ADD"):
                words = [w for w in ins.words if not w.startswith("--")]
                if "from" in ins.flags or len(words) < 2:
                    continue
                for source in words[:-1]:
                    if "://" not in source and not source.startswith(("/", "$")):
                        joined = posixpath.normpath(posixpath.join(context, source))
                        found += _config_paths(ctx, joined)
    return list(dict.fromkeys(found))


def _balances(ctx: ProjectContext, src: SourceFile, service: dict[str, Any], name: str) -> bool:
    """Whether a dependent reaches ``name`` through an nginx `upstream` of two or more
    servers, in the config it mounts or copies in (text only): nginx passes a connection
    that is refused, as by a server still starting, on to the next server (its default
    `proxy_next_upstream error timeout`), so start order matters little there."""
    for path in _nginx_configs(ctx, src, service):
        text = read_text(ctx, path)
        if not text or "upstream" not in text:
            continue
        text = re.sub(r"#[^\n]*", "", text)
        for block in _UPSTREAM.finditer(text):
            hosts = [
                server.split(":", 1)[0].lower()
                for server in _UPSTREAM_SERVER.findall(block.group(1))
                if not server.startswith("unix:")
            ]
            if len(hosts) >= 2 and name.lower() in hosts:
                return True
    return False
