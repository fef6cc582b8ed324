"""docker-cache-order: the whole build context is copied before the dependency install.

A layer is rebuilt when anything it copies changes, and every layer after it is rebuilt too.
``COPY . .`` followed by ``RUN pip install -r requirements.txt`` (or ``npm ci``, ``cargo
build``...) reinstalls every dependency on any source change. The rule looks at each stage:
the first COPY/ADD of the whole context (``.``, ``./``, ``*``), with no dependency install
before it in the stage or in the stages it builds on, and a dependency install after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from optimus.model import Category, Confidence, Severity
from optimus.parse.dockerfile import Dockerfile, Instruction, Stage
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.docker._common import OPTIONAL_INSTALL, global_args, parent_stage, positionals

_WHOLE_CONTEXT = frozenset({".", "./", "./.", "*", "./*"})
_COMMAND_SPLIT = re.compile(r"&&|\|\||[;|\n]")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SHELL_PREFIXES = frozenset({"then", "else", "do", "{", "(", "sudo", "exec", "time", "env"})
#: pip options whose value is a separate word (so it is not read as a package or path).
_PIP_VALUE_OPTIONS = frozenset(
    {
        "--prefix",
        "--target",
        "-t",
        "--root",
        "--index-url",
        "-i",
        "--extra-index-url",
        "--find-links",
        "-f",
        "--constraint",
        "-c",
        "--cache-dir",
        "--src",
        "--python-version",
        "--platform",
        "--trusted-host",
        "--log",
        "--python",
        "-p",
    }
)
#: Per tool: the files to copy before the sources, and the step to run on them.
MANIFESTS: dict[str, tuple[str, str]] = {
    "pip": ("requirements.txt (or pyproject.toml)", "install"),
    "uv": ("pyproject.toml and uv.lock", "run uv sync --no-install-project"),
    "poetry": ("pyproject.toml and poetry.lock", "run poetry install --no-root"),
    "pdm": ("pyproject.toml and pdm.lock", "install"),
    "pipenv": ("Pipfile and Pipfile.lock", "install"),
    "conda": ("environment.yml", "create the environment"),
    "npm": ("package.json and package-lock.json", "install"),
    "yarn": ("package.json and yarn.lock", "install"),
    "pnpm": ("package.json and pnpm-lock.yaml", "install"),
    "bun": ("package.json and bun.lockb", "install"),
    "cargo": ("Cargo.toml and Cargo.lock", "build the dependencies alone (e.g. with cargo-chef)"),
    "go": ("go.mod and go.sum", "run go mod download"),
    "bundle": ("Gemfile and Gemfile.lock", "install"),
    "composer": ("composer.json and composer.lock", "install"),
    "mvn": ("pom.xml", "run mvn dependency:go-offline"),
    "gradle": ("the Gradle build and settings files", "resolve the dependencies"),
}
#: Build tools whose expensive work survives in a BuildKit cache mount.
_COMPILE_TOOLS = frozenset({"cargo", "go", "mvn", "gradle"})


@dataclass(frozen=True)
class Install:
    """A dependency install found in a RUN instruction."""

    tool: str
    command: str
    instruction: Instruction


def _pip_uses_context(args: list[str]) -> bool:
    """pip install reads the build context: a requirements file, an editable or a path."""
    for arg in args:
        if arg in ("-r", "-e", "--editable") or arg.startswith(("-r", "--requirement", "-e")):
            return True
    return any(
        p == "." or p.startswith(("./", "../", "/")) for p in positionals(args, _PIP_VALUE_OPTIONS)
    )


def command_words(command: str) -> list[str]:
    """A shell command's words without leading keywords and assignments (then, sudo, X=1)."""
    words = command.split()
    while words and (words[0] in _SHELL_PREFIXES or _ASSIGNMENT.match(words[0])):
        words = words[1:]
    return words


