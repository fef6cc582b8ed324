"""docker-single-stage: split a recognisable one-stage build into a builder and a runtime.

The original stage becomes the builder (``FROM ... AS build``), up to its last build step;
a runtime stage on a slim base follows, takes only what the app needs from the builder, and
keeps every instruction that came after the build steps as it was written. The runtime
stage also repeats the builder's non-RUN instructions (WORKDIR, ENV, ARG, USER, LABEL,
EXPOSE; and COPY/ADD from the context where the app's files are needed), so paths and
settings stay the same.

- Python (``python:`` images, pip installs): the builder installs into a virtual
  environment (``/opt/venv``, put first on PATH); the runtime (the slim variant of the same
  tag) copies it. Build-time apt packages must all be compilers and headers the runtime does
  not need (gcc, build-essential, python3-dev...): a library such as libpq-dev means a
  runtime library too, and the fix is refused.
- Node (``node:`` images, npm or pnpm with a ``run build`` step): the builder drops its
  development dependencies after the build (``npm prune --omit=dev``); the runtime (the
  slim variant) copies the working directory.
- Rust (``rust:`` images, one ``cargo build --release`` or ``cargo install --path``): the
  runtime is ``debian:<suite>-slim`` with CA certificates (and libssl when Cargo.lock has
  openssl-sys), and gets the one binary at the path the CMD already uses.

Unsafe: anything else the build put in the image (a file outside the copied paths, a
system package the app loads at run time) is gone from the runtime stage; run the image's
tests. Refused (None) when a RUN does anything the fix does not recognise, for other bases,
for ARG-named or digest-pinned images, and when the working directory or binary cannot be
told.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field

from optimus.fix.base import FixContext, ProposedFix, fixer
from optimus.fix.codemods import _dockerfile as df
from optimus.fix.codemods._recheck import still_reported
from optimus.fix.codemods._text import single_change
from optimus.fix.codemods.docker_image import slim_variant
from optimus.model import Applicability, Finding
from optimus.parse.dockerfile import Instruction, Stage
from optimus.rules.docker._common import Command, run_commands
from optimus.rules.docker.cache_order import classify
from optimus.rules.docker.heavy_base import parse_image
from optimus.rules.docker.single_stage import build_command, installed_toolchain

#: Build-only packages whose absence at run time breaks nothing.
_BUILD_ONLY = frozenset(
    {
        "build-essential",
        "build-base",
        "gcc",
        "g++",
        "make",
        "cmake",
        "pkg-config",
        "python3-dev",
        "python-dev",
        "libffi-dev",
        "libssl-dev",
        "git",
        "curl",
        "ca-certificates",
        "wget",
        "musl-dev",
        "linux-headers",
    }
)
_APT_HOUSEKEEPING = {"apt-get", "apt", "rm", "apk"}
_DEBIAN_SUITES = ("trixie", "bookworm", "bullseye")
#: The OpenSSL runtime library of each Debian release (slim images do not ship it).
_LIBSSL = {"trixie": "libssl3t64", "bookworm": "libssl3", "bullseye": "libssl1.1"}
VENV = "/opt/venv"


@dataclass
class Plan:
    """What the split adds: lines after the builder's FROM and after its last build step, and
    the runtime stage's opening lines (its FROM, what it copies)."""

    runtime_from: str
    runtime_lines: list[str]
    after_from: list[str] = field(default_factory=list)
    after_build: list[str] = field(default_factory=list)
    replay_copies: bool = True


def _apt_packages(command: Command) -> list[str] | None:
    """Packages an apt/apk install names, or None when the command installs nothing."""
    if command.name not in ("apt-get", "apt", "apk"):
        return None
    words = command.words[1:]
    if not ({"install", "add"} & set(words)):
        return []
    verb = "install" if "install" in words else "add"
    rest = words[words.index(verb) + 1 :]
    return [re.split(r"[=<>~/]", w, maxsplit=1)[0] for w in rest if not w.startswith("-")]


def _workdir(stage: Stage, until: Instruction) -> str | None:
    """The absolute working directory at ``until`` ("/" without WORKDIR), None if unknown."""
    current = "/"
    for ins in stage.instructions:
        if ins is until:
            break
        if ins.keyword == "WORKDIR":
            value = ins.args.strip().strip("\"'")
            if "$" in value:
                return None
            current = posixpath.normpath(posixpath.join(current, value))
    return current


