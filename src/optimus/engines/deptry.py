"""The deptry engine: declared Python dependencies that no code imports (deptry DEP002).

Runs ``deptry . --json-output <tmp> --no-ansi`` in the project folder, so the project's own
``[tool.deptry]`` settings apply (ignores, per-rule ignores, extra requirements files, known
first-party modules) and deptry's default excludes hold: ``tests/`` is not read and, because
no ``--exclude`` is passed, ``.gitignore`` is honoured. A runtime dependency that only test
files import is reported as such (the application does not need it), and not at all when the
runtime dependencies are themselves a test environment (pytest, tox or nox among them): Optimus
reads the test files' imports itself with ``ast``. Extras named like development groups
(``dev``, ``test``, ``docs``...) are passed as ``--optional-dependencies-dev-groups`` unless
configured. Only DEP002 ("defined as a dependency but not used") is kept, as ``deps-unused``;
missing, transitive and misplaced imports are other checks.

deptry maps a distribution to its import names from installed metadata. It reads the metadata
of the Python it runs in, so a project's dependencies are only known when they are installed
there. Optimus therefore (1) adds the project's own virtual environment (``.venv``, ``venv`` or
``env`` with a ``pyvenv.cfg``), when it has one, at the end of deptry's module search path, where
its metadata can be read and none of its code runs, (2) tells deptry the import names of
well-known distributions whose import name differs from their name, and (3) drops every DEP002
finding for a distribution whose import name deptry had to guess ("Assuming the corresponding
module name..."), since a wrong guess reads as "unused". It also drops packages used without
an import (commands, plugins, stubs, drivers: see ``_deptry_policy``) and, in Django projects,
packages named in the settings modules (INSTALLED_APPS, MIDDLEWARE, database ENGINE strings).
"""

from __future__ import annotations

import ast
import contextlib
import glob
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from optimus.analyze.project_context import ProjectContext
from optimus.engines._deptry_policy import MODULE_NAMES, never_unused, normalize
from optimus.engines.base import Engine, EngineError, EngineHit
from optimus.parse.errors import ParseError
from optimus.parse.source import SourceFile
from optimus.registry import engine
from optimus.rules.deps.dev_prod_duplicate import is_dev_group
from optimus.rules.python._requests_defaults import is_pytest_module

RULE = "deps-unused"
_GUESSED = re.compile(r"Assuming the corresponding module name of package '([^']+)' is")
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
#: Runs deptry with the project's site-packages appended to sys.path: appended, so deptry's
#: own dependencies are never shadowed; sys.path only, so no .pth file of the project runs.
_BOOT = (
    "import sys; sys.path.append(sys.argv.pop(1)); sys.argv[0] = 'deptry'; "
    "from deptry.cli import deptry; deptry()"
)
_INFRA_KINDS = ("dockerfile", "procfile", "yaml", "systemd", "toml")


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _pyproject(ctx: ProjectContext) -> dict[str, Any]:
    src = ctx.source("pyproject.toml")
    if src is None:
        return {}
    try:
        return src.toml
    except ParseError:
        return {}


def declared_names(ctx: ProjectContext) -> list[str]:
    """Dependency names as the project spells them (pyproject and root requirements files)."""
    doc = _pyproject(ctx)
    project, tool = _table(doc.get("project")), _table(doc.get("tool"))
    specs: list[str] = [d for d in project.get("dependencies") or [] if isinstance(d, str)]
    for extra in _table(project.get("optional-dependencies")).values():
        specs += [d for d in extra or [] if isinstance(d, str)]
    for group in _table(doc.get("dependency-groups")).values():
        specs += [d for d in group or [] if isinstance(d, str)]
    names = [m.group(1) for s in specs if (m := _REQUIREMENT.match(s))]
    poetry = _table(tool.get("poetry"))
    names += list(_table(poetry.get("dependencies")))
    for group in _table(poetry.get("group")).values():
        names += list(_table(_table(group).get("dependencies")))
    for src in ctx.of_kind("requirements"):
        if "/" in src.project_path:
            continue
        try:
            lines = src.lines
        except ParseError:
            continue
        names += [m.group(1) for line in lines if (m := _REQUIREMENT.match(line))]
    return list(dict.fromkeys(n for n in names if n.lower() != "python"))


