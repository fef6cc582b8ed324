"""dev-server-in-production: a deployment starts a development server.

Reads the commands that start the app in the final stage of Dockerfiles (CMD/ENTRYPOINT,
inherited from the stages it is built FROM), docker compose services (``command``,
``entrypoint``) and Procfiles, and reports development servers: ``uvicorn``/``gunicorn``/
``hypercorn``/``granian`` with ``--reload``, ``fastapi dev``, ``flask run``,
``manage.py runserver``, ``npm``/``yarn``/``pnpm``/``bun`` ``run dev`` and ``next dev``.
Files meant for development are skipped: dev-named Dockerfiles and compose files
(``Dockerfile.dev``, ``docker-compose.dev.yml``, ``compose.override.yml``), files under
``.devcontainer/`` or a ``dev``/``local`` folder, Dockerfiles whose final stage is named for
development or that only development compose files build, and compose services that
bind-mount the source, use ``develop: watch`` or a dev profile, or set a development
environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.parse.errors import ParseError
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.docker._common import compose_services
from optimus.rules.python._commands import (
    ASSIGNMENT,
    COMPOSE_NAME,
    DEV_WORDS,
    LAUNCHERS,
    base_name,
    compose_dockerfile,
    compose_env,
    compose_words,
    in_dev_folder,
    instruction_words,
    is_dev_name,
    segments,
    service_line,
    split_command,
    stage_chain,
    start_instructions,
)

#: Words before the server that only launch it (their options are skipped too).
_LAUNCHERS = LAUNCHERS | {"npx", "pnpx", "bunx"}
_RELOADING = frozenset({"uvicorn", "gunicorn", "hypercorn", "granian"})
_DJANGO = frozenset({"manage.py", "django-admin", "django-admin.py"})
_PACKAGE_MANAGERS = frozenset({"npm", "yarn", "pnpm", "bun"})
#: Where images usually keep the app's code: a host folder mounted there is live-edited code.
_CODE_DIRS = ("/app", "/code", "/src", "/usr/src/app", "/srv/app", "/opt/app", "/workspace")
#: Environment variables whose development value marks a development service.
_ENV_KEYS = ("ENV", "ENVIRONMENT", "APP_ENV", "NODE_ENV", "FLASK_ENV", "DJANGO_ENV", "PYTHON_ENV")

_INSTEAD = {
    "reload": (
        "drop `--reload` (and give uvicorn/gunicorn `--workers N` if the host has several "
        "cores); reloading belongs in development"
    ),
    "fastapi": "use `fastapi run` (production mode, no reload, listens on 0.0.0.0)",
    "flask": (
        "serve the app with a production WSGI server, e.g. `gunicorn -w 4 'app:create_app()'` "
        "or waitress"
    ),
    "django": (
        "serve the project's WSGI/ASGI module with gunicorn or uvicorn, e.g. "
        "`gunicorn -w 4 mysite.wsgi`"
    ),
    "node": (
        "build at image build time (`npm run build`) and start the production server "
        "(`npm start`, `next start`)"
    ),
}
_WHAT = {
    "reload": (
        "runs with `--reload`, a development mode that watches the files and restarts the "
        "server on changes: it uses much more resources and is less stable"
    ),
    "fastapi": "is FastAPI's development mode (auto-reload, listening on 127.0.0.1 by default)",
    "flask": "starts Werkzeug's development server, which Flask says not to use in production",
    "django": (
        "starts Django's development server, which its docs say not to use in a production "
        "setting (not security-audited, not built for performance)"
    ),
    "node": (
        "starts the framework's development server (unoptimised on-demand builds, file "
        "watching, hot reload)"
    ),
}


@dataclass(frozen=True)
class DevServer:
    """A development server found in a command line."""

    command: str
    kind: str  # "reload", "fastapi", "flask", "django" or "node"

    def message(self, where: str) -> str:
        return f"`{self.command}`{where} {_WHAT[self.kind]}; {_INSTEAD[self.kind]}"


def _plain(args: list[str]) -> list[str]:
    return [a for a in args if not a.startswith("-")]


def _in_segment(segment: list[str]) -> DevServer | None:
    first = 0
    while first < len(segment) and (
        ASSIGNMENT.match(segment[first]) or segment[first] in ("exec", "env")
    ):
        first += 1
    i = first
    while i < len(segment):
        word = segment[i]
        base = word.rsplit("/", 1)[-1]
        args = segment[i + 1 :]
        plain = _plain(args)
        shown = " ".join(segment[first:])
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        if base in _RELOADING:
            return DevServer(shown, "reload") if "--reload" in args else None
        if base == "fastapi":
            return DevServer(shown, "fastapi") if plain[:1] == ["dev"] else None
        if base == "flask":
            return DevServer(shown, "flask") if "run" in plain else None
        if base in _DJANGO:
            return (
                DevServer(shown, "django")
                if plain[:1] in (["runserver"], ["runserver_plus"])
                else None
            )
        if base in _PACKAGE_MANAGERS:
            if plain[:1] in (["run"], ["run-script"]):
                plain = plain[1:]
            elif base == "npm":
                return None  # `npm dev` is not an npm command
            return DevServer(shown, "node") if plain[:1] == ["dev"] else None
        if base == "next":
            return DevServer(shown, "node") if plain[:1] == ["dev"] else None
        if (
            ASSIGNMENT.match(word)
            or word.startswith("-")
            or base in _LAUNCHERS
            or (base.startswith("python"))
        ):
            i += 1
            continue
        return None
    return None


def find_dev_server(words: list[str]) -> DevServer | None:
    """The development server a command line starts, if any."""
    for segment in segments(words):
        found = _in_segment(segment)
        if found is not None:
            return found
    return None


def _dev_service(service: dict[str, Any]) -> bool:
    """A compose service set up for development: source mounted, watch, dev profile or env."""
    if "develop" in service:
        return True
    profiles = service.get("profiles")
    if isinstance(profiles, list) and any(str(p).lower() in DEV_WORDS for p in profiles):
        return True
    env = compose_env(service.get("environment"))
    if any(env.get(k, "").strip().lower() in ("dev", "development", "local") for k in _ENV_KEYS):
        return True
    return _mounts_code(service)


def _mounts_code(service: dict[str, Any]) -> bool:
    """A relative folder bind-mounted over the image's code (`.:/app`, `./backend:/code`)."""
    workdir = str(service.get("working_dir", "")).rstrip("/")
    volumes = service.get("volumes")
    for volume in volumes if isinstance(volumes, list) else []:
        if isinstance(volume, dict):
            if volume.get("type") != "bind":
                continue
            source, target = str(volume.get("source", "")), str(volume.get("target", ""))
        else:
            source, _, rest = str(volume).partition(":")
            target = rest.split(":", 1)[0]
        source, target = source.rstrip("/"), target.rstrip("/")
        last = source.rsplit("/", 1)[-1]
        if not source.startswith(".") or ("." in last.lstrip(".") and last not in (".", "..")):
            continue  # a named volume, an absolute path or a single file (a config)
        if (
            source in (".", "..", "")
            or (workdir and (target == workdir or target.startswith(workdir + "/")))
            or any(target == d or target.startswith(d + "/") for d in _CODE_DIRS)
        ):
            return True
    return False


