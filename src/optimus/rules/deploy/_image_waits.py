"""What a compose service's image runs before its main process: the start and init scripts
that the project's own Dockerfile copies in, for compose-no-healthcheck.

A service that runs the project's own published image (``image:
ghcr.io/paperless-ngx/paperless-ngx`` in the ``paperless-ngx`` repository) has no ``build:``
to follow, yet its Dockerfile is in the project. This module finds that Dockerfile, then the
scripts the image runs at start: its ENTRYPOINT/CMD scripts, and the init and service
scripts of process supervisors (s6-overlay's ``s6-rc.d/*/run|up``, ``services.d``,
``cont-init.d``, ``/docker-entrypoint.d``) that a folder copy such as ``COPY docker/rootfs /``
brings in, and the scripts those call. It only reads text: nothing scanned is imported or run.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from optimus.analyze.project_context import ProjectContext
from optimus.discover.walk import SKIP_DIRS
from optimus.parse.dockerfile import Dockerfile, Stage
from optimus.parse.errors import ParseError
from optimus.rules.docker._common import compose_builds, stage_chain

#: Largest file read from disk (a Dockerfile or a script the image runs).
READ_LIMIT = 1_000_000
#: Most files listed under one copied folder: a root filesystem, not a whole repository.
_MAX_LISTED = 2_000

#: Image paths of scripts that process supervisors and entrypoint conventions run at start.
_INIT_PATH = re.compile(
    r"^/etc/s6-overlay/s6-rc\.d/[^/]+/(?:run|up)$"
    r"|^/etc/s6-overlay/scripts/[^/]+$"
    r"|^/etc/services\.d/[^/]+/run$"
    r"|^/etc/cont-init\.d/[^/]+$"
    r"|^/etc/my_init\.d/[^/]+$"
    r"|^/docker-entrypoint\.d/[^/]+$"
)
_INIT_ROOTS = ("/etc", "/docker-entrypoint.d")
#: Absolute image paths a script runs (``python3 /usr/local/bin/wait-for-redis.py``).
_CALLED = re.compile(r"(?<![\w$./-])(/(?:[\w.-]+/)*[\w.-]+)")
#: The OCI label that names the repository an image is built from.
_SOURCE_LABEL = re.compile(
    r"org\.opencontainers\.image\.source\s*=\s*[\"']?(?:https?://)?[^/\s\"']+/([^\s\"']+?)"
    r"(?:\.git)?/?[\"']?(?:\s|$)"
)


def read_text(ctx: ProjectContext, path: str) -> str | None:
    """A root-relative file's text. A file the project's walk did not keep (a script without
    an extension, a build context that is a project of its own) is read from disk, under the
    scan root only."""
    if path in ctx.sources:
        try:
            return ctx.sources[path].text
        except ParseError:
            return None
    if ctx.prefix and path.startswith(ctx.prefix):
        text = ctx.read_text(path[len(ctx.prefix) :])
        if text is not None:
            return text
    full = on_disk(ctx, path)
    if full is None:
        return None
    try:
        if not os.path.isfile(full) or os.path.getsize(full) > READ_LIMIT:
            return None
        with open(full, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return None


def on_disk(ctx: ProjectContext, path: str) -> str | None:
    """The absolute path of a root-relative path, or None when it would leave the scan root."""
    path = posixpath.normpath(path)
    if not ctx.root or path.startswith(("/", "../")) or path == "..":
        return None
    return os.path.join(ctx.root, path) if path != "." else ctx.root


def _image_path(image: str) -> list[str]:
    """``ghcr.io/owner/name:tag@sha256:...`` -> ``["ghcr.io", "owner", "name"]`` (lower case)."""
    ref = image.split("@", 1)[0].lower()
    head, _, last = ref.rpartition("/")
    last = last.split(":", 1)[0]
    return [*head.split("/"), last] if head else [last]


def _manifest_names(ctx: ProjectContext) -> set[str]:
    """The names the project's own manifests give it (pyproject, package.json, Cargo.toml)."""
    names: set[str] = set()
    for local, keys in (
        ("pyproject.toml", (("project", "name"), ("tool", "poetry", "name"))),
        ("Cargo.toml", (("package", "name"),)),
    ):
        src = ctx.source(local)
        try:
            data = src.toml if src is not None else {}
        except ParseError:
            continue
        for key in keys:
            value: object = data
            for part in key:
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, str):
                names.add(value.lower())
    src = ctx.source("package.json")
    try:
        package = src.json if src is not None else None
    except ParseError:
        package = None
    if isinstance(package, dict) and isinstance(package.get("name"), str):
        names.add(package["name"].lower().rsplit("/", 1)[-1])
    return names