def classify(words: list[str]) -> str | None:
    """The tool of a dependency-install command (its words, see command_words), or None."""
    if not words:
        return None
    cmd, args = words[0].rsplit("/", 1)[-1], words[1:]
    if re.fullmatch(r"python[\d.]*", cmd) and args[:2] == ["-m", "pip"]:
        cmd, args = "pip", args[2:]
    sub = args[0] if args else ""
    no_packages = not positionals(args[1:]) and not {"-g", "--global"} & set(args)
    if re.fullmatch(r"pip[\d.]*", cmd):
        return "pip" if sub == "install" and _pip_uses_context(args[1:]) else None
    if cmd == "uv":
        if sub == "sync" or args[:2] == ["pip", "sync"]:
            return "uv"
        return "uv" if args[:2] == ["pip", "install"] and _pip_uses_context(args[2:]) else None
    if cmd == "poetry":
        return "poetry" if sub in ("install", "sync") else None
    if cmd == "pdm":
        return "pdm" if sub in ("install", "sync") else None
    if cmd == "pipenv":
        return "pipenv" if sub in ("install", "sync") and no_packages else None
    if cmd in ("conda", "mamba", "micromamba"):
        if args[:2] in (["env", "create"], ["env", "update"]):
            return "conda"
        if sub in ("install", "create") and {"-f", "--file"} & set(args):
            return "conda"
        return None
    if cmd == "npm":
        if sub in ("ci", "clean-install"):
            return "npm"
        return "npm" if sub in ("install", "i") and no_packages else None
    if cmd == "yarn":
        return "yarn" if (not sub or sub.startswith("-") or sub == "install") else None
    if cmd == "pnpm":
        return "pnpm" if sub == "fetch" or (sub in ("install", "i") and no_packages) else None
    if cmd == "bun":
        return "bun" if sub in ("install", "i") and no_packages else None
    if cmd == "cargo":
        if sub == "chef":  # cargo-chef: `cook` builds the dependencies of a recipe
            return "cargo" if args[1:2] == ["cook"] else None
        if sub in ("build", "fetch") or (sub == "install" and "--path" in args):
            return "cargo"
        return None
    if cmd == "go":
        return "go" if args[:2] == ["mod", "download"] else None
    if cmd in ("bundle", "composer"):
        return cmd if sub == "install" else None
    if cmd in ("mvn", "mvnw"):
        return "mvn" if args else None
    if cmd in ("gradle", "gradlew"):
        return "gradle" if args and "--version" not in args else None
    return None


def _has_cache_mount(ins: Instruction, tool: str) -> bool:
    """A BuildKit cache mount that keeps this tool's work (Cargo: the target directory)."""
    for mount in ins.flags.get("mount", "").split():
        options = dict(o.partition("=")[::2] for o in mount.split(","))
        if options.get("type") != "cache":
            continue
        if tool != "cargo" or "target" in options.get("target", options.get("dst", "")):
            return True
    return False


def find_install(ins: Instruction, mounted: bool = False) -> Install | None:
    """The first dependency install in a RUN instruction, or None.

    Cargo/Go/Maven/Gradle runs whose work stays in a cache mount count only when ``mounted``
    (an install before the copy: its dependencies are cached either way).
    """
    if ins.keyword != "RUN":
        return None
    form = ins.exec_form
    text = " ".join(form) if form is not None else ins.args
    for command in _COMMAND_SPLIT.split(text):
        words = command_words(command)
        tool = classify(words)
        if tool is None:
            continue
        if not mounted and tool in _COMPILE_TOOLS and _has_cache_mount(ins, tool):
            continue  # compiled dependencies or downloads survive in the cache mount
        return Install(tool, " ".join(words), ins)
    return None


def copies_whole_context(ins: Instruction) -> bool:
    """A COPY/ADD from the build context whose sources include the whole context."""
    if ins.keyword not in ("COPY", "ADD") or "from" in ins.flags or ins.heredocs:
        return False
    words = ins.words
    return len(words) >= 2 and any(w in _WHOLE_CONTEXT for w in words[:-1])


def _installs_upstream(dockerfile: Dockerfile, stage: Stage, seen: set[int]) -> bool:
    """Whether a stage this one is built FROM (an earlier alias) installs dependencies."""
    if stage.index in seen:
        return False
    seen.add(stage.index)
    parent = parent_stage(dockerfile, stage, global_args(dockerfile))
    if parent is None:
        return False
    if any(find_install(i, mounted=True) for i in parent.instructions):
        return True
    return _installs_upstream(dockerfile, parent, seen)


#: Folders of CI-only images (a crate's `ci/cgroups/Dockerfile`), built on fresh runners.
CI_FOLDERS = frozenset({"ci", ".ci", ".github", ".circleci", ".gitlab", ".buildkite"})