def module_name_map(ctx: ProjectContext) -> dict[str, tuple[str, ...]]:
    """Import names to tell deptry: the user's own map, plus well-known ones it lacks."""
    config = _table(_table(_pyproject(ctx).get("tool")).get("deptry"))
    mapping: dict[str, tuple[str, ...]] = {}
    for name in declared_names(ctx):
        known = MODULE_NAMES.get(normalize(name))
        if known:
            mapping[name] = known
    for name, modules in _table(config.get("package_module_name_map")).items():
        if isinstance(modules, str):
            mapping[name] = (modules,)
        elif isinstance(modules, list):
            mapping[name] = tuple(m for m in modules if isinstance(m, str))
    return mapping


def project_site_packages(project_dir: str) -> str | None:
    """The site-packages folder of the project's own virtual environment, if it has one."""
    for name in (".venv", "venv", "env"):
        root = os.path.join(project_dir, name)
        if not os.path.isfile(os.path.join(root, "pyvenv.cfg")):
            continue
        found = sorted(glob.glob(os.path.join(root, "lib", "python3*", "site-packages")))
        found += glob.glob(os.path.join(root, "Lib", "site-packages"))
        if found:
            return found[-1]
    return None


def _interpreter(executable: str) -> str | None:
    """The Python a deptry launcher runs with: ours when it sits beside us, else its shebang."""
    if Path(executable).parent == Path(sys.executable).parent:
        return sys.executable
    try:
        with open(executable, "rb") as fh:
            first = fh.readline(512)
    except OSError:
        return None
    match = re.match(rb"#!\s*(\S*python[\d.]*)\s*$", first)
    return match.group(1).decode() if match else None


def infra_text(ctx: ProjectContext) -> str:
    """Dockerfiles, Procfiles, YAML (compose, k8s, CI), systemd units, TOML: where commands run."""
    parts = []
    for src in ctx.of_kind(*_INFRA_KINDS):
        try:
            parts.append(src.text)
        except ParseError:
            continue
    return "\n".join(parts)


def _mentioned(name: str, text: str) -> bool:
    """Whether a distribution (or its import name) appears as a word in ``text``."""
    norm = normalize(name)
    forms = {norm, norm.replace("-", "_")} | set(MODULE_NAMES.get(norm, ()))
    return any(
        # "ddtrace-run" and "python -m pygments" name their package; "mypkg" in "mypkgx" does not
        re.search(r"(?<![\w.-])" + re.escape(f) + r"(?!\w)", text, re.IGNORECASE)
        for f in forms
    )


def django_settings_text(ctx: ProjectContext, project_dir: str) -> str:
    """The text of a Django project's settings modules (apps and backends are strings there)."""
    out = []
    for path in ctx.paths:
        local = path[len(ctx.prefix) :] if ctx.prefix else path
        parts = local.split("/")
        if not local.endswith(".py") or not (
            parts[-1] == "settings.py" or (len(parts) > 1 and parts[-2] == "settings")
        ):
            continue
        try:
            with open(os.path.join(project_dir, local), encoding="utf-8", errors="replace") as fh:
                out.append(fh.read(200_000))
        except OSError:
            continue
    return "\n".join(out)


#: Test runners: a project whose runtime dependencies list one declares a test environment.
_TEST_RUNNERS = frozenset({"pytest", "tox", "nox"})
#: Test files deptry does not read with its default excludes, and that count as uses when the
#: declared dependencies are an environment rather than a package's requirements.
_TEST_FOLDERS = frozenset({"tests", "test"})
#: At most this many test files are parsed (their imports repeat; a huge tree is not read).
_MAX_TEST_FILES = 2000


