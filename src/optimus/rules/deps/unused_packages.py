"""deps-unused: a declared dependency that no code of the project imports.

Python is the ``deptry`` engine's (optimus.engines.deptry), reported under this rule. Node is
detected here: for each ``package.json`` of the project (the root and workspace members), the
JavaScript/TypeScript files under its folder are read on demand (``ProjectContext.read_text``)
and ``_node_imports.unused_node_dependencies`` lists the runtime ``dependencies`` nothing
names. Packages whose users the walk cannot see are skipped: projects built on Vue, Svelte or
Astro (their imports live in ``.vue``/``.svelte``/``.astro`` files) and style packages
(imported from CSS/Sass files).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from typing import Any

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.parse.errors import ParseError
from optimus.parse.kinds import kind_of
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule
from optimus.rules.deps._node_imports import unused_node_dependencies
from optimus.rules.deps.dev_prod_duplicate import json_key_line

_CODE_KINDS = frozenset({"javascript", "typescript", "tsx"})
#: Frameworks whose components (.vue, .svelte, .astro files) the walk does not keep, so their
#: imports cannot be seen.
_UNSEEN_COMPONENTS = ("vue", "nuxt", "svelte", "@sveltejs/kit", "astro")
#: Style packages are imported from CSS/Sass files, which the walk does not keep either.
_STYLE_PACKAGE = re.compile(
    r"css|bootstrap|bulma|foundation-sites|font|icons?\b|normalize|animate|theme|sass",
    re.IGNORECASE,
)


def _doc(src: SourceFile) -> dict[str, Any]:
    try:
        doc = src.json
    except ParseError:
        return {}
    return doc if isinstance(doc, dict) else {}


def _inside(folder: str, path: str) -> bool:
    return not folder or path.startswith(folder + "/")


def node_sources(ctx: ProjectContext, folder: str, others: list[str]) -> dict[str, str]:
    """The JS/TS files of the package in ``folder`` (not those of nested member packages)."""
    out: dict[str, str] = {}
    for path in ctx.paths:
        local = path[len(ctx.prefix) :] if ctx.prefix else path
        if kind_of(local.rsplit("/", 1)[-1]) not in _CODE_KINDS or not _inside(folder, local):
            continue
        if any(o != folder and len(o) > len(folder) and _inside(o, local) for o in others):
            continue
        text = ctx.read_text(local)
        if text is not None:
            out[local] = text
    return out


@rule
class DepsUnused(Rule):
    name = "deps-unused"
    code = "DP003"
    category = Category.DEPENDENCIES
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    effort = 10
    scope = "project"
    engine = "optimus+deptry"
    kinds = frozenset({"pyproject", "requirements", "package-json"})
    summary = "A declared dependency is never imported by the project's code."
    doc = {
        "What it finds": (
            "Runtime dependencies declared in `pyproject.toml`, `requirements.txt` or "
            "`package.json` `dependencies` that no source file imports. Python uses deptry "
            "(its DEP002 check, with the project's `[tool.deptry]` settings; code under "
            "`tests/` does not count); Node reads the package's JavaScript/TypeScript files "
            "for `import`/`require`/`import()`/`export ... from` specifiers and other quoted "
            "package names. Never reported: "
            "packages run as commands (uvicorn, gunicorn, celery, alembic, or any package "
            "named in a Dockerfile, Procfile, compose file, CI file or `package.json` "
            "script), plugins (`pytest-*`, `flake8-*`, `eslint-*`, `@babel/*`...), type "
            "stubs (`types-*`, `*-stubs`, `@types/*`), build tools, database drivers and "
            "other packages libraries load by name, Django apps named in settings, style "
            "packages, Vue/Svelte/Astro projects (their components are not read), and "
            "Python distributions whose import name deptry cannot know because they are not "
            "installed (install the project's dependencies in its `.venv` for full coverage). "
            "Nor are deliberate constraints: a Python declaration with only an upper bound "
            "or exclusion (`click<8.2.0`, pinning a transitive dependency), one with a "
            "comment line right above it, optional extras of another declared package "
            "(`rich` with `typer`), packages the compiled `requirements.txt` next to the "
            "declaration says another dependency requires too (`# via google-api-core`: "
            "removing the line ships the same; for Node, a package that another direct "
            "dependency requires according to `package-lock.json`), and the own requirements "
            "of a `tests/` folder. A Python distribution that only test files import "
            "(`tests/`, `test_*.py`, `*_test.py`, `conftest.py`, read with `ast`) is reported "
            "as such (move it to a test or dev group), and not at all when the runtime "
            "dependencies are themselves a test environment (they list `pytest`, `tox` or "
            "`nox`, as a template repository's tooling `pyproject.toml` does)."
        ),
        "Why": (
            "An unused dependency is still downloaded, resolved against every other "
            "dependency, scanned for vulnerabilities and shipped in every image, and it "
            "holds back upgrades through its own version constraints. Removing it is "
            "hygiene: install size and time shrink, but the gain is not measured here."
        ),
        "Example": (
            '```toml\n[project]\ndependencies = ["requests>=2.31", "httpx>=0.27"]  '
            "# the code only imports httpx\n```"
        ),
        "Instead": (
            '```toml\n[project]\ndependencies = ["httpx>=0.27"]\n```\n\nRemove the entry '
            "and re-lock. If it is used without an import, say so in the tool's own "
            'configuration: `[tool.deptry.per_rule_ignores] DEP002 = ["name"]`, or knip\'s '
            "`ignoreDependencies`."
        ),
        "When not to": (
            "Packages loaded by name at run time (plugins discovered through entry points, "
            "drivers named in a connection URL, modules imported with `importlib`) look "
            "unused to any import scan; list them in the ignore setting rather than "
            "deleting them. Python results depend on deptry knowing each distribution's "
            "import name; unknown ones are skipped, not guessed. A project that is not "
            "built into a package (a template, a tooling repository) uses its dependency "
            "list as the maintainers' environment, tests included: what its tests import is "
            "used and not reported."
        ),
    }
    references = (
        Reference("deptry: issue codes (DEP002 unused dependencies)", "https://deptry.com/"),
        Reference("knip: unused dependencies in JavaScript/TypeScript", "https://knip.dev/"),
    )

    def check_project(self, project: ProjectContext) -> Iterator[Hit]:
        packages = project.of_kind("package-json")
        folders = [posixpath.dirname(p.project_path) for p in packages]
        for src, folder in zip(packages, folders, strict=True):
            doc = _doc(src)
            declared = {**_table(doc.get("devDependencies")), **_table(doc.get("dependencies"))}
            if not _table(doc.get("dependencies")) or any(
                f in declared for f in _UNSEEN_COMPONENTS
            ):
                continue
            sources = node_sources(project, folder, folders)
            if not sources:
                continue  # no code to judge by (a package.json for tools only)
            required = _required_by_direct(project, folder, _table(doc.get("dependencies")))
            for name in unused_node_dependencies(doc, sources):
                if _STYLE_PACKAGE.search(name) or name in required:
                    continue  # a style package, or installed anyway for another dependency
                yield Hit(
                    f"{name} is in the dependencies of {src.project_path} but no import, "
                    "require() or script of the package uses it: an unused dependency still "
                    f"installs and ships; remove it (npm uninstall {name}), or if it is loaded "
                    "by name, list it in knip's ignoreDependencies",
                    line=json_key_line(src.text, ["dependencies", name]),
                    path=src.path,
                    snippet=f"dependencies:{name}",
                )


def _required_by_direct(project: ProjectContext, folder: str, direct: dict[str, Any]) -> set[str]:
    """Packages that the project's own dependencies require, from ``package-lock.json``
    (lockfile v2/v3 ``packages``): declaring one of them too is a redundant pin, and removing
    it ships the same (``@opentelemetry/sdk-trace-base`` next to ``@opentelemetry/sdk-node``)."""
    text = project.read_text(
        posixpath.join(folder, "package-lock.json") if folder else "package-lock.json"
    )
    if not text:
        return set()
    try:
        lock = json.loads(text)
    except ValueError:
        return set()
    entries = _table(lock.get("packages")) if isinstance(lock, dict) else {}
    required: set[str] = set()
    for name in direct:
        entry = _table(entries.get(f"node_modules/{name}"))
        for key in ("dependencies", "peerDependencies", "optionalDependencies"):
            required |= set(_table(entry.get(key)))
    return required


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