def _last_build(stage: Stage, is_build: Callable[[Instruction], bool]) -> int | None:
    indexes = [n for n, ins in enumerate(stage.instructions) if is_build(ins)]
    return indexes[-1] if indexes else None


def _python_plan(stage: Stage, image_tag: str, cut: int) -> Plan | None:
    for ins in stage.instructions[: cut + 1]:
        if ins.keyword != "RUN":
            continue
        for command in run_commands(ins):
            packages = _apt_packages(command)
            if packages is not None:
                if any(p not in _BUILD_ONLY for p in packages):
                    return None  # a library the app may load at run time
                continue
            if command.name in _APT_HOUSEKEEPING:
                continue
            pip = re.fullmatch(r"pip[\d.]*", command.name) or command.words[1:3] == ["-m", "pip"]
            if not pip or "install" not in command.words:
                return None
            if {"--user", "--prefix", "--target", "-t", "--root"} & set(command.words):
                return None
    slim = slim_variant("python", image_tag) if "slim" not in image_tag else image_tag
    if "alpine" in image_tag:
        slim = image_tag
    path = f'ENV PATH="{VENV}/bin:$PATH"'
    return Plan(
        runtime_from=f"python:{slim}",
        runtime_lines=[f"COPY --from=build {VENV} {VENV}", path],
        after_from=[f"RUN python -m venv {VENV}", path],
    )


def _node_plan(stage: Stage, image_tag: str, cut: int, workdir: str) -> Plan | None:
    tool = None
    for ins in stage.instructions[: cut + 1]:
        if ins.keyword != "RUN":
            continue
        for command in run_commands(ins):
            packages = _apt_packages(command)
            if packages is not None:
                if any(p not in _BUILD_ONLY and p != "python3" for p in packages):
                    return None
                continue
            if command.name in _APT_HOUSEKEEPING:
                continue
            installer = classify(command.words)
            if installer in ("npm", "pnpm"):
                tool = installer
                continue
            if build_command(command) and command.name in ("npm", "pnpm"):
                continue
            return None
    if tool is None or workdir == "/":
        return None
    prune = "npm prune --omit=dev" if tool == "npm" else "pnpm prune --prod"
    slim = image_tag if "slim" in image_tag or "alpine" in image_tag else f"{image_tag}-slim"
    if image_tag in ("", "latest"):
        slim = "slim"
    return Plan(
        runtime_from=f"node:{slim}",
        runtime_lines=[f"COPY --from=build {workdir} {workdir}"],
        after_build=[f"RUN {prune}"],
        replay_copies=False,
    )


def _binary(ctx: FixContext, folder: str, wanted: str | None) -> str | None:
    text = ctx.read_text(posixpath.join(folder, "Cargo.toml") if folder else "Cargo.toml")
    if text is None:
        return None
    try:
        manifest = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    if "workspace" in manifest:
        return None
    bins = [b.get("name") for b in manifest.get("bin", []) if isinstance(b, dict)]
    if wanted:
        return (
            wanted if wanted in bins or manifest.get("package", {}).get("name") == wanted else None
        )
    if len(bins) == 1 and isinstance(bins[0], str):
        return bins[0]
    name = manifest.get("package", {}).get("name")
    return name if isinstance(name, str) and not bins else None


def _rust_plan(stage: Stage, image_tag: str, cut: int, ctx: FixContext, folder: str) -> Plan | None:
    build: Command | None = None
    for ins in stage.instructions[: cut + 1]:
        if ins.keyword != "RUN":
            continue
        for command in run_commands(ins):
            if _apt_packages(command) is not None or command.name in _APT_HOUSEKEEPING:
                continue
            if command.name == "cargo" and command.words[1:2] in (["build"], ["install"]):
                if build is not None:
                    return None
                build = command
                continue
            if command.name == "cargo" and command.words[1:2] == ["fetch"]:
                continue
            return None
    if build is None or "--target-dir" in build.words or "CARGO_TARGET_DIR" in build.env:
        return None
    words = build.words
    wanted = words[words.index("--bin") + 1] if "--bin" in words[:-1] else None
    name = _binary(ctx, folder, wanted)
    if name is None:
        return None
    workdir = _workdir(stage, stage.instructions[cut])
    if workdir is None:
        return None
    if words[1] == "build":
        if "--release" not in words and "-r" not in words:
            return None
        built = posixpath.join(workdir, "target/release", name)
        target = built
    else:
        if "--path" not in words or "--root" in words:
            return None
        built, target = f"/usr/local/cargo/bin/{name}", f"/usr/local/bin/{name}"
    suite = next((s for s in _DEBIAN_SUITES if s in image_tag), "bookworm")
    if "alpine" in image_tag:
        return None
    packages = "ca-certificates"
    lock = ctx.read_text(posixpath.join(folder, "Cargo.lock") if folder else "Cargo.lock")
    if lock is not None and 'name = "openssl-sys"' in lock:
        packages += " " + _LIBSSL[suite]  # the binary links OpenSSL dynamically
    certificates = (
        "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends "
        f"{packages} \\\n    && rm -rf /var/lib/apt/lists/*"
    )
    return Plan(
        runtime_from=f"debian:{suite}-slim",
        runtime_lines=[certificates, f"COPY --from=build {built} {target}"],
    )