def runtime_names(ctx: ProjectContext) -> set[str]:
    """Normalized names of the runtime dependencies: ``[project].dependencies``, Poetry's
    main group and a root ``requirements.txt`` (not extras, groups or dev requirements)."""
    doc = _pyproject(ctx)
    project, tool = _table(doc.get("project")), _table(doc.get("tool"))
    specs = [d for d in project.get("dependencies") or [] if isinstance(d, str)]
    names = [m.group(1) for s in specs if (m := _REQUIREMENT.match(s))]
    names += list(_table(_table(tool.get("poetry")).get("dependencies")))
    src = ctx.source("requirements.txt")
    if src is not None:
        with contextlib.suppress(ParseError):
            names += [m.group(1) for line in src.lines if (m := _REQUIREMENT.match(line))]
    return {normalize(n) for n in names}


def tests_count_as_uses(ctx: ProjectContext) -> bool:
    """Whether imports in test files are uses: the runtime dependencies are themselves a
    test environment (they list pytest, tox or nox: the list is what the maintainers
    install to work on the project, as in a template repository's tooling pyproject).

    A missing ``[build-system]`` alone does not make it so: an application set up without
    one (``uv init --app``) still deploys its runtime dependencies, and one that only its
    tests import belongs in a dev group.
    """
    return bool(runtime_names(ctx) & _TEST_RUNNERS)


def _is_test_file(local: str) -> bool:
    folders = local.split("/")[:-1]
    return is_pytest_module(local) or (
        local.endswith(".py") and any(p in _TEST_FOLDERS for p in folders)
    )


def test_imports(ctx: ProjectContext, project_dir: str) -> set[str]:
    """Top-level module names that the project's test files import, read from disk with
    ``ast`` (never imported or run); files that do not parse are skipped."""
    found: set[str] = set()
    files = [p[len(ctx.prefix) :] for p in ctx.paths if p.startswith(ctx.prefix)]
    for local in [f for f in files if _is_test_file(f)][:_MAX_TEST_FILES]:
        try:
            with open(os.path.join(project_dir, local), "rb") as fh:
                tree = ast.parse(fh.read(2_000_000))
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def import_names(
    name: str, mapping: dict[str, tuple[str, ...]], site: str | None = None
) -> set[str]:
    """The import names of a distribution, as deptry finds them: the project's map or the
    known one, the ``top_level.txt`` of its metadata in the project's own environment
    (``site``), and the name itself with `-` and `.` as `_`."""
    norm = normalize(name)
    known = {normalize(k): v for k, v in mapping.items()}.get(norm) or MODULE_NAMES.get(norm)
    names = set(known or ()) | {norm.replace("-", "_"), name.replace("-", "_").replace(".", "_")}
    if site:
        stem = glob.escape(norm.replace("-", "_"))
        for top in glob.glob(os.path.join(site, f"{stem}-*.dist-info", "top_level.txt")):
            try:
                with open(top, encoding="utf-8", errors="replace") as fh:
                    names.update(line.strip() for line in fh if line.strip())
            except OSError:
                continue
    return names


def _file_lines(ctx: ProjectContext, file: str, project_dir: str) -> list[str]:
    src = ctx.source(file)
    if src is not None:
        try:
            return src.lines
        except ParseError:
            return []
    if not project_dir:
        return []
    try:  # requirements.in and other files deptry reads that the walk does not keep
        with open(os.path.join(project_dir, file), encoding="utf-8", errors="replace") as fh:
            return fh.read(1_000_000).splitlines()
    except OSError:
        return []


#: Optional extras that a declared package picks up when installed (never imported).
EXTRAS_OF = {"typer": frozenset({"rich", "shellingham"})}
_LOWER_BOUND = re.compile(r">=|==|~=|===|>(?!=)")


def _deliberate(lines: list[str], line: int) -> bool:
    """Whether a declaration is a deliberate constraint rather than a forgotten dependency:
    only an upper bound or exclusion (``click<8.2.0``: a pin on a transitive dependency), or
    a whole-line comment right above it (the author explains why it is there)."""
    code = (lines[line - 1] if 0 < line <= len(lines) else "").partition("#")[0]
    above = lines[line - 2].strip() if line >= 2 else ""
    if above.startswith("#"):
        return True
    return ("<" in code or "!=" in code) and not _LOWER_BOUND.search(code)


