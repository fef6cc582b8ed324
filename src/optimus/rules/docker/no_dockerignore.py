"""docker-no-dockerignore: a build that copies its whole context has no .dockerignore.

Judged per build context, as Docker reads the ignore file from the context root (or, with
BuildKit, from ``<Dockerfile>.dockerignore`` beside the Dockerfile). Contexts come from
docker compose services (``build:`` string or ``build.context``, relative to the compose file);
a Dockerfile no compose file builds may be built from its own folder or from any folder above
it (a parent project's compose file, CI's ``docker build -f x/Dockerfile .``), so it fires
only when none of them, up to the scan root, has a .dockerignore. BuildKit sends only
the files that COPY/ADD name, so the rule looks only at Dockerfiles that use the whole context:
``COPY . .``, ``ADD . /app``, ``COPY ./ ./``, ``COPY * ./`` or a ``RUN --mount=type=bind``
of the context root.
"""

from __future__ import annotations

from collections.abc import Iterator

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.parse.dockerfile import Dockerfile, Instruction
from optimus.parse.errors import ParseError
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.docker._common import (
    ComposeBuild,
    compose_builds,
    folder_of,
    has_root_file,
    ignore_file_above,
    in_project,
    is_template,
    joined,
)
from optimus.rules.docker.cache_order import copies_whole_context

_ROOT_SOURCES = frozenset({"", ".", "./", "/"})


def _binds_whole_context(ins: Instruction) -> bool:
    """RUN --mount=type=bind with no ``from`` and the context root as source (the default)."""
    for mount in ins.flags.get("mount", "").split():
        options = dict(o.partition("=")[::2] for o in mount.split(","))
        if options.get("type", "bind") != "bind" or "from" in options:
            continue
        if options.get("source", options.get("src", "")) in _ROOT_SOURCES:
            return True
    return False


def whole_context_use(dockerfile: Dockerfile) -> Instruction | None:
    """The first instruction (any stage) that copies or mounts the whole build context."""
    for ins in dockerfile.instructions:
        if copies_whole_context(ins) or (ins.keyword == "RUN" and _binds_whole_context(ins)):
            return ins
    return None


def _ignored(ctx: ProjectContext, context: str, dockerfile: str) -> bool:
    """Whether a build of ``dockerfile`` with ``context`` has an ignore file."""
    return has_root_file(ctx, joined(context, ".dockerignore")) or has_root_file(
        ctx, dockerfile + ".dockerignore"
    )


def _candidate_contexts(ctx: ProjectContext, dockerfile: str) -> list[str]:
    """The Dockerfile's folder and the folders above it, up to the project root."""
    top = ctx.prefix.rstrip("/")
    folders: list[str] = []
    folder = folder_of(dockerfile)
    while True:
        folders.append(folder)
        if folder == top or not folder:
            return folders
        folder = folder_of(folder)


def _shown(folder: str) -> str:
    return f"`{folder}/`" if folder else "the scan root"


