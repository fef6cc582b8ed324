"""docker-pip-cache: pip or uv installs keep their download cache in the shipped image.

Covers ``pip install`` (also ``python -m pip``), the case hadolint reports as DL3042 (this
detector replaces it: DL3042 also fires in builder stages and on ``PIP_NO_CACHE_DIR=off``),
and what DL3042 does not see: ``uv pip install``, ``uv pip sync``, ``uv sync``, ``uv add``
and ``uv tool install``. A RUN is fine with ``--no-cache-dir`` (pip) or ``--no-cache``/``-n``
(uv); ``PIP_NO_CACHE_DIR`` / ``UV_NO_CACHE`` set by ENV, ARG, ``export`` or inline; a
BuildKit cache or tmpfs mount that can hold the cache; or the cache deleted in the same RUN.
Only the final stage and the stages it is built FROM count: a builder stage's cache is not
in the image unless it is copied out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from optimus.model import Category, Confidence, Severity
from optimus.parse.dockerfile import Instruction
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.docker._common import (
    OPTIONAL_INSTALL,
    Command,
    chain_env,
    is_dev_image,
    is_template,
    mount_targets,
    run_commands,
    stage_chain,
)

#: pip reads PIP_NO_CACHE_DIR with strtobool and disables the cache for any valid value,
#: false included (pip/_internal/cli/cmdoptions.py, _handle_no_cache_dir).
_PIP_BOOLS = frozenset({"y", "yes", "t", "true", "on", "1", "n", "no", "f", "false", "off", "0"})
_TRUTHY = frozenset({"1", "true", "yes", "on", "y", "t"})
#: Cache mounts that clearly belong to another tool (they do not hold pip's or uv's cache).
_OTHER_CACHES = re.compile(
    r"/var/cache/(?:apt|apk|yum|dnf)|/var/lib/apt|/etc/apk/cache|\.npm|yarn|pnpm|/go/|"
    r"go-build|cargo|/target|\.m2|gradle|composer|\.bun"
)
_CACHE_REMOVAL = re.compile(r"\.cache(?:/pip|/uv)?/?(?:\s|\*|$|[;&|)'\"])|/pip-cache|/uv-cache")
_UV_INSTALLS = (("pip", "install"), ("pip", "sync"), ("sync",), ("add",), ("tool", "install"))
#: uv options that take a value (so the value is not read as a subcommand).
_UV_VALUE_OPTIONS = frozenset(
    {"--directory", "--project", "--cache-dir", "--config-file", "--python", "-p", "--color"}
)


def _uv_subcommand(words: list[str]) -> tuple[str, ...] | None:
    """The uv subcommand words (``("pip", "install")``) when it installs packages."""
    rest: list[str] = []
    skip = False
    for word in words[1:]:
        if skip:
            skip = False
        elif word.startswith("-"):
            skip = word in _UV_VALUE_OPTIONS
        else:
            rest.append(word)
    for sub in _UV_INSTALLS:
        if tuple(rest[: len(sub)]) == sub:
            return sub
    return None


def _is_pip_install(command: Command) -> bool:
    words, name = command.words, command.name
    if re.fullmatch(r"python[\d.]*", name) and words[1:3] == ["-m", "pip"]:
        words = words[2:]
    elif not re.fullmatch(r"pip[\d.]*", name):
        return False
    return "install" in [w for w in words[1:] if not w.startswith("-")][:1]


def cache_kept(command: Command, env: dict[str, str]) -> str | None:
    """The tool ("pip" or "uv") when this command writes a cache it keeps, else None."""
    env = {**env, **command.env}
    if _is_pip_install(command):
        if any(w.startswith("--no-cache") for w in command.words):
            return None  # optparse accepts the unambiguous prefix --no-cache
        return None if env.get("PIP_NO_CACHE_DIR", "").lower() in _PIP_BOOLS else "pip"
    if command.name == "uv" and _uv_subcommand(command.words):
        if "--no-cache" in command.words or "-n" in command.words:
            return None
        return None if env.get("UV_NO_CACHE", "").lower() in _TRUTHY else "uv"
    return None


def _mount_holds_cache(ins: Instruction) -> bool:
    """A cache or tmpfs mount that is not another tool's (apt, npm, cargo...)."""
    return any(
        not _OTHER_CACHES.search(target) for target in mount_targets(ins, ("cache", "tmpfs"))
    )


def _cleans_cache(commands: list[Command], index: int, tool: str) -> bool:
    """Whether a later command of the same RUN deletes the cache (pip cache purge, rm -rf)."""
    for command in commands[index + 1 :]:
        words = command.words
        if tool == "pip" and (
            (re.fullmatch(r"pip[\d.]*", command.name) and words[1:3] == ["cache", "purge"])
            or words[1:5] == ["-m", "pip", "cache", "purge"]
        ):
            return True
        if tool == "uv" and command.name == "uv" and words[1:3] in (["cache", "clean"], ["clean"]):
            return True
        if command.name == "rm" and any(_CACHE_REMOVAL.search(w + " ") for w in words[1:]):
            return True
    return False


def _fix(tool: str) -> str:
    if tool == "pip":
        return (
            "add --no-cache-dir (or ENV PIP_NO_CACHE_DIR=1), or keep the cache out of the "
            "image with a BuildKit cache mount: `RUN --mount=type=cache,target=/root/.cache/pip`"
        )
    return (
        "add --no-cache (or ENV UV_NO_CACHE=1), or keep the cache out of the image with a "
        "BuildKit cache mount: `RUN --mount=type=cache,target=/root/.cache/uv`"
    )