def _compose_hits(src: SourceFile) -> Iterator[Hit]:
    for name, service in compose_services(src):
        if _dev_service(service):
            continue
        words = compose_words(service.get("entrypoint")) + compose_words(service.get("command"))
        found = find_dev_server(words)
        if found is not None:
            yield Hit(
                found.message(f" (compose service `{name}`)"),
                line=service_line(src, name),
                path=src.path,
                snippet=f"compose:{name}",
            )


def _dev_built(ctx: ProjectContext) -> set[str]:
    """Dockerfiles that only development compose files build."""
    dev: set[str] = set()
    other: set[str] = set()
    for src in ctx.of_kind("yaml"):
        if not COMPOSE_NAME.match(base_name(src.path)):
            continue
        development = _dev_compose(src.path)
        for _name, service in compose_services(src):
            if "build" in service:
                built = compose_dockerfile(src.path, service["build"])
                if built:
                    (dev if development or _dev_service(service) else other).add(built)
    return dev - other


def _dev_compose(path: str) -> bool:
    name = base_name(path)
    return is_dev_name(name) or "override" in name or in_dev_folder(path)


def _dockerfile_hits(src: SourceFile) -> Iterator[Hit]:
    try:
        chain = stage_chain(src.dockerfile)
    except ParseError:
        return
    if not chain or (chain[0].alias and is_dev_name(chain[0].alias)):
        return
    entrypoint, cmd = start_instructions(chain)
    parts = [(ins, instruction_words(ins)) for ins in (entrypoint, cmd) if ins is not None]
    found = find_dev_server([w for _, words in parts for w in words])
    if found is None:
        return
    at = next((ins for ins, words in parts if find_dev_server(words)), parts[-1][0])
    yield Hit(
        found.message(f" (the image's {at.keyword})"),
        line=at.line,
        end_line=at.end_line,
        path=src.path,
    )