_VIA = re.compile(r"^\s*#\s*(?:via\s+)?(.+?)\s*$")


def _required_by_others(ctx: ProjectContext, file: str, norm: str, project_dir: str) -> bool:
    """Whether the compiled requirements next to ``file`` (pip-compile or `uv pip compile`
    output, with `# via` comments) say another package requires ``norm`` too."""
    folder = file.rpartition("/")[0]
    compiled = f"{folder}/requirements.txt" if folder else "requirements.txt"
    if compiled == file:
        return False
    lines = _file_lines(ctx, compiled, project_dir)
    for number, raw in enumerate(lines):
        if normalize(re.split(r"[=<>~!\[; ]", raw.strip(), maxsplit=1)[0]) != norm:
            continue
        for comment in lines[number + 1 :]:
            if not comment.lstrip().startswith("#"):
                break
            found = _VIA.match(comment)
            entry = found.group(1).strip() if found else ""
            if entry and entry != "via" and not entry.startswith(("-r", "-c")):
                return True
        return False
    return False


def dependency_line(ctx: ProjectContext, file: str, name: str, project_dir: str = "") -> int | None:
    """The line declaring ``name`` in a pyproject.toml or requirements file, if found."""
    lines = _file_lines(ctx, file, project_dir)
    spelled = "".join("[-_.]+" if c in "-_." else re.escape(c) for c in name)
    quoted = re.compile(r"""["']\s*""" + spelled + r"(?![A-Za-z0-9._-])", re.IGNORECASE)
    keyed = re.compile(r"""^\s*["']?""" + spelled + r"""["']?\s*=""", re.IGNORECASE)
    leading = re.compile(r"^\s*" + spelled + r"(?![A-Za-z0-9._-])", re.IGNORECASE)
    toml = file.endswith(".toml")
    for number, raw in enumerate(lines, start=1):
        code = raw.split("#", 1)[0]
        if toml and (quoted.search(code) or keyed.search(code)):
            return number
        if not toml and leading.search(code):
            return number
    return None


def deptry_hits(
    items: list[dict[str, Any]], stderr: str, ctx: ProjectContext, project_dir: str
) -> list[EngineHit]:
    """Turn deptry's JSON items into deps-unused hits, dropping what it cannot know."""
    guessed = {normalize(m) for m in _GUESSED.findall(stderr)}
    own = _table(_pyproject(ctx).get("project")).get("name")
    if isinstance(own, str):
        guessed.add(normalize(own))  # "all = ['me[extra]']": the project naming itself
    infra = infra_text(ctx)
    declared = {normalize(n) for n in declared_names(ctx)}
    django = "django" in declared or ctx.has_file("manage.py")
    settings = django_settings_text(ctx, project_dir) if django else ""
    # What test files import, and how to name a distribution's modules: read at the first
    # DEP002 that gets this far (most projects have none).
    tested: set[str] | None = None
    uses, site = False, None
    mapping: dict[str, tuple[str, ...]] = {}
    hits = []
    for item in items:
        error = _table(item.get("error"))
        name = item.get("module")
        if error.get("code") != "DEP002" or not isinstance(name, str):
            continue
        norm = normalize(name)
        if norm in guessed or never_unused(name) or _mentioned(name, infra):
            continue
        if django and (norm.startswith("django") or _mentioned(name, settings)):
            continue  # Django loads apps, middleware and backends from strings in settings
        location = _table(item.get("location"))
        file = str(location.get("file") or "pyproject.toml").replace("\\", "/").removeprefix("./")
        if any(norm in EXTRAS_OF.get(other, ()) for other in declared):
            continue  # an optional extra of another declared package (rich for typer)
        line = dependency_line(ctx, file, name, project_dir)
        if line is not None and _deliberate(_file_lines(ctx, file, project_dir), line):
            continue
        if _required_by_others(ctx, file, norm, project_dir):
            continue  # also installed for another dependency: removing the line ships the same
        if tested is None:
            tested = test_imports(ctx, project_dir) if project_dir else set()
            uses = tests_count_as_uses(ctx)
            mapping = module_name_map(ctx)
            site = project_site_packages(project_dir) if project_dir else None
        by_tests = bool(import_names(name, mapping, site) & tested)
        if by_tests and uses:
            continue  # an environment, not a package: the tests' imports are its uses
        if by_tests:
            advice = (
                "only tests import it (deptry DEP002): as a runtime dependency it installs "
                "wherever the package is deployed; move it to a test or dev group"
            )
        else:
            advice = (
                "no code outside tests imports it (deptry DEP002): an unused dependency still "
                "installs, resolves and ships; remove it"
            )
        hits.append(
            EngineHit(
                rule=RULE,
                path=ctx.prefix + file,
                line=line,
                message=(
                    f"{name} is declared in {file} but {advice}, or if it is loaded without an "
                    "import (a plugin, a driver named in a URL), list it under "
                    f'[tool.deptry.per_rule_ignores] DEP002 = ["{name}"]'
                ),
            )
        )
    return hits