@rule
class DockerCacheOrder(Rule):
    name = "docker-cache-order"
    fixable = True
    code = "DK002"
    category = Category.PERFORMANCE
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    effort = 10
    kinds = frozenset({"dockerfile"})
    prefilter = (b"COPY", b"ADD", b"copy", b"add")
    summary = "The whole build context is copied before the dependency install."
    doc = {
        "What it finds": (
            "In a Dockerfile stage, a `COPY` or `ADD` of the whole build context (`COPY . .`, "
            "`COPY . /app`, `ADD . /src`, `COPY ./ ./`) that comes before a dependency "
            "install in the same stage: `pip install -r`/`pip install .`, `uv sync`, "
            "`uv pip install`, `poetry install`, `pdm install`, `pipenv install`, "
            "`npm ci`/`npm install`, `yarn install`, `pnpm install`, `bun install`, "
            "`cargo build`/`cargo fetch`, `go mod download`, `bundle install`, "
            "`composer install`, `mvn`, `gradle`. It is not reported when dependencies are "
            "already installed before the copy (in the stage or a stage it builds on: a "
            "manifest-only install, `cargo chef cook`, `cargo fetch`, a stub-crate "
            "`cargo build`, `go mod download`), for "
            "`COPY --from=...`, or for Cargo/Go/Maven/Gradle runs that keep their work in a "
            "BuildKit cache mount."
        ),
        "Why": (
            "Docker reuses a layer only while nothing it depends on has changed; once a "
            "`COPY` layer changes, every later instruction runs again. Copying the whole "
            "context first means that editing any source file reinstalls (or recompiles) "
            "every dependency on each build, which is minutes of CI time per commit."
        ),
        "Example": (
            "```dockerfile\nFROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
            "RUN pip install -r requirements.txt\n```"
        ),
        "Instead": (
            "```dockerfile\nFROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
            "RUN pip install -r requirements.txt\nCOPY . .\n```\n\n"
            "Copy only the manifests and lockfiles first (`package.json` and the lockfile, "
            "`Cargo.toml` and `Cargo.lock`, `go.mod` and `go.sum`...), install, then copy "
            "the rest. For Rust, build the dependencies alone first (for example with "
            "cargo-chef) or use cache mounts."
        ),
        "When not to": (
            "Images built once and never rebuilt, or builds that always start without a "
            "layer cache (the ordering then gains nothing until a cache is set up). "
            "Dockerfiles under CI folders (`ci/`, `.github/`, `.circleci/`, `.gitlab/`, "
            "`.buildkite/`) are test images built on fresh runners and are not reported, nor "
            "are installs guarded by a file test (`if [ -s requirements.txt ]; then pip "
            "install ...`), hooks that do nothing unless the user adds the file."
        ),
        "Fix safety": (
            "Unsafe (applied only with `--unsafe-fixes`). `optimus fix` copies the dependency "
            "manifests (requirements files, package.json with its lockfile, Gemfile, "
            "go.mod...) before the install and moves the install above the `COPY . .`. An "
            "install that reads more than its manifests (a postinstall script) would break. "
            "Refused for installs of the project itself, RUNs that do more than install, and "
            "manifests missing from the context."
        ),
    }
    references = (
        Reference(
            "Docker: Optimize cache usage in builds (order your layers)",
            "https://docs.docker.com/build/cache/optimize/",
        ),
        Reference(
            "FastAPI: FastAPI in Containers, Docker Cache",
            "https://fastapi.tiangolo.com/deployment/docker/#docker-cache",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if any(part in CI_FOLDERS for part in src.path.lower().split("/")[:-1]):
            return  # built by CI jobs on fresh runners: no layer cache to reuse
        dockerfile = src.dockerfile
        for stage in dockerfile.stages:
            copy_at = next(
                (n for n, i in enumerate(stage.instructions) if copies_whole_context(i)), None
            )
            if copy_at is None:
                continue
            if any(find_install(i, mounted=True) for i in stage.instructions[:copy_at]):
                continue
            install = next(
                (
                    x
                    for x in map(find_install, stage.instructions[copy_at + 1 :])
                    if x and not OPTIONAL_INSTALL.search(x.instruction.args)
                ),
                None,
            )
            if install is None or _installs_upstream(dockerfile, stage, set()):
                continue
            copy = stage.instructions[copy_at]
            command = (
                install.command if len(install.command) <= 60 else install.command[:57] + "..."
            )
            files, step = MANIFESTS[install.tool]
            yield Hit(
                f"{copy.keyword} {copy.args} copies the whole build context before "
                f"`{command}` (line {install.instruction.line}): any source change "
                "invalidates this layer and every one after it, so dependencies are installed "
                f"again on every build. Copy {files} first, {step}, then copy the rest",
                line=copy.line,
            )