@dataclass(frozen=True)
class OwnBuild:
    """The project's Dockerfile that builds an image a compose service runs by name."""

    dockerfile: str
    context: str
    target: str | None
    how: str


def own_image_build(ctx: ProjectContext, image: str) -> OwnBuild | None:
    """The project's Dockerfile that builds ``image``, when the image is the project's own:
    a compose service of the project builds it under that name; or a Dockerfile's
    ``org.opencontainers.image.source`` label names the image's ``owner/name``; or the
    image's name is the project's (its folder's or its manifest's) and the project has a
    Dockerfile at its top (or only one)."""
    parts = _image_path(image)
    if not parts[-1] or "$" in image:
        return None
    for build in compose_builds(ctx):
        other = build.config.get("image")
        if isinstance(other, str) and _image_path(other)[-2:] == parts[-2:]:
            target = (
                build.config["build"].get("target")
                if isinstance(build.config.get("build"), dict)
                else None
            )
            return OwnBuild(build.dockerfile, build.context, target, build.label)
    dockerfiles = [s for s in ctx.of_kind("dockerfile")]
    if len(parts) >= 2:
        for src in dockerfiles:
            label = _SOURCE_LABEL.search(src.data.decode("utf-8", "replace"))
            if label is not None and label.group(1).lower().split("/")[-2:] == parts[-2:]:
                return OwnBuild(
                    src.path, posixpath.dirname(src.path), None, f"`{src.path}` (its source label)"
                )
    folder = os.path.basename(ctx.project.path) if ctx.project.path != "." else ""
    names = {folder.lower(), ctx.project.name.lower(), *_manifest_names(ctx)} - {"", "."}
    if ctx.root and ctx.project.path == ".":
        names.add(os.path.basename(os.path.normpath(ctx.root)).lower())
    if parts[-1] not in names:
        return None
    top = ctx.prefix + "Dockerfile"
    if top in ctx.sources:
        chosen = top
    elif len(dockerfiles) == 1:
        chosen = dockerfiles[0].path
    else:
        return None
    return OwnBuild(chosen, posixpath.dirname(chosen), None, f"`{chosen}`")


@dataclass(frozen=True)
class _Copy:
    source: str  # root-relative path in the build context
    dest: str  # absolute image path (a folder when the source is one)
    folder: bool


def _copies(ctx: ProjectContext, context: str, chain: list[Stage]) -> list[_Copy]:
    """The build context's files and folders the stages copy in, earliest first."""
    out: list[_Copy] = []
    workdir = "/"
    for stage in reversed(chain):
        for ins in stage.instructions:
            if ins.keyword == "WORKDIR" and ins.args.strip():
                workdir = posixpath.join(workdir, ins.args.strip().strip("\"'"))
            if ins.keyword not in ("COPY", "ADD") or "from" in ins.flags:
                continue
            words = [w for w in ins.words if not w.startswith("--")]
            if len(words) < 2:
                continue
            *sources, dest = words
            dest = posixpath.join(workdir, dest) if not dest.startswith("/") else dest
            for source in sources:
                if "://" in source or "$" in source or "*" in source:
                    continue
                path = posixpath.normpath(posixpath.join(context, source))
                full = on_disk(ctx, path)
                is_folder = full is not None and os.path.isdir(full)
                if not is_folder and (dest.endswith("/") or len(sources) > 1 or dest == "."):
                    dest_file = posixpath.join(dest, posixpath.basename(path))
                else:
                    dest_file = dest
                out.append(_Copy(path, posixpath.normpath(dest_file), is_folder))
    return out