@rule
class DockerNoDockerignore(Rule):
    name = "docker-no-dockerignore"
    fixable = True
    code = "DK007"
    category = Category.PERFORMANCE
    severity = Severity.LOW
    confidence = Confidence.HIGH
    effort = 5
    kinds = frozenset({"dockerfile", "yaml"})
    scope = "project"
    summary = "A build that copies its whole context has no .dockerignore."
    doc = {
        "What it finds": (
            "A Dockerfile that copies or mounts the whole build context (`COPY . .`, "
            "`ADD . /app`, `COPY ./ ./`, `COPY * ./`, `RUN --mount=type=bind,target=.`) "
            "where the context has no `.dockerignore` at its root and there is no "
            "`<Dockerfile>.dockerignore` beside the Dockerfile. The context is the one a "
            "docker compose service gives (`build: ./api`, `build.context`, relative to the "
            "compose file); for a Dockerfile that no compose file builds, it fires only when "
            "neither its folder nor any folder above it (up to the scan root) has a "
            "`.dockerignore`. "
            "Dockerfiles that copy only named files are not reported: BuildKit sends only the "
            "files that COPY and ADD use."
        ),
        "Why": (
            "The build context is every file under the context folder. Without a "
            "`.dockerignore`, `COPY . .` sends and copies all of it: the `.git` folder, "
            "`node_modules`, virtual environments, build output, local `.env` files and "
            "credentials. The image grows, secrets can end up in a layer, and any change to "
            "those files (a commit, a local build) invalidates the layer cache of the copy "
            'and of every step after it. Docker: a `.dockerignore` "helps avoid sending '
            "unwanted files and directories to the builder, improving build speed, "
            'especially when using a remote builder". The size saved is not measured here.'
        ),
        "Example": (
            "```dockerfile\nFROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\n```\n\n"
            "in a folder with no `.dockerignore`."
        ),
        "Instead": (
            "Add a `.dockerignore` at the root of the build context:\n\n"
            "```\n.git\n**/node_modules\n**/.venv\n**/__pycache__\n**/target\ndist\n"
            ".env*\n*.log\n```\n\n"
            "or an allow-list (`*` then `!src`, `!package.json`...). With several "
            "Dockerfiles sharing a context, BuildKit reads `<name>.Dockerfile.dockerignore` "
            "beside each one."
        ),
        "When not to": (
            "Contexts that hold only what the image needs (a dedicated folder with the "
            "artifact), and builds driven by scripts or CI with a context the rule cannot "
            "see (a compose file in another repository or in a parent project)."
        ),
        "Fix safety": (
            "Safe. `optimus fix` creates a `.dockerignore` at the build context with entries "
            "for the project's stack (version control, virtual environments, node_modules, "
            "target, caches, `.env` files); it keeps `.git` when the build reads its version "
            "from git."
        ),
    }
    references = (
        Reference(
            "Docker: Build context, .dockerignore files",
            "https://docs.docker.com/build/concepts/context/#dockerignore-files",
        ),
        Reference(
            "Docker: Building best practices (exclude with .dockerignore)",
            "https://docs.docker.com/build/building/best-practices/#exclude-with-dockerignore",
        ),
    )

    def check_project(self, ctx: ProjectContext) -> Iterator[Hit]:
        builds: dict[str, list[ComposeBuild]] = {}
        for build in compose_builds(ctx):
            builds.setdefault(build.dockerfile, []).append(build)
        for src in ctx.of_kind("dockerfile"):
            if is_template(src):
                continue
            try:
                use = whole_context_use(src.dockerfile)
            except ParseError:
                continue
            if use is None:
                continue
            composed = [b for b in builds.get(src.path, []) if in_project(ctx, b.context)]
            if src.path in builds and not composed:
                continue  # built only from contexts outside this project: not visible
            if composed:
                missing = [b for b in composed if not _ignored(ctx, b.context, src.path)]
                if not missing:
                    continue
                first = missing[0]
                where = (
                    f"{_shown(first.context)}, the context of compose service "
                    f"`{first.service}` in {first.compose.path}"
                )
            else:
                contexts = _candidate_contexts(ctx, src.path)
                if any(_ignored(ctx, c, src.path) for c in contexts) or ignore_file_above(ctx):
                    continue
                where = _shown(contexts[0])
                if len(contexts) > 1:
                    where += " or a folder above it"
            yield Hit(
                f"`{use.keyword} {use.args.splitlines()[0][:60]}` uses the whole build context "
                f"({where}), which has no .dockerignore: everything in it (.git, node_modules, "
                "virtualenvs, build output, local .env files) is sent to the builder and "
                "copied into the image, and any change to those files invalidates this layer "
                "and the ones after it. Add a .dockerignore at the context root (or "
                f"{src.path.rsplit('/', 1)[-1]}.dockerignore beside the Dockerfile)",
                line=use.line,
                path=src.path,
            )