def _is_build_step(language: str) -> Callable[[Instruction], bool]:
    def check(ins: Instruction) -> bool:
        if ins.keyword != "RUN":
            return False
        for command in run_commands(ins):
            if installed_toolchain(command)[0] or build_command(command):
                return True
            if language == "python" and classify(command.words) == "pip":
                return True
            if (
                language == "python"
                and command.words[1:2] == ["install"]
                and (
                    re.fullmatch(r"pip[\d.]*", command.name) or command.words[1:3] == ["-m", "pip"]
                )
            ):
                return True
            if language == "node" and classify(command.words) in ("npm", "pnpm"):
                return True
        return False

    return check


@fixer("docker-single-stage", Applicability.UNSAFE)
def fix_single_stage(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """Turn the only stage into a builder and add a slim runtime stage."""
    text = ctx.read_text(finding.path)
    if text is None or not still_reported(finding, text, "dockerfile", any_line=True):
        return None
    dockerfile = df.parse(text)
    if len(dockerfile.stages) != 1:
        return None
    stage = dockerfile.stages[0]
    written, alias = df.from_parts(stage.from_instruction)
    image = parse_image(written)
    if image is None or "$" in written or "@" in written or stage.from_instruction.flags:
        return None
    language = image.repository
    if language not in ("python", "node", "rust"):
        return None
    cut = _last_build(stage, _is_build_step(language))
    if cut is None:
        return None
    last = stage.instructions[cut]
    workdir = _workdir(stage, last)
    tag = image.tag.lower()
    if language == "python":
        plan = _python_plan(stage, tag, cut)
    elif language == "node":
        plan = _node_plan(stage, tag, cut, workdir) if workdir else None
    else:
        plan = _rust_plan(stage, tag, cut, ctx, posixpath.dirname(finding.path))
    if plan is None:
        return None
    newline = df.newline_of(text)
    name = alias or "build"
    replayed = [
        df.raw(text, ins).rstrip("\r\n")
        for ins in stage.instructions[:cut]
        if ins.keyword not in ("RUN", "ONBUILD", "HEALTHCHECK", "CMD", "ENTRYPOINT")
        and (plan.replay_copies or ins.keyword not in ("COPY", "ADD"))
        and "from" not in ins.flags
    ]
    from_raw = df.raw(text, stage.from_instruction).rstrip("\r\n")
    builder_from = from_raw if alias else f"{from_raw} AS {name}"
    runtime = [
        "",
        "# runtime: only what the app needs, on a slim base",
        f"FROM {plan.runtime_from}",
        *[line.replace("--from=build ", f"--from={name} ") for line in plan.runtime_lines],
        *replayed,
    ]
    head = (
        text[: stage.from_instruction.start]
        + builder_from
        + newline
        + df.lines_block(plan.after_from, newline)
        + text[stage.from_instruction.end : last.end]
    )
    if not head.endswith("\n"):
        head += newline
    head += df.lines_block(plan.after_build, newline)
    body = "".join(line.replace("\r\n", "\n").replace("\n", newline) + newline for line in runtime)
    new = head + body + text[last.end :]
    return single_change(
        finding,
        Applicability.UNSAFE,
        f"build in a `{name}` stage and ship a runtime stage on {plan.runtime_from} that takes "
        "only the app from it, so compilers and build-only dependencies stay out of the image",
        text,
        new,
    )