@rule
class DockerPipCache(Rule):
    name = "docker-pip-cache"
    fixable = True
    code = "DK004"
    category = Category.COST
    severity = Severity.LOW
    confidence = Confidence.HIGH
    effort = 2
    kinds = frozenset({"dockerfile"})
    prefilter = (b"pip", b"uv")
    summary = "pip or uv installs in the image keep their package cache in the layer."
    doc = {
        "What it finds": (
            "In the final stage of a Dockerfile, and in the stages it is built FROM, a `RUN` "
            "with `pip install` (or `python -m pip install`) without `--no-cache-dir`, or "
            "`uv pip install`, `uv pip sync`, `uv sync`, `uv add`, `uv tool install` without "
            "`--no-cache`. Not reported when `PIP_NO_CACHE_DIR` / `UV_NO_CACHE` is set "
            "(ENV, ARG, `export` or inline), when the `RUN` has a BuildKit cache (or tmpfs) "
            "mount that can hold the cache, when the same `RUN` deletes the cache "
            "(`pip cache purge`, `uv cache clean`, `rm -rf ~/.cache/pip`), or in builder "
            "stages whose files are copied out. hadolint's DL3042 covers the pip case with "
            "more false positives, so Optimus uses this detector instead of it."
        ),
        "Why": (
            "pip and uv keep downloaded and built wheels in a cache directory (`~/.cache/pip`, "
            "`~/.cache/uv`) so that the next install is faster. In an image build there is no "
            "next install in that layer: the cache is written into the layer and shipped, "
            "pulled and stored with every image. uv's Docker guide says that without a cache "
            "mount, image size can be reduced with `--no-cache` or `UV_NO_CACHE`. How much "
            "depends on the dependencies (Optimus does not measure it). A cache mount keeps "
            "the cache between builds, outside the image, which is faster than both."
        ),
        "Example": (
            "```dockerfile\nFROM python:3.12-slim\nCOPY requirements.txt .\n"
            "RUN pip install -r requirements.txt\n```"
        ),
        "Instead": (
            "```dockerfile\nRUN pip install --no-cache-dir -r requirements.txt\n```\n\n"
            "or, to reuse the cache across builds without shipping it:\n\n"
            "```dockerfile\nRUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    pip install -r requirements.txt\n\n"
            "ENV UV_LINK_MODE=copy\nRUN --mount=type=cache,target=/root/.cache/uv uv sync "
            "--locked\n```"
        ),
        "When not to": (
            "A stage whose files are copied out selectively is not reported; if the final "
            "image is built FROM a stage with a cache-keeping install, that stage is "
            "reported. A `pip.conf` or `uv.toml` that disables the cache is not read (ENV and "
            "flags are), so Dockerfiles that copy one are skipped only when they set "
            "`PIP_CONFIG_FILE`/`UV_CONFIG_FILE`. Development, CI and test images "
            "(`.devcontainer/`, `ci/`, `Dockerfile.dev`, `Dockerfile.neuron.dev`, "
            "`Dockerfile.playwright`, a last stage named `dev`, a plain `Dockerfile` with a "
            "`Dockerfile.prod`, `Dockerfile.production`, `prod.Dockerfile` or "
            "`Dockerfile-prod` beside it, which is then the development image...) are not "
            "reported: their "
            "size is not shipped anywhere; nor are installs guarded by a file test (`if [ -s "
            "requirements.txt ]; then pip install ...`), hooks that do not run as shipped."
        ),
        "Fix safety": (
            "Safe. `optimus fix` adds `--no-cache-dir` to `pip install` (and `--no-cache` for "
            "`uv pip install`) in the reported RUN, editing only that instruction."
        ),
    }
    references = (
        Reference("hadolint DL3042", "https://github.com/hadolint/hadolint/wiki/DL3042"),
        Reference(
            "pip install: general options (--no-cache-dir)",
            "https://pip.pypa.io/en/stable/cli/pip_install/",
        ),
        Reference("uv: Caching", "https://docs.astral.sh/uv/concepts/cache/"),
        Reference(
            "uv: Using uv in Docker (caching)",
            "https://docs.astral.sh/uv/guides/integration/docker/#caching",
        ),
        Reference(
            "Docker: Optimize cache usage in builds (use cache mounts)",
            "https://docs.docker.com/build/cache/optimize/#use-cache-mounts",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if is_template(src) or is_dev_image(src):
            return
        chain = stage_chain(src.dockerfile)
        for stage in reversed(chain):
            for ins in stage.of("RUN"):
                if _mount_holds_cache(ins) or OPTIONAL_INSTALL.search(ins.args):
                    continue  # a cache mount, or an install hook that does not run as shipped
                env = chain_env(chain, ins)
                if "PIP_CONFIG_FILE" in env or "UV_CONFIG_FILE" in env:
                    continue
                commands = run_commands(ins)
                for index, command in enumerate(commands):
                    tool = cache_kept(command, env)
                    if tool is None or _cleans_cache(commands, index, tool):
                        continue
                    shown = command.text if len(command.text) <= 60 else command.text[:57] + "..."
                    cache = "~/.cache/pip" if tool == "pip" else "~/.cache/uv"
                    yield Hit(
                        f"`{shown}` keeps {tool}'s download and wheel cache ({cache}) in this "
                        f"layer of the shipped image, where no later install uses it: "
                        f"{_fix(tool)}",
                        line=ins.line,
                        end_line=ins.end_line,
                    )
                    break
