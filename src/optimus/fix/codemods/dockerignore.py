"""docker-no-dockerignore: create a .dockerignore at the build context, made for the stack.

The file goes to the build context the finding names (a compose service's context, else the
Dockerfile's folder). Its entries come from the project's stack (its languages and package
managers, and the manifests present in the context): version control, local environments,
caches, dependency folders that the image build recreates (node_modules, target, .venv),
local .env files and editor folders. Any entry that the Dockerfile copies by name
(``COPY .env.production ./``, ``COPY target/release/app``) is left out, so the build copies
the same files it names; ``.git`` is kept when the build reads its version from git
(setuptools-scm, hatch-vcs, versioneer, vergen..., or a ``git`` command in a RUN). An image
that read settings from a copied .env file must now get them from its environment. Refused
when an ignore file already exists there (or beside the Dockerfile as
``<Dockerfile>.dockerignore``).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re

from optimus.fix.base import FileChange, FixContext, ProposedFix, fixer
from optimus.fix.codemods import _dockerfile as df
from optimus.model import Applicability, Finding
from optimus.rules.docker._common import run_commands

_COMPOSE_CONTEXT = re.compile(r"\((`([^`]*)/`|the scan root), the context of compose service")

_COMMON = (
    "# version control and editors",
    ".git",
    ".gitignore",
    ".hg",
    ".svn",
    ".idea",
    ".vscode",
    "**/.DS_Store",
    "# local settings and secrets",
    ".env",
    ".env.*",
    "*.log",
    "# container files themselves",
    ".dockerignore",
    "docker-compose*.yml",
    "compose*.yaml",
)
_PYTHON = (
    "# Python: environments, bytecode, tool caches",
    ".venv",
    "venv",
    "**/__pycache__",
    "**/*.py[cod]",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".tox",
    ".nox",
    ".coverage",
    "htmlcov",
    "**/*.egg-info",
)
_NODE = (
    "# Node.js: installed packages and caches (the build installs its own)",
    "node_modules",
    "**/node_modules",
    ".npm",
    ".yarn/cache",
    ".pnpm-store",
    "coverage",
    ".nyc_output",
    ".next/cache",
    "npm-debug.log*",
    "yarn-error.log*",
)
_RUST = ("# Rust: build output (the build compiles its own)", "target")
_GO = ("# Go: test and coverage output", "*.test", "*.out")


def _context_of(finding: Finding) -> str:
    """The build context folder (root-relative, "" for the scan root) the finding names."""
    match = _COMPOSE_CONTEXT.search(finding.message)
    if match:
        return match.group(2) or ""
    return posixpath.dirname(finding.path)


def _stack(finding: Finding, ctx: FixContext, context: str) -> set[str]:
    """The stacks of the project and of the context: python, node, rust, go."""
    found: set[str] = set()
    languages = set(ctx.project.stack.languages) | set(ctx.project.stack.package_managers)
    if languages & {"python", "pip", "uv", "poetry", "pdm", "pipenv"}:
        found.add("python")
    if languages & {"javascript", "typescript", "tsx", "npm", "yarn", "pnpm", "bun"}:
        found.add("node")
    if languages & {"rust", "cargo"}:
        found.add("rust")
    if languages & {"go"}:
        found.add("go")
    markers = {
        "python": ("pyproject.toml", "requirements.txt", "setup.py", "Pipfile"),
        "node": ("package.json",),
        "rust": ("Cargo.toml",),
        "go": ("go.mod",),
    }
    for stack, names in markers.items():
        if any(ctx.exists(posixpath.join(context, n) if context else n) for n in names):
            found.add(stack)
    return found


#: Build tools that read the version from git history: the context must keep .git for them.
_GIT_VERSIONING = re.compile(
    r"setuptools[_-]scm|hatch-vcs|vcs-versioning|versioneer|dunamai|dynamic-versioning"
    r"|pbr|source\s*=\s*[\"']scm[\"']|\bvergen\b|git-version|shadow-rs|\bbuilt\b"
)
_VERSIONING_FILES = ("pyproject.toml", "setup.py", "setup.cfg", "Cargo.toml", "package.json")


def _needs_git(ctx: FixContext, context: str, dockerfile_text: str) -> bool:
    """Whether the build reads git metadata (a version from tags, `git` in a RUN)."""
    for ins in df.parse(dockerfile_text).instructions:
        if ins.keyword == "RUN" and any(c.name == "git" for c in run_commands(ins)):
            return True
    for name in _VERSIONING_FILES:
        text = ctx.read_text(posixpath.join(context, name) if context else name)
        if text is not None and _GIT_VERSIONING.search(text):
            return True
    return False


def _named_sources(dockerfile_text: str) -> list[str]:
    """The context paths that COPY/ADD instructions name (without a leading ./)."""
    sources: list[str] = []
    for ins in df.parse(dockerfile_text).instructions:
        if ins.keyword in ("COPY", "ADD") and "from" not in ins.flags and not ins.heredocs:
            sources += [w.removeprefix("./").rstrip("/") for w in ins.words[:-1]]
    return [s for s in sources if s not in ("", ".", "*")]


def _conflicts(entry: str, sources: list[str]) -> bool:
    """Whether ignoring ``entry`` would drop a path the Dockerfile copies by name."""
    bare = entry.removeprefix("**/")
    for source in sources:
        parts = source.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        if any(
            fnmatch.fnmatch(p, bare) or fnmatch.fnmatch(p.rsplit("/", 1)[-1], bare)
            for p in prefixes
        ):
            return True
    return False


def render(stacks: set[str], sources: list[str], keep_git: bool = False) -> str:
    """The .dockerignore text for these stacks, without entries the Dockerfile copies."""
    common = tuple(e for e in _COMMON if not (keep_git and e in (".git", ".gitignore")))
    blocks = [common]
    blocks += [
        b
        for s, b in (("python", _PYTHON), ("node", _NODE), ("rust", _RUST), ("go", _GO))
        if s in stacks
    ]
    lines = [
        "# Generated by optimus (docker-no-dockerignore): files the image build does not need.",
        "# Review it: remove an entry if the image must contain those files.",
    ]
    for block in blocks:
        kept = [e for e in block[1:] if not _conflicts(e, sources)]
        if kept:
            lines += ["", block[0], *kept]
    return "\n".join(lines) + "\n"


@fixer("docker-no-dockerignore", Applicability.SAFE)
def fix_no_dockerignore(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """Create the build context's .dockerignore from the project's stack."""
    dockerfile = ctx.read_text(finding.path)
    if dockerfile is None:
        return None
    context = _context_of(finding)
    target = posixpath.join(context, ".dockerignore") if context else ".dockerignore"
    if ctx.exists(target) or ctx.exists(finding.path + ".dockerignore"):
        return None
    keep_git = _needs_git(ctx, context, dockerfile)
    text = render(_stack(finding, ctx, context), _named_sources(dockerfile), keep_git)
    return ProposedFix(
        finding.rule,
        Applicability.SAFE,
        f"add {target} so that version control, local environments, caches and .env files "
        "stay out of the build context and the image",
        (FileChange(target, text, created=True),),
    )
