"""docker-single-stage: a one-stage Dockerfile installs or runs a build toolchain.

With one FROM, everything the build needs ships in the image: compilers and headers installed
with apt/apk/yum (``build-essential``, ``gcc``, ``*-dev``...), toolchains fetched by hand
(rustup, a Go tarball), and the dependencies and sources of a build step (``cargo build``,
``go build``, ``npm run build``, ``mvn package``...). Packages installed and removed again in
the same RUN (``apk add --virtual .build-deps ... && apk del .build-deps``, the
``apt-get purge --auto-remove`` pattern) leave no trace in the layer and are not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from optimus.model import Category, Confidence, Severity
from optimus.parse.dockerfile import Instruction
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.docker._common import (
    Command,
    base_image_text,
    chain_env,
    is_dev_image,
    is_template,
    positionals,
    run_commands,
    stage_chain,
    substitute,
)
from optimus.rules.docker.heavy_base import advise, parse_image

_INSTALLERS = {
    "apt-get": ("install",),
    "apt": ("install",),
    "aptitude": ("install",),
    "apk": ("add",),
    "yum": ("install", "groupinstall"),
    "dnf": ("install", "groupinstall"),
    "microdnf": ("install",),
    "tdnf": ("install",),
    "zypper": ("install", "in"),
}
_REMOVERS = {
    "apt-get": ("purge", "remove", "autoremove"),
    "apt": ("purge", "remove", "autoremove"),
    "apk": ("del",),
    "yum": ("remove", "erase", "autoremove"),
    "dnf": ("remove", "erase", "autoremove"),
    "microdnf": ("remove",),
    "tdnf": ("remove", "erase"),
    "zypper": ("remove", "rm"),
}
#: Installer options whose value is the next word (not a package).
_VALUE_OPTIONS = frozenset(
    {"--virtual", "-t", "--repository", "-X", "--root", "-p", "--arch", "--cache-dir", "-c"}
    | {"--enablerepo", "--disablerepo", "--setopt", "--releasever", "-o", "--option"}
)
_TOOLCHAIN = re.compile(
    r"^(?:build-essential|build-base|gcc(?:-c\+\+)?|g\+\+|clang|llvm|gfortran|make|cmake"
    r"|autoconf|automake|libtool|ninja-build|golang(?:-go)?|go|rust|rustc|cargo|linux-headers"
    r"|(?:gcc|g\+\+|clang|llvm)-\d+(?:\.\d+)*|default-jdk(?:-headless)?"
    r"|.+-jdk(?:-headless)?|.+-devel|.+-dev)$"
)
_GROUPS = frozenset({"development tools", "c development tools and libraries"})
_GO_TARBALL = re.compile(r"\bgo\d+(?:\.\d+)*\.linux-[a-z0-9]+\.tar\.gz")
_BUILD_SCRIPT = re.compile(r"^build(?:[:\-_].*)?$")
_MVN_PHASES = frozenset({"package", "install", "verify", "compile", "spring-boot:repackage"})
_GRADLE_TASKS = frozenset(
    {"build", "assemble", "bootjar", "jar", "shadowjar", "installdist", "compilejava", "classes"}
)
#: Toolchain base images: docker-heavy-base already says to build in them and ship elsewhere.
_TOOLCHAIN_BASES = frozenset(
    {
        "buildpack-deps",
        "rust",
        "golang",
        "openjdk",
        "eclipse-temurin",
        "mcr.microsoft.com/dotnet/sdk",
        "nvidia/cuda",
        "pytorch/pytorch",
    }
)
#: Interactive environments (notebooks, cloud IDEs): users compile there at run time.
_ENVIRONMENT_BASES = (
    "jupyter/",
    "quay.io/jupyter/",
    "codercom/code-server",
    "gitpod/",
    "mcr.microsoft.com/devcontainers/",
    "mcr.microsoft.com/vscode/devcontainers/",
)
#: Dockerfile names for images whose purpose is building (toolchain images).
_BUILDER_NAME = re.compile(r"(?:^|[.\-_/])(?:build|builder|toolchain|compile|sdk)(?:$|[.\-_/])")


@dataclass(frozen=True)
class Toolchain:
    """What one RUN puts in the image: toolchain packages and build commands."""

    instruction: Instruction
    packages: tuple[str, ...]
    commands: tuple[str, ...]


def _package_name(word: str) -> str:
    """A package without its version or release (gcc=4:12.2, musl-dev~1.2, pkg/bookworm)."""
    return re.split(r"[=<>~/]", word, maxsplit=1)[0].lower()


def _sub(command: Command, verbs: dict[str, tuple[str, ...]]) -> tuple[str, list[str]] | None:
    """(verb, arguments after it) when the command is one of these package-manager verbs."""
    if command.name not in verbs:
        return None
    args = command.words[1:]
    options = {a for a in args if a.startswith("-")}
    positional = positionals(args, _VALUE_OPTIONS)
    verb = positional[0] if positional else None
    if verb not in verbs[command.name]:
        return None
    rest = args[args.index(verb) + 1 :]
    return verb, rest + sorted(options & {"--auto-remove", "--autoremove"})


def installed_toolchain(command: Command) -> tuple[list[str], str | None]:
    """Toolchain packages a package-manager command installs, and its --virtual name."""
    found = _sub(command, _INSTALLERS)
    if found is None:
        return [], None
    verb, rest = found
    if verb == "groupinstall":
        group = " ".join(positionals(rest, _VALUE_OPTIONS)).lower().strip("\"'")
        return ([group] if group in _GROUPS else []), None
    virtual = None
    for flag in ("--virtual", "-t"):
        if flag in rest and rest.index(flag) + 1 < len(rest):
            virtual = rest[rest.index(flag) + 1]
    names = [_package_name(w) for w in positionals(rest, _VALUE_OPTIONS) if not w.startswith("$")]
    return [n for n in names if _TOOLCHAIN.match(n) and n != "pkg-config"], virtual


def removed_packages(command: Command, all_auto: bool = False) -> set[str] | None:
    """Packages a command removes; None when it removes every package it installed.

    ``all_auto`` tells that ``apt-mark auto '.*'`` ran before: an autoremove then removes
    the explicitly installed build dependencies too (without it, it keeps them).
    """
    found = _sub(command, _REMOVERS)
    if found is None:
        if command.name == "rustup" and command.words[1:3] == ["self", "uninstall"]:
            return {"rustup"}
        return set()
    verb, rest = found
    if all_auto and (verb == "autoremove" or "--auto-remove" in rest or "--autoremove" in rest):
        return None
    return {_package_name(w) for w in positionals(rest, _VALUE_OPTIONS) if w != verb}


def build_command(command: Command) -> str | None:
    """The build step a command runs (``cargo build``, ``npm run build``...), or None."""
    name, args = command.name, command.words[1:]
    sub = args[0] if args else ""
    positional = [a for a in args if not a.startswith("-")]
    if name == "cargo" and sub in ("build", "install", "rustc"):
        return f"cargo {sub}"
    if name == "go" and sub in ("build", "install"):
        return f"go {sub}"
    if name in ("npm", "pnpm", "bun") and sub in ("run", "run-script") and len(args) > 1:
        return f"{name} run {args[1]}" if _BUILD_SCRIPT.match(args[1]) else None
    if name in ("yarn", "pnpm") and _BUILD_SCRIPT.match(sub):
        return f"{name} {sub}"
    if name == "yarn" and sub == "run" and len(args) > 1 and _BUILD_SCRIPT.match(args[1]):
        return f"yarn run {args[1]}"
    if name in ("mvn", "mvnw") and set(positional) & _MVN_PHASES:
        return "mvn " + next(p for p in positional if p in _MVN_PHASES)
    if name in ("gradle", "gradlew"):
        task = next((p for p in positional if p.lower().rsplit(":", 1)[-1] in _GRADLE_TASKS), None)
        return f"gradle {task}" if task else None
    if re.fullmatch(r"pip[\d.]*", name) and sub == "wheel":
        return "pip wheel"
    if re.fullmatch(r"python[\d.]*", name) and len(args) > 1:
        if args[0] == "setup.py" and args[1] in ("build", "build_ext", "bdist_wheel"):
            return f"python setup.py {args[1]}"
        if args[:2] == ["-m", "build"]:
            return "python -m build"
    if name == "dotnet" and sub in ("build", "publish"):
        return f"dotnet {sub}"
    if name in ("configure", "cmake", "gcc", "g++", "cc", "c++", "clang", "rustc"):
        return name
    return None


def _toolchain_of(ins: Instruction, env: dict[str, str]) -> Toolchain | None:
    """The toolchain a RUN leaves in its layer, packages removed in the same RUN excepted."""
    commands = run_commands(ins)
    packages: list[str] = []
    virtual: dict[str, list[str]] = {}
    builds: list[str] = []
    removed: set[str] = set()
    removes_all = all_auto = False
    text = substitute(ins.args, env)
    for command in commands:
        command.words = [substitute(w, env) for w in command.words]
        # a word holding several packages after expansion ($BUILD_DEPS)
        command.words = [part for w in command.words for part in w.split()]
        found, name = installed_toolchain(command)
        if name:
            virtual[name] = found
        packages += found
        if command.name == "apt-mark" and command.words[1:2] == ["auto"]:
            all_auto = True
        gone = removed_packages(command, all_auto)
        if gone is None:
            removes_all = True
        else:
            removed |= gone
            for name in gone & virtual.keys():
                removed |= set(virtual[name])
        build = build_command(command)
        if build and build not in builds:
            builds.append(build)
    if "rustup" in text and ("sh.rustup.rs" in text or "rustup-init" in text):
        packages.append("rustup")
    if _GO_TARBALL.search(text):
        packages.append("go (tarball)")
    if removes_all:
        return None  # apt-get purge --auto-remove: the build dependencies leave with it
    kept = tuple(dict.fromkeys(p for p in packages if p not in removed))
    if removed & set(packages) and not kept:
        builds = []  # the toolchain was removed in the same RUN: only the artifact stays
    if not kept and not builds:
        return None
    return Toolchain(ins, kept, tuple(builds))


def _removed_later(runs: list[Instruction], first: Instruction, packages: set[str]) -> int | None:
    """The line of a later RUN that removes some of these packages, or None."""
    for ins in runs:
        if ins.line <= first.line:
            continue
        for command in run_commands(ins):
            gone = removed_packages(command)
            if gone is None or gone & packages:
                return ins.line
    return None


def _listing(items: list[str], limit: int = 4) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


@rule
class DockerSingleStage(Rule):
    name = "docker-single-stage"
    fixable = True
    code = "DK003"
    category = Category.COST
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    effort = 30
    kinds = frozenset({"dockerfile"})
    prefilter = (b"RUN", b"run")
    summary = (
        "A single-stage Dockerfile installs or runs a build toolchain, which ships in the image."
    )
    doc = {
        "What it finds": (
            "A Dockerfile with one stage (a single `FROM`) whose `RUN` instructions install "
            "compilers or headers (`build-essential`, `build-base`, `gcc`, `g++`, `clang`, "
            "`make`, `cmake`, `golang`, `rustc`, a JDK, `*-dev`/`*-devel` packages, with "
            "apt, apk, yum, dnf or zypper), fetch a toolchain (rustup, a Go tarball), or run a "
            "build (`cargo build`, `go build`, `npm run build`, `yarn build`, `pnpm build`, "
            "`mvn package`, `gradle build`, `pip wheel`, `python -m build`, `dotnet publish`, "
            "`./configure`, `cmake`). Packages removed again in the same `RUN` "
            "(`apk add --virtual .deps ... && apk del .deps`, `apt-get purge --auto-remove`) "
            "are not reported, and a build in that `RUN` is then taken as leaving only its "
            "artifact. Single stages on a toolchain image that docker-heavy-base reports "
            "(`rust`, `golang`, `buildpack-deps`, a JDK, the .NET SDK, CUDA `-devel`) are "
            "left to that rule, and notebook or IDE images (`jupyter/*`, dev containers) are "
            "skipped. Multi-stage files are not judged, and development, CI "
            "and builder images (`Dockerfile.dev`, `ci/`, `.devcontainer/`, a plain "
            "`Dockerfile` beside a `Dockerfile.prod`, `Dockerfile.build`, "
            "`builder.Dockerfile`) are skipped."
        ),
        "Why": (
            "Docker's build best practices recommend multi-stage builds so that the final "
            "image holds only what the application needs to run: compilers, headers, package "
            "caches, sources and build-only dependencies stay in a builder stage. In a single "
            "stage they are part of every layer pushed, pulled on each deploy and scale-out, "
            "stored in the registry and scanned for vulnerabilities. Removing them in a later "
            "`RUN` does not shrink the image: the earlier layer still holds them. The size "
            "difference is not measured by Optimus (it builds no images); `docker image ls` "
            "shows it after the change."
        ),
        "Example": (
            "```dockerfile\nFROM python:3.12-slim\n"
            "RUN apt-get update && apt-get install -y build-essential libpq-dev\n"
            "COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
            "COPY . /app\n```"
        ),
        "Instead": (
            "```dockerfile\nFROM python:3.12-slim AS build\n"
            "RUN apt-get update && apt-get install -y build-essential libpq-dev\n"
            "COPY requirements.txt .\n"
            "RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt\n\n"
            "FROM python:3.12-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 "
            "&& rm -rf /var/lib/apt/lists/*\n"
            "COPY --from=build /wheels /wheels\n"
            "RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels\n"
            "COPY . /app\n```\n\n"
            "For compiled languages, build in the toolchain image and copy only the binary "
            "(`COPY --from=build /src/target/release/app /usr/local/bin/`) into a slim or "
            "distroless stage; for front-ends, copy only the built assets."
        ),
        "When not to": (
            "Images whose job is to build or develop (CI runners, dev containers, SDK images), "
            "and programs that compile at run time (JIT compilers such as Triton or Numba "
            "with C extensions, `cargo run`/`go run` development setups). The rule cannot see "
            "packages removed through a script (`RUN ./cleanup.sh`)."
        ),
        "Fix safety": (
            "Unsafe (applied only with `--unsafe-fixes`). `optimus fix` splits a recognisable "
            "one-stage Dockerfile into a builder and a slim runtime stage (Python: a virtual "
            "environment copied from the builder; Node: the pruned working directory; Rust: "
            "the one binary on `debian:<suite>-slim`). Anything it does not recognise is "
            "refused."
        ),
    }
    references = (
        Reference(
            "Docker: Multi-stage builds",
            "https://docs.docker.com/build/building/multi-stage/",
        ),
        Reference(
            "Docker: Building best practices (use multi-stage builds)",
            "https://docs.docker.com/build/building/best-practices/#use-multi-stage-builds",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        dockerfile = src.dockerfile
        if len(dockerfile.stages) != 1 or is_dev_image(src) or is_template(src):
            return
        if _BUILDER_NAME.search(src.path.lower().rsplit("/", 1)[-1]):
            return
        chain = stage_chain(dockerfile)
        stage = chain[0]
        base = parse_image(base_image_text(dockerfile, chain))
        if base and base.repository in _TOOLCHAIN_BASES and advise(base) is not None:
            return  # the base is the toolchain: docker-heavy-base reports it with the fix
        if base and base.repository.startswith(_ENVIRONMENT_BASES):
            return
        found: list[Toolchain] = []
        for ins in stage.of("RUN"):
            toolchain = _toolchain_of(ins, chain_env(chain, ins))
            if toolchain is not None:
                found.append(toolchain)
        if not found:
            return
        packages = list(dict.fromkeys(p for t in found for p in t.packages))
        builds = list(dict.fromkeys(c for t in found for c in t.commands))
        parts = []
        if packages:
            parts.append(f"installs {_listing(packages)}")
        if builds:
            parts.append("runs " + _listing([f"`{b}`" for b in builds]))
        lines = sorted({t.instruction.line for t in found})
        numbers = [str(n) for n in lines]
        where = f"line {numbers[0]}" if len(numbers) == 1 else f"lines {_listing(numbers)}"
        image = base_image_text(dockerfile, chain) or "its base image"
        what = "the compilers, headers" if packages else "the build tools"
        late = _removed_later(stage.of("RUN"), found[0].instruction, set(packages))
        note = (
            f" (removing them later, on line {late}, does not shrink the image: the earlier "
            "layer keeps them)"
            if late
            else ""
        )
        yield Hit(
            f"the only stage (FROM {image}) {' and '.join(parts)} ({where}): {what} and "
            "build-only dependencies ship in the final image, making it larger to push, pull "
            "and scan. Build in a builder stage (`FROM ... AS build`) and `COPY --from=build` "
            f"only the artifact into a slim runtime stage{note}",
            line=found[0].instruction.line,
            end_line=found[0].instruction.end_line,
            count=len(found),
        )
