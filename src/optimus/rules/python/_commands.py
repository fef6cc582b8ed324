"""Reading start commands out of Dockerfiles, compose files and Procfiles.

Command segments and launchers, the final stage's chain and its ENTRYPOINT/CMD, compose
service lines: shared by the Python deployment rules (``uvicorn_single_worker``,
``dev_server_in_production``). Shell words and compose services come from the Docker rules'
helpers. This module registers no rule.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from optimus.parse.dockerfile import Dockerfile, Instruction, Stage
from optimus.parse.source import SourceFile
from optimus.rules.docker._common import service_key_line
from optimus.rules.docker._common import split_words as split_command

ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&"})
#: Words in a file or stage name that mark it as meant for development or tests.
DEV_WORDS = frozenset({"dev", "development", "test", "tests", "ci", "local", "debug"})
COMPOSE_NAME = re.compile(r"^(?:docker-)?compose(?:[.\-_][\w.\-]+)?\.ya?ml$")
#: Commands that start the command given after them (their options are skipped too).
LAUNCHERS = frozenset(
    {
        "exec",
        "env",
        "uv",
        "poetry",
        "pipenv",
        "pdm",
        "hatch",
        "rye",
        "run",
        "newrelic-admin",
        "run-program",
        "opentelemetry-instrument",
        "ddtrace-run",
        "dumb-init",
        "tini",
        "nice",
        "-m",
    }
)


def segments(words: list[str]) -> list[list[str]]:
    """Simple commands of a command line: split on `&&`, `;`, `|`; `sh -c "..."` opened."""
    out: list[list[str]] = [[]]
    for word in words:
        if ASSIGNMENT.match(word):
            out[-1].append(word)  # VAR="a b" keeps its spaces
        elif any(c.isspace() for c in word):
            out += segments(split_command(word))
            out.append([])
        elif word in _SEPARATORS:
            out.append([])
        elif word.endswith(";"):
            out[-1].append(word[:-1])
            out.append([])
        else:
            out[-1].append(word)
    return [s for s in out if s]


def stage_chain(dockerfile: Dockerfile) -> list[Stage]:
    """The final stage, then the earlier stages it is built FROM, closest first."""
    chain: list[Stage] = []
    stage = dockerfile.final_stage
    while stage is not None and stage not in chain:
        chain.append(stage)
        parent = dockerfile.stage_named(stage.image)
        stage = parent if parent is not None and parent.index < stage.index else None
    return chain


def start_instructions(chain: list[Stage]) -> tuple[Instruction | None, Instruction | None]:
    """The ENTRYPOINT and CMD a stage chain runs: the last of each in the closest stage."""
    entrypoint = cmd = None
    for stage in chain:
        entrypoint = entrypoint or next(iter(stage.of("ENTRYPOINT")[::-1]), None)
        cmd = cmd or next(iter(stage.of("CMD")[::-1]), None)
    return entrypoint, cmd


def instruction_words(ins: Instruction) -> list[str]:
    """A CMD/ENTRYPOINT as words: the exec form's items, or the shell form split."""
    form = ins.exec_form
    return form if form is not None else split_command(ins.args)


def base_name(path: str) -> str:
    """The lower-case file name of a path."""
    return path.rsplit("/", 1)[-1].lower()


def is_dev_name(name: str) -> bool:
    """Dockerfile.dev, dev.Dockerfile, docker-compose.local.yml, a stage named `debug`..."""
    return bool(set(re.split(r"[.\-_]", name.lower())) & DEV_WORDS)


def in_dev_folder(path: str) -> bool:
    """Under .devcontainer/ or a folder named dev, development, local..."""
    folders = [p.lower() for p in path.split("/")[:-1]]
    return any(f == ".devcontainer" or f in DEV_WORDS for f in folders)


def compose_words(value: Any) -> list[str]:
    """A compose ``command``/``entrypoint`` (a string or a list) as words."""
    if isinstance(value, str):
        return split_command(value)
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def compose_env(value: Any) -> dict[str, str]:
    """A service's ``environment`` (a mapping or a list of ``K=V``)."""
    env: dict[str, str] = {}
    if isinstance(value, dict):
        env = {str(k): "" if v is None else str(v) for k, v in value.items()}
    elif isinstance(value, list):
        for item in value:
            key, _, val = str(item).partition("=")
            env[key] = val
    return env


def compose_dockerfile(compose_path: str, build: Any) -> str | None:
    """The root-relative Dockerfile a compose ``build`` uses."""
    if isinstance(build, str):
        context, dockerfile = build, "Dockerfile"
    elif isinstance(build, dict):
        context = str(build.get("context", "."))
        dockerfile = str(build.get("dockerfile", "Dockerfile"))
    else:
        return None
    if "://" in context or context.startswith("/") or dockerfile.startswith("/"):
        return None
    folder = posixpath.dirname(compose_path)
    return posixpath.normpath(posixpath.join(folder, context, dockerfile))


def service_line(src: SourceFile, service: str) -> int | None:
    """The line of the service's ``command:``/``entrypoint:`` key, else of the service."""
    return service_key_line(src, service, "command", "entrypoint")