def _listed(ctx: ProjectContext, folder: str) -> Iterator[str]:
    """Root-relative paths of the files under a folder of the build context."""
    full = on_disk(ctx, folder)
    if full is None:
        return
    seen = 0
    for dirpath, dirnames, filenames in os.walk(full):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            seen += 1
            if seen > _MAX_LISTED:
                return
            rel = os.path.relpath(os.path.join(dirpath, name), full).replace(os.sep, "/")
            yield f"{folder}/{rel}" if folder not in ("", ".") else rel


def _source_of(copies: list[_Copy], image_path: str) -> str | None:
    """The build-context file an image path comes from (the last copy that brings it)."""
    for copy in reversed(copies):
        if not copy.folder and copy.dest == image_path:
            return copy.source
        base = copy.dest.rstrip("/") + "/"
        if copy.folder and image_path.startswith(base):
            return posixpath.normpath(posixpath.join(copy.source, image_path[len(base) :]))
    return None


@dataclass(frozen=True)
class StartText:
    """A script the image runs before its main process, and whether it is a Python file."""

    path: str
    text: str
    python: bool


def start_texts(
    ctx: ProjectContext,
    context: str,
    dockerfile: Dockerfile,
    target: str | None,
    entry_words: list[str],
) -> list[StartText]:
    """The init and service scripts the image's supervisor runs (from folder copies), the
    scripts named in ``entry_words`` (its ENTRYPOINT/CMD), and the scripts those call by
    absolute path, one level down."""
    cache = ctx.__dict__.setdefault("_image_start_texts", {})
    key = (context, id(dockerfile), target, tuple(entry_words))
    if key not in cache:
        cache[key] = _start_texts(ctx, context, dockerfile, target, entry_words)
    return cache[key]


def _start_texts(
    ctx: ProjectContext,
    context: str,
    dockerfile: Dockerfile,
    target: str | None,
    entry_words: list[str],
) -> list[StartText]:
    chain = stage_chain(dockerfile, target)
    copies = _copies(ctx, context, chain)
    first: list[str] = []
    for copy in copies:
        if not copy.folder:
            if _INIT_PATH.match(copy.dest):
                first.append(copy.source)
            continue
        if not (copy.dest == "/" or copy.dest.startswith(_INIT_ROOTS)):
            continue  # no init or service folder lies under it: not worth listing
        base = copy.dest.rstrip("/")
        for path in _listed(ctx, copy.source):
            image_path = f"{base}/{path[len(copy.source) + 1 :]}"
            if _INIT_PATH.match(image_path):
                first.append(path)
    for word in entry_words:
        if word.startswith("/") and (source := _source_of(copies, word)) is not None:
            first.append(source)
    found: dict[str, StartText] = {}
    for path in dict.fromkeys(first):
        text = read_text(ctx, path)
        if text is None:
            continue
        found[path] = StartText(path, text, path.endswith(".py"))
        for called in _CALLED.findall(text):
            source = _source_of(copies, called)
            if source is None or source in found:
                continue
            called_text = read_text(ctx, source)
            if called_text is not None:
                python = source.endswith(".py") or called_text.startswith("#!/usr/bin/env python")
                found[source] = StartText(source, called_text, python)
    return list(found.values())


#: A loop header in Python, and the calls in its body that probe a service and wait.
_PY_LOOP = re.compile(r"^([ \t]*)(?:while|for)\b[^\n]*:[ \t]*(?:#[^\n]*)?$", re.MULTILINE)
_PY_PROBE = re.compile(
    r"\.ping\(|\bconnect\(|\bcreate_connection\(|\bpg_isready\b|\bcheck_output\(|\.execute\("
)
_PY_SLEEP = re.compile(r"\bsleep\(")


def python_waits(text: str) -> list[str]:
    """The retry loops of a Python script that probe a service and sleep between tries
    (``while ...: try: client.ping() ... time.sleep(5)``), each as its header and body."""
    waits = []
    for match in _PY_LOOP.finditer(text):
        indent = len(match.group(1).expandtabs())
        body: list[str] = []
        for line in text[match.end() :].splitlines()[1:80]:
            if line.strip() and len(line) - len(line.lstrip()) <= indent:
                break
            body.append(line.strip())
        block = "\n".join(body)
        if _PY_PROBE.search(block) and _PY_SLEEP.search(block):
            waits.append(match.group(0).strip() + " " + " ".join(b for b in body if b))
    return waits
