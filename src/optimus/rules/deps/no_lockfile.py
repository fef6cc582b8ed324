"""deps-no-lockfile: an application that declares dependencies but commits no lockfile.

Per ecosystem of the project (Python, Node, Rust), the rule looks for a lockfile at the
project root and, when there is none, decides whether the project is an application (what
is deployed, where the lockfile is what production installs) or a library (whose consumers
resolve versions themselves, so no finding). Workspace members belong to the workspace's
project and share its root lockfile. A git-ignored lockfile is not seen (the walk honours
.gitignore), which is the point: it is not committed.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.parse.errors import ParseError
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.deps._deploy_evidence import (
    NOT_DEPLOY_DIRS,
    deployment_evidence,
    local_path,
    root_names,
)
from optimus.rules.deps._lockfiles import is_pylock
from optimus.rules.deps._requirements import requirement_lines, requirements_state

PYTHON_LOCKS = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock", "pylock.toml")
NODE_LOCKS = (
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "bun.lock",
)
_NODE_FRAMEWORKS = (
    "next",
    "nuxt",
    "gatsby",
    "@sveltejs/kit",
    "astro",
    "react-scripts",
    "@angular/core",
    "@nestjs/core",
    "expo",
    "react-native",
    "@remix-run/node",
    "@remix-run/react",
)
_NODE_LIBRARY_KEYS = ("exports", "module", "types", "typings", "files", "bin", "publishConfig")
#: requirements-dev.txt, requirements_test.txt, requirements-docs.txt...: tools, not the app.
_DEV_REQUIREMENTS = re.compile(r"[-_.](?:dev|devel|test|tests|testing|lint|docs?|ci|typing)\b")
#: Helper crates that are binaries but not the product: xtask, benchmarks, fuzzers, examples.
_RUST_TOOL_CRATES = re.compile(r"(?:^|/)(?:xtask|examples?|bench\w*|tests?|fuzz\w*)(?:/|$)")


@dataclass(frozen=True)
class Ecosystem:
    """What the rule found for one ecosystem of a project."""

    name: str  # "Python", "Node", "Rust"
    manifest: SourceFile | str  # the file the finding is on (a path for files not parsed)
    count: int  # declared dependencies


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _toml(src: SourceFile | None) -> dict[str, Any]:
    if src is None:
        return {}
    try:
        return src.toml
    except ParseError:
        return {}


# --- Python -------------------------------------------------------------------------------


def _python(ctx: ProjectContext, names: set[str]) -> tuple[Ecosystem | None, str | None]:
    """(the Python side of the project if it declares dependencies, what locks it)."""
    pyproject = ctx.source("pyproject.toml")
    doc = _toml(pyproject)
    project, tool = _table(doc.get("project")), _table(doc.get("tool"))
    poetry = _table(tool.get("poetry"))
    count = len(project.get("dependencies") or []) if isinstance(project, dict) else 0
    count += len([k for k in _table(poetry.get("dependencies")) if k.lower() != "python"])
    requirements = sorted(
        (
            s
            for s in ctx.of_kind("requirements")
            if "/" not in s.project_path and not _DEV_REQUIREMENTS.search(s.project_path)
        ),
        key=lambda s: (s.project_path != "requirements.txt", s.project_path),
    )
    states = {}
    for src in requirements:
        try:
            states[src.project_path] = requirements_state(src.text)
        except ParseError:
            states[src.project_path] = "unknown"
    lock = next((n for n in PYTHON_LOCKS if n in names), None)
    lock = lock or next((n for n in sorted(names) if is_pylock(n)), None)
    lock = lock or next(
        (p for p, st in states.items() if st in ("compiled", "hashed", "unknown")), None
    )
    manifest: SourceFile | str | None = None
    pinned = next((s for s in requirements if states[s.project_path] == "pinned"), None)
    if pinned is not None:
        # direct pins only: the file looks like a lock but is not one; say so on that file
        manifest = pinned
        count = sum(1 for _, line in requirement_lines(pinned.text) if not line.startswith("-"))
    elif count and pyproject is not None:
        manifest = pyproject
    elif requirements and any(st != "unknown" for st in states.values()):
        manifest = next(s for s in requirements if states[s.project_path] != "unknown")
        count = sum(1 for _, line in requirement_lines(manifest.text) if not line.startswith("-"))
    elif "Pipfile" in names:
        manifest, count = ctx.prefix + "Pipfile", 1
    if manifest is None:
        return None, lock
    return Ecosystem("Python", manifest, count), lock


def _python_app(ctx: ProjectContext, names: set[str]) -> tuple[bool, str | None]:
    """(is a library, why it is an application) for the Python side."""
    doc = _toml(ctx.source("pyproject.toml"))
    project, tool = _table(doc.get("project")), _table(doc.get("tool"))
    poetry = _table(tool.get("poetry"))
    library = bool(
        project.get("classifiers")
        or project.get("urls")
        or poetry.get("classifiers")
        or poetry.get("repository")
        or "setup.py" in names
    )
    uv = _table(tool.get("uv"))
    member = any(_table(v).get("workspace") is True for v in _table(uv.get("sources")).values())
    if member and "workspace" not in uv:
        return True, None  # a uv workspace member: the lockfile is at the workspace root
    if poetry.get("package-mode") is False or uv.get("package") is False:
        return False, "pyproject.toml says it is not a package"
    if "manage.py" in names:
        return library, "a Django project with manage.py"
    return library, deployment_evidence(ctx)


# --- Node ---------------------------------------------------------------------------------


def _json(src: SourceFile) -> dict[str, Any]:
    try:
        doc = src.json
    except ParseError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _node(ctx: ProjectContext) -> Ecosystem | None:
    """The Node side of the project (root package.json and workspace members), if any."""
    root = ctx.source("package.json")
    if root is None:
        return None
    docs = [_json(src) for src in ctx.of_kind("package-json")]
    count = sum(len(_table(d.get("dependencies"))) for d in docs)
    framework = any(
        f in _table(d.get("devDependencies")) or f in _table(d.get("dependencies"))
        for d in docs
        for f in _NODE_FRAMEWORKS
    )
    if not count and not framework:
        return None  # only development tools (prettier, eslint): nothing ships to production
    count += sum(len(_table(d.get("devDependencies"))) for d in docs)
    return Ecosystem("Node", root, count)


def _node_package_app(doc: dict[str, Any]) -> str | None:
    """Why one package.json is an application, or None (libraries never are)."""
    private = doc.get("private") is True
    if not private and any(k in doc for k in _NODE_LIBRARY_KEYS):
        return None
    deps = {**_table(doc.get("devDependencies")), **_table(doc.get("dependencies"))}
    framework = next((f for f in _NODE_FRAMEWORKS if f in deps), None)
    if framework:
        return f"built on {framework}"
    if private and "start" in _table(doc.get("scripts")) and "workspaces" not in doc:
        return "a private package with a start script"
    return ""  # not a library, not recognisably an application either


def _node_app(ctx: ProjectContext) -> str | None:
    """Why the Node side is an application (root package or a workspace member), or None."""
    root = ctx.source("package.json")
    verdict = _node_package_app(_json(root)) if root is not None else None
    if verdict is None:
        return None  # the root package is a library
    if verdict:
        return verdict
    evidence = deployment_evidence(ctx)
    if evidence:
        return evidence
    for src in ctx.of_kind("package-json"):
        member = _node_package_app(_json(src)) if src is not root else None
        if member:
            return (
                f"{src.project_path} is {member}"
                if member.startswith("a ")
                else (f"{src.project_path} {member}")
            )
    return None


# --- Rust ---------------------------------------------------------------------------------


def _rust(ctx: ProjectContext) -> tuple[Ecosystem | None, str | None]:
    """(the Rust side if it has dependencies, the binary crate that makes it an application)."""
    root = ctx.source("Cargo.toml")
    if root is None:
        return None, None
    count = 0
    binary = None
    mixed: str | None = None
    local_paths = {local_path(ctx, p) for p in ctx.paths}
    for src in ctx.of_kind("cargo-manifest"):
        doc = _toml(src)
        folder = posixpath.dirname(src.project_path)
        prefix = folder + "/" if folder else ""
        count += len(_table(doc.get("dependencies")))
        count += len(_table(_table(doc.get("workspace")).get("dependencies")))
        package = _table(doc.get("package"))
        if not package or _RUST_TOOL_CRATES.search(posixpath.join(ctx.project.path, folder)):
            continue
        if _table(_table(package.get("metadata"))).get("cargo-fuzz"):
            continue
        has_bin = (
            f"{prefix}src/main.rs" in local_paths
            or any(p.startswith(f"{prefix}src/bin/") for p in local_paths)
            or bool(doc.get("bin"))
        )
        # A crate with a library target is a library first (clap, cc and bindgen ship helper
        # or CLI binaries beside their library); only binary-only crates are applications.
        has_lib = f"{prefix}src/lib.rs" in local_paths or "lib" in doc
        name = package.get("name", folder or ".")
        if has_bin and not has_lib and binary is None:
            binary = f"binary crate {name}"
        elif has_bin and mixed is None:
            mixed = name
    if binary is None and mixed is not None:
        # A library-and-binary crate is an application when the project deploys it.
        evidence = deployment_evidence(ctx)
        if evidence:
            binary = f"crate {mixed} with a binary, {evidence}"
    if not count:
        return None, binary
    return Ecosystem("Rust", root, count), binary


# --- the rule -----------------------------------------------------------------------------

_LOCK_NAMES = {
    "Python": "uv.lock, poetry.lock, pdm.lock, pylock.toml, Pipfile.lock or a compiled or "
    "hashed requirements file",
    "Node": "package-lock.json, yarn.lock, pnpm-lock.yaml or bun.lock",
    "Rust": "Cargo.lock",
}


def how_to_lock(eco: Ecosystem, doc: dict[str, Any]) -> str:
    """The command that writes the missing lockfile, for the tool the project uses."""
    if eco.name == "Node":
        return "run `npm install` (or yarn/pnpm/bun install) and commit the lockfile it writes"
    if eco.name == "Rust":
        return "run `cargo generate-lockfile`, commit Cargo.lock and build with `--locked`"
    tool = _table(doc.get("tool"))
    if "poetry" in tool:
        return "run `poetry lock` and commit poetry.lock"
    if "pdm" in tool:
        return "run `pdm lock` and commit pdm.lock"
    if isinstance(eco.manifest, SourceFile) and eco.manifest.kind == "pyproject":
        return "run `uv lock` (or your tool's lock command) and commit the lockfile"
    return (
        "move the direct requirements to requirements.in and run `uv pip compile "
        "--generate-hashes requirements.in -o requirements.txt` (or pip-compile)"
    )


def _message(eco: Ecosystem, why: str, where: str, pinned_only: bool, how: str) -> str:
    if pinned_only:
        detail = (
            f"{where} pins every line with == but has no hashes and no pip-compile/uv "
            "header, so the packages those depend on are probably not pinned"
        )
    else:
        noun = "dependency" if eco.count == 1 else "dependencies"
        detail = (
            f"{where} declares {eco.count} {noun} and no lockfile ({_LOCK_NAMES[eco.name]}) "
            "is committed at the project root"
        )
    return (
        f"{eco.name} application ({why}) has no lockfile: {detail}. Every install resolves "
        f"unpinned versions afresh, so production can run versions nobody tested; {how}"
    )


@rule
class DepsNoLockfile(Rule):
    name = "deps-no-lockfile"
    code = "DP002"
    category = Category.RELIABILITY
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    effort = 15
    scope = "project"
    kinds = frozenset({"pyproject", "requirements", "package-json", "cargo-manifest"})
    summary = "An application declares dependencies but commits no lockfile."
    doc = {
        "What it finds": (
            "A deployed application (it has a Dockerfile, Procfile, compose file, Kubernetes "
            "workload, systemd unit or platform descriptor such as `fly.toml`; or it is a "
            "Django project, a Node app built on a framework such as Next.js, a private "
            "package with a start script, or a Rust binary crate) that declares dependencies "
            "but has no lockfile at the project root: for Python `uv.lock`, `poetry.lock`, "
            "`pdm.lock`, `pylock.toml`, `Pipfile.lock`, or a requirements file generated by "
            "pip-compile / `uv pip compile` or pinned with `==` and `--hash`; for Node "
            "`package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock`, `pnpm-lock.yaml`, "
            "`bun.lock(b)`; for Rust `Cargo.lock`. Libraries are never reported (published "
            "Python metadata such as classifiers, a `setup.py`, or a Node package with "
            "`exports`/`files`/`bin`), nor crates without a binary."
        ),
        "Why": (
            "Without a lockfile every install resolves each range to whatever is newest "
            "that day, transitive dependencies included, so production runs versions nobody "
            "tested and two builds of one commit can differ. npm documents that "
            "package-lock.json exists so that installs are identical across machines and "
            "time; uv's sync installs exactly what uv.lock records; Cargo's FAQ recommends "
            "committing Cargo.lock for binaries. A library is different: its consumers "
            "resolve its ranges in their own lockfile, so its lockfile is never used by them."
        ),
        "Example": (
            "```toml\n# pyproject.toml of a service with a Dockerfile, no uv.lock\n[project]\n"
            'dependencies = ["fastapi>=0.110", "sqlalchemy>=2"]\n```'
        ),
        "Instead": (
            "Generate and commit the lockfile, and install from it: `uv lock` then "
            "`uv sync --locked`; `npm install` then `npm ci`; `cargo generate-lockfile` then "
            "`cargo build --locked`; or `uv pip compile --generate-hashes` for requirements."
        ),
        "When not to": (
            "A library, or a project whose lockfile is generated and pinned elsewhere (a "
            "`-r`/`-c` include in a subfolder this rule cannot see). A requirements file "
            "that pins every line with `==` but has no hashes is still reported, because "
            "hand-written pins usually leave transitive dependencies open; suppress it if "
            "it is `pip freeze` output of the whole environment."
        ),
    }
    references = (
        Reference("uv: Locking and syncing", "https://docs.astral.sh/uv/concepts/projects/sync/"),
        Reference(
            "npm Docs: package-lock.json",
            "https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json",
        ),
        Reference(
            "Cargo FAQ: Why have Cargo.lock in version control?",
            "https://doc.rust-lang.org/cargo/faq.html#why-have-cargolock-in-version-control",
        ),
    )

    def check_project(self, ctx: ProjectContext) -> Iterator[Hit]:
        if any(part in NOT_DEPLOY_DIRS for part in ctx.project.path.split("/")):
            return  # a sample or test project (docs/examples/tests): not what is deployed
        names = root_names(ctx)
        python, lock = _python(ctx, names)
        if python is not None and lock is None:
            library, why = _python_app(ctx, names)
            if why and not library:
                yield self._hit(python, why, ctx)
        node = _node(ctx)
        if node is not None and not any(n in names for n in NODE_LOCKS):
            why = _node_app(ctx)
            if why:
                yield self._hit(node, why, ctx)
        rust, binary = _rust(ctx)
        if rust is not None and binary and "Cargo.lock" not in names:
            yield self._hit(rust, binary, ctx)

    def _hit(self, eco: Ecosystem, why: str, ctx: ProjectContext) -> Hit:
        manifest = eco.manifest
        path = manifest.path if isinstance(manifest, SourceFile) else manifest
        where = local_path(ctx, path)
        pinned_only = False
        if isinstance(manifest, SourceFile) and manifest.kind == "requirements":
            try:
                pinned_only = requirements_state(manifest.text) == "pinned"
            except ParseError:
                pinned_only = False
        doc = _toml(ctx.source("pyproject.toml")) if eco.name == "Python" else {}
        return Hit(
            _message(eco, why, where, pinned_only, how_to_lock(eco, doc)),
            path=path,
            snippet=f"deps-no-lockfile:{eco.name}",
        )