def _procfile_hits(src: SourceFile) -> Iterator[Hit]:
    try:
        lines = src.lines
    except ParseError:
        return
    for number, line in enumerate(lines, start=1):
        name, sep, command = line.partition(":")
        if not sep or line.lstrip().startswith("#") or not name.strip():
            continue
        command = command.split(" #", 1)[0]  # the shell drops a trailing comment
        found = find_dev_server(split_command(command))
        if found is not None:
            yield Hit(found.message(f" (Procfile `{name.strip()}`)"), line=number, path=src.path)


@rule
class DevServerInProduction(Rule):
    name = "dev-server-in-production"
    code = "PY004"
    category = Category.RELIABILITY
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    effort = 10
    scope = "project"
    summary = "A Dockerfile, compose service or Procfile starts a development server."
    doc = {
        "What it finds": (
            "The command that starts the app, where it runs a development server: the final "
            "stage's CMD/ENTRYPOINT of a Dockerfile (inherited from the stages it is built "
            "FROM), a docker compose service's `command`/`entrypoint`, or a Procfile line. "
            "Development servers: `uvicorn`, `gunicorn`, `hypercorn` or `granian` with "
            "`--reload`; `fastapi dev`; `flask run` (also `python -m flask run`); "
            "`python manage.py runserver` and `runserver_plus`; `npm run dev`, "
            "`yarn dev`, `pnpm dev`, `bun run dev` and `next dev`. Launchers in front "
            "(`poetry run`, `uv run`, `python -m`, `npx`, `sh -c '...'`) are looked through."
        ),
        "Why": (
            "These servers are built for editing code, not for serving users. FastAPI's "
            "docs say `--reload` consumes much more resources and is more unstable, and "
            "that `fastapi dev` is for development only; uvicorn lists `--reload` under its "
            "development settings. Django's `runserver` documentation says in capitals "
            '"DO NOT USE THIS SERVER IN A PRODUCTION SETTING" (it has not gone through '
            "security audits or performance tests), and Flask's deployment docs say not to "
            "use its built-in development server in production. Node frameworks' `dev` "
            "servers compile on demand and watch files instead of serving a production build."
        ),
        "Example": (
            "```dockerfile\n"
            "FROM python:3.12-slim\n"
            "COPY . /app\n"
            'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--reload"]\n'
            "```"
        ),
        "Instead": (
            "```dockerfile\n"
            'CMD ["fastapi", "run", "app/main.py", "--workers", "4"]\n'
            "```\n\n"
            "Drop `--reload`; use `fastapi run` instead of `fastapi dev`; serve Flask and "
            "Django apps with gunicorn (or uvicorn for ASGI); build Node apps at image build "
            "time and start them with `npm start`/`next start`. Keep development commands in "
            "`Dockerfile.dev`, `compose.override.yaml` or a `dev` stage."
        ),
        "When not to": (
            "Images and compose files that are only used for local development but are not "
            "named so. Skipped as development: Dockerfiles named with dev, local, debug, test "
            "or ci (`Dockerfile.dev`, `dev.Dockerfile`), Dockerfiles whose final stage has "
            "such a name or that only development compose files build, "
            "`docker-compose.dev.yml`, `compose.override.yaml`, files under `.devcontainer/` "
            "or a `dev`/`local` folder, and compose services that bind-mount a source folder "
            "(`.:/app`), use `develop: watch`, a dev profile, or set `ENV`/`NODE_ENV`/"
            "`FLASK_ENV`-style variables to development. Commands behind shell conditionals "
            '(`if [ "$ENV" = dev ]; then ...`) and wrapper scripts are not read.'
        ),
    }
    references = (
        Reference(
            "Uvicorn settings: Development (--reload)",
            "https://www.uvicorn.org/settings/#development",
        ),
        Reference(
            "Django: django-admin runserver",
            "https://docs.djangoproject.com/en/5.0/ref/django-admin/#runserver",
        ),
        Reference(
            "Flask: Deploying to Production",
            "https://flask.palletsprojects.com/en/stable/deploying/",
        ),
        Reference(
            "FastAPI CLI (fastapi dev / fastapi run)", "https://fastapi.tiangolo.com/fastapi-cli/"
        ),
        Reference(
            "FastAPI: Run a Server Manually (--reload)",
            "https://fastapi.tiangolo.com/deployment/manually/",
        ),
    )

    def check_project(self, ctx: ProjectContext) -> Iterator[Hit]:
        for src in ctx.of_kind("yaml"):
            if COMPOSE_NAME.match(base_name(src.path)) and not _dev_compose(src.path):
                yield from _compose_hits(src)
        dev_built = _dev_built(ctx)
        for src in ctx.of_kind("dockerfile"):
            if src.path in dev_built or is_dev_name(base_name(src.path)) or in_dev_folder(src.path):
                continue
            yield from _dockerfile_hits(src)
        for src in ctx.of_kind("procfile"):
            if not in_dev_folder(src.path):
                yield from _procfile_hits(src)
