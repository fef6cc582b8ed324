"""docker-heavy-base: the final image is built on a full image where a slim variant exists.

Only the final stage matters (it is the image that ships); builder stages may use any image.
The final FROM is resolved through the Dockerfile's global ARG defaults and through earlier
stage aliases (``FROM base`` where ``base`` is an earlier stage inherits that stage's image),
and registry prefixes (``docker.io/library/``), digests and ``--platform`` are looked
through. Images whose name cannot be known (``FROM ${BASE}`` with no default) are skipped.
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
from optimus.rules.docker._common import (
    global_args,
    is_base_image_definition,
    is_dev_image,
    substitute,
)

_DOCKER_HUB = frozenset(
    {"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}
)
#: Debian release names used as tag suffixes (python:3.12-bookworm -> python:3.12-slim-bookworm).
_DEBIAN_SUITES = ("trixie", "bookworm", "bullseye", "buster")
#: Tag words that already mean a small image (or one this rule does not judge).
_SMALL_TAG_WORDS = ("slim", "alpine", "distroless", "runtime", "windowsservercore", "nanoserver")


@dataclass(frozen=True)
class ImageRef:
    """An image reference split into the parts this rule reads."""

    text: str  # as written after ARG substitution (unknown ARGs left as ${NAME})
    repository: str  # Docker Hub repository ("python", "nvidia/cuda") or registry path
    tag: str  # "" when absent; may hold an unexpanded ${NAME}


@dataclass(frozen=True)
class Advice:
    """What to say about a heavy image: what it is, and what to use instead."""

    what: str
    instead: str
    severity: Severity | None = None


def parse_image(text: str) -> ImageRef | None:
    """Split an image reference; None when its name is not known (an unexpanded ARG)."""
    ref = text.split("@", 1)[0]  # a digest pins content; the tag (if any) still names it
    slash, colon = ref.rfind("/"), ref.rfind(":")
    name, tag = (ref[:colon], ref[colon + 1 :]) if colon > slash else (ref, "")
    if not name or "$" in name:
        return None
    if "@" in text and not tag:
        return None  # digest only: the variant cannot be told from the reference
    parts = name.lower().split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry, path = parts[0], parts[1:]
    else:
        registry, path = "docker.io", parts
    if registry == "public.ecr.aws" and path[:1] == ["docker"]:
        registry, path = "docker.io", path[1:]  # AWS's mirror of Docker Hub
    if "library" in path:  # Docker Hub itself, or a pull-through cache of it
        registry, path = "docker.io", path[len(path) - path[::-1].index("library") :]
    if registry in _DOCKER_HUB or registry == "mirror.gcr.io":
        return ImageRef(text, "/".join(path), tag)
    return ImageRef(text, f"{registry}/{'/'.join(path)}", tag)


def _slim_tag(tag: str) -> str:
    """A python/ruby tag made slim: 3.12 -> 3.12-slim, 3.12-bookworm -> 3.12-slim-bookworm."""
    if tag in ("", "latest"):
        return "slim"
    for suite in _DEBIAN_SUITES:
        if tag == suite:
            return f"slim-{suite}"
        if tag.endswith(f"-{suite}"):
            return f"{tag[: -len(suite) - 1]}-slim-{suite}"
    return f"{tag}-slim"


def _version(tag: str, fallback: str) -> str:
    match = re.match(r"\d+(?:\.\d+)*", tag)
    return match.group(0) if match else fallback


def advise(image: ImageRef) -> Advice | None:
    """The lighter image to suggest for a heavy one, or None when it is already small."""
    repo, tag = image.repository, image.tag
    words = tag.lower()
    if any(w in words for w in _SMALL_TAG_WORDS):
        return None
    if repo in ("python", "ruby"):
        note = " (prefer -slim to -alpine: musl libc lacks most prebuilt wheels)"
        return Advice(
            "the full image with compilers and headers",
            f"{repo}:{_slim_tag(tag)} ships the same interpreter without them"
            f"{note if repo == 'python' else ''}; if the build needs them, install "
            "dependencies in a builder stage and copy the result into a slim final stage",
        )
    if repo == "node":
        slim = "slim" if tag in ("", "latest") else f"{tag}-slim"
        return Advice(
            "the full image with the build toolchain",
            f"node:{slim} ships the same Node.js without it; compile native modules in a "
            "builder stage if needed",
        )
    if repo == "debian":
        slim = "stable-slim" if tag in ("", "latest") else f"{tag}-slim"
        return Advice("the full Debian image", f"debian:{slim} is the same release, smaller")
    if repo == "buildpack-deps":
        suite = tag.split("-")[0] if tag and tag != "latest" else "stable"
        return Advice(
            "a build image with compilers and headers",
            f"run on debian:{suite}-slim and build in an earlier stage",
        )
    # ubuntu has no -slim variant: its image is already the minimal Ubuntu userland, and
    # moving to distroless or chiselled images is a redesign (no shell, no apt), not a base
    # swap. On real projects (Zulip, AWS Neuron, Galera) the advice never applied.
    if repo == "rust":
        return Advice(
            "the full Rust toolchain",
            "build in a rust stage and copy the binary into debian:bookworm-slim or "
            "gcr.io/distroless/cc-debian12",
        )
    if repo == "golang":
        return Advice(
            "the full Go toolchain",
            "build in a golang stage and copy the binary into "
            "gcr.io/distroless/static-debian12 or scratch (with CGO_ENABLED=0)",
        )
    if repo in ("openjdk", "eclipse-temurin"):
        if "jre" in words:
            return None
        deprecated = " (and the openjdk image is deprecated)" if repo == "openjdk" else ""
        return Advice(
            f"a full JDK{deprecated}",
            f"run the application on a JRE such as eclipse-temurin:{_version(tag, '21')}-jre "
            "and compile in a builder stage",
        )
    if repo in ("nvidia/cuda", "pytorch/pytorch") and "devel" in words:
        return Advice(
            "a -devel image with the CUDA compiler and headers",
            f"{repo}:{tag.replace('devel', 'runtime')} has the same CUDA libraries without "
            "them, unless code is compiled at run time",
        )
    if repo == "mcr.microsoft.com/dotnet/sdk":
        return Advice(
            "the .NET SDK",
            "publish in an sdk stage and run on "
            f"mcr.microsoft.com/dotnet/aspnet:{tag or 'latest'} (or dotnet/runtime)",
        )
    return None


def resolve_final(dockerfile: Dockerfile) -> tuple[ImageRef, Instruction, list[str]] | None:
    """The final stage's real base image, the FROM that names it, and the aliases crossed."""
    stage: Stage | None = dockerfile.final_stage
    if stage is None:
        return None
    args = global_args(dockerfile)
    crossed: list[str] = []
    seen: set[int] = set()
    while stage is not None and stage.index not in seen:
        seen.add(stage.index)
        words = stage.from_instruction.args.split()
        if not words:
            return None
        text = substitute(words[0], args)
        earlier = next(
            (s for s in dockerfile.stages[: stage.index] if s.alias == text.lower()), None
        )
        if earlier is None:
            image = parse_image(text)
            return (image, stage.from_instruction, crossed) if image else None
        crossed.append(text)
        stage = earlier
    return None