def _has_specification(ctx: ProjectContext) -> bool:
    doc = _pyproject(ctx)
    tool = _table(doc.get("tool"))
    if "project" in doc or "dependencies" in _table(tool.get("poetry")) or "pdm" in tool:
        return True
    files = _table(tool.get("deptry")).get("requirements_files") or ["requirements.txt"]
    files = [files] if isinstance(files, str) else files
    return any(isinstance(f, str) and ctx.has_file(f) for f in files)


@engine
class Deptry(Engine):
    name = "deptry"
    program = "deptry"
    install_hint = "pip install deptry"
    summary = "Declared Python dependencies that no code imports (deptry DEP002)."
    kinds = frozenset({"python"})
    rules = frozenset({RULE})
    timeout = 300

    def applies(self, ctx: ProjectContext) -> bool:
        if (
            ctx.project.path != "."
            and SourceFile(ctx.prefix + "x.py", "x.py", "python", b"").is_test
        ):
            return False  # a tests/ folder's own requirements: every import there is test code
        return "python" in ctx.kinds_present and _has_specification(ctx)

    def command(
        self, ctx: ProjectContext, project_dir: str, executable: str, out: str
    ) -> list[str]:
        """The deptry command line for one project (with its own environment when it has one)."""
        args = [".", "--json-output", out, "--no-ansi"]
        doc = _pyproject(ctx)
        config = _table(_table(doc.get("tool")).get("deptry"))
        extras = _table(_table(doc.get("project")).get("optional-dependencies"))
        dev_extras = [e for e in extras if is_dev_group(e)]
        if dev_extras and "optional_dependencies_dev_groups" not in config:
            # extras named dev/test/docs... hold development tools, as groups do
            args += ["--optional-dependencies-dev-groups", ",".join(dev_extras)]
        mapping = module_name_map(ctx)
        if mapping:
            args += [
                "--package-module-name-map",
                ",".join(f"{k}={'|'.join(v)}" for k, v in mapping.items() if v),
            ]
        site = project_site_packages(project_dir)
        python = _interpreter(executable) if site else None
        if site and python:
            return [python, "-c", _BOOT, site, *args]
        return [executable, *args]

    def run(self, ctx: ProjectContext, project_dir: str, executable: str) -> list[EngineHit]:
        with tempfile.TemporaryDirectory(prefix="optimus-deptry-") as tmp:
            out = os.path.join(tmp, "deptry.json")
            done = self.call(self.command(ctx, project_dir, executable, out), cwd=project_dir)
            if not os.path.isfile(out):
                if "DependencySpecificationNotFoundError" in done.stderr:
                    return []  # nothing declared that deptry can read: nothing to report
                lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
                raise EngineError(
                    f"deptry failed (exit {done.returncode}): {lines[-1] if lines else 'no output'}"
                )
            try:
                with open(out, encoding="utf-8") as fh:
                    items = json.load(fh)
            except (OSError, ValueError) as exc:
                raise EngineError(f"unreadable deptry output: {exc}") from None
        if not isinstance(items, list):
            raise EngineError("unexpected deptry output: not a JSON list")
        return deptry_hits(items, done.stderr, ctx, project_dir)
