"""deps-unused: a declared dependency that no code of the project imports.

The detection is external: the ``deptry`` engine (optimus.engines.deptry) reports Python
dependencies under this rule; ``_node_imports.unused_node_dependencies`` holds the Node
detection, which needs the project's JavaScript/TypeScript sources and is called by the
engine layer (project rules see infrastructure files only). This module registers the rule so
that its metadata, documentation and selection exist; its own ``check_project`` reports
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from optimus.analyze.project_context import ProjectContext
from optimus.model import Category, Confidence, Severity
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule


@rule
class DepsUnused(Rule):
    name = "deps-unused"
    code = "DP003"
    category = Category.DEPENDENCIES
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    effort = 10
    scope = "project"
    kinds = frozenset({"pyproject", "requirements", "package-json"})
    summary = "A declared dependency is never imported by the project's code."
    doc = {
        "What it finds": (
            "Runtime dependencies declared in `pyproject.toml`, `requirements.txt` or "
            "`package.json` `dependencies` that no source file imports. Python uses deptry "
            "(its DEP002 check, with the project's `[tool.deptry]` settings); Node reads "
            "`import`/`require`/`import()`/`export ... from` specifiers. Never reported: "
            "packages run as commands (uvicorn, gunicorn, celery, alembic, or any package "
            "named in a Dockerfile, Procfile, compose file, CI file or `package.json` "
            "script), plugins (`pytest-*`, `flake8-*`, `eslint-*`, `@babel/*`...), type "
            "stubs (`types-*`, `*-stubs`, `@types/*`), build tools, database drivers and "
            "other packages libraries load by name, Django apps named in settings, and "
            "Python distributions whose import name deptry cannot know because they are not "
            "installed (install the project's dependencies in its `.venv` for full coverage)."
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
            "import name; unknown ones are skipped, not guessed."
        ),
    }
    references = (
        Reference("deptry: issue codes (DEP002 unused dependencies)", "https://deptry.com/"),
        Reference("knip: unused dependencies in JavaScript/TypeScript", "https://knip.dev/"),
    )

    def check_project(self, project: ProjectContext) -> Iterator[Hit]:
        return iter(())