@rule
class DockerHeavyBase(Rule):
    name = "docker-heavy-base"
    fixable = True
    code = "DK001"
    category = Category.COST
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 30
    kinds = frozenset({"dockerfile"})
    prefilter = (b"FROM", b"from")
    summary = "The final image is built on a full base image where a slim variant exists."
    doc = {
        "What it finds": (
            "A Dockerfile whose final stage (the image that ships) is based on a full image "
            "that has a smaller variant: `python`, `node`, `ruby` without `-slim`/`-alpine`; "
            "`rust` and `golang` toolchains; a full JDK (`openjdk`, `eclipse-temurin` without "
            "`-jre`); `debian` without `-slim`; `buildpack-deps`; CUDA `-devel` images; the "
            ".NET SDK. `ubuntu` is not reported: it has no -slim variant and is already "
            "minimal; a distroless or chiselled base is a redesign, not a swap. The final "
            "FROM is followed through global `ARG` defaults and earlier stage aliases "
            "(`FROM base`); registry prefixes, "
            "digests and `--platform` are looked through. Builder stages are not judged, and "
            "development and CI images (`.devcontainer/`, `ci/`, `.github/`, `Dockerfile.dev`, "
            "`Dockerfile.test`, `ci.Dockerfile`, test folders, a plain `Dockerfile` beside a "
            "`Dockerfile.prod`) are skipped, as are base image "
            "definitions (such as the official `python:3.12` Dockerfile: no CMD, or a bare "
            "`python3`/`node`/`bash`, and no application sources copied), whose variant is "
            "chosen by the images built on them."
        ),
        "Why": (
            "Docker's build best practices say to choose a minimal base image and to use "
            "multi-stage builds so that the final image only holds what the application "
            "needs. The full official images carry compilers, headers and tools that a "
            "running service does not use: they take longer to pull on every deploy and "
            "scale-out, cost registry storage and transfer, and widen the attack surface. "
            "Optimus does not measure the size difference (it pulls no images); check it "
            "with `docker image ls` after the change."
        ),
        "Example": (
            "```dockerfile\nFROM python:3.12\nCOPY . /app\n"
            "RUN pip install -r /app/requirements.txt\n```"
        ),
        "Instead": (
            "```dockerfile\nFROM python:3.12 AS build\nCOPY requirements.txt .\n"
            "RUN pip install --prefix=/install -r requirements.txt\n\n"
            "FROM python:3.12-slim\nCOPY --from=build /install /usr/local\nCOPY . /app\n```\n\n"
            "For Python prefer `-slim` over `-alpine`: Alpine uses musl libc, and many "
            "packages publish no musllinux wheels, so they compile from source or fail."
        ),
        "When not to": (
            "Images that must compile at run time (JIT extensions, CUDA kernels built on "
            "start), CI or tool images whose purpose is the toolchain, and images where the "
            "base is shared with many others on the same hosts (its layers are pulled once)."
        ),
        "Fix safety": (
            "Unsafe (applied only with `--unsafe-fixes`). `optimus fix` switches the final "
            "stage's base to the `-slim` variant of the same tag (python, ruby, node, "
            "debian), keeping registry and `--platform`; a build step that needs compilers or "
            "headers then fails. Other images (rust, golang, JDKs, CUDA), ARG-named bases and "
            "digest pins are refused."
        ),
    }
    references = (
        Reference(
            "Docker: Building best practices (choose the right base image, multi-stage builds)",
            "https://docs.docker.com/build/building/best-practices/",
        ),
        Reference(
            "Docker Hub: python image variants (python:<version>-slim)",
            "https://hub.docker.com/_/python",
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if is_dev_image(src) or is_base_image_definition(src.dockerfile):
            return  # a base image's variant is what images built on it choose
        resolved = resolve_final(src.dockerfile)
        if resolved is None:
            return
        image, from_ins, crossed = resolved
        advice = advise(image)
        if advice is None:
            return
        via = ""
        if crossed:
            final = src.dockerfile.final_stage
            final_line = final.from_instruction.line if final else from_ins.line
            via = f" (through FROM {crossed[0]} on line {final_line})"
        yield Hit(
            f"final image based on {image.text}{via}, {advice.what}: {advice.instead}",
            line=from_ins.line,
            severity=advice.severity,
        )
