"""Ruff as an engine: blocking calls in ``async def``, requests without timeout, complexity.

Ruff runs once per project, from the project's folder on ``.``, so that the project's own
Ruff configuration applies (``exclude``/``extend-exclude``, ``per-file-ignores``,
``lint.mccabe.max-complexity``, ``target-version``) and so do ``# noqa`` and
``# ruff: noqa`` comments. Only ``--select`` is Optimus's: it replaces the project's
selection, so the checks below run whether or not the project enables them.

- ``ASYNC2xx`` map onto ``blocking-call-in-async`` (Optimus's own detector runs too; the
  same line is reported once). Hits in test code are dropped, as the own rule does.
- ``S113`` maps onto ``http-no-timeout`` and ``C901`` onto ``high-complexity``. A
  ``requests`` call without ``timeout=`` in a pytest module (``test_*.py``, ``*_test.py``,
  ``conftest.py``) is dropped when a ``conftest.py`` in its folder or above, up to the
  project root, gives the sessions requests' module functions create a default timeout
  (optimus.rules.python._requests_defaults, which parses the conftest). Ruff adds a
  nested function's complexity to the function around it, so an outer function whose
  complexity, less that of the nested functions Ruff also reports, is within the limit is
  dropped (it would report the same branches twice). A GPU or JIT kernel (a function
  decorated with ``triton.jit``, ``numba.jit``, ``numba.njit`` or ``numba.cuda.jit``, however
  imported) is not reported: its branches on compile-time constants are resolved per
  specialisation, and kernels are not split into small functions. The decorators are read
  from the file's text (parsed, never imported).
- ``B019`` and ``PERF1xx``/``PERF4xx`` have no Optimus rule: they are reported as
  ``ruff:B019``, ``ruff:PERF401``... PERF203 (``try``/``except`` in a loop) is not asked
  for: moving the ``try`` out of the loop changes behaviour when each item may fail on its
  own, and since Python 3.11 an unraised ``try`` costs nothing.

When Ruff stops on a configuration file that is not the project's own (a nested project's
``pyproject.toml`` that is a template, not TOML), it runs once more with the project's own
configuration given by ``--config`` (or ``--isolated`` when the project has none), which
stops Ruff from reading the configurations below. When Ruff checks no file at all (the
project folder lies under ``site-packages`` or another folder Ruff excludes by default, or
Ruff's configuration excludes it), that is a diagnostic, not a clean result.

Only files the Optimus walk kept for this project are reported (nothing under
node_modules, .venv, build output, nested projects or Optimus's ``exclude``); the folders
the walk never enters are passed to Ruff as ``--extend-exclude`` so it does not read them.
"""

from __future__ import annotations

import ast
import json
import os
import re
import tomllib
from typing import TYPE_CHECKING, Any

from optimus.discover.walk import SKIP_DIRS
from optimus.engines.base import Engine, EngineError, EngineHit
from optimus.model import Category, Severity
from optimus.parse.source import SourceFile
from optimus.registry import engine
from optimus.rules.python._requests_defaults import conftest_timeout, is_pytest_module

if TYPE_CHECKING:
    from optimus.analyze.project_context import ProjectContext

#: What Optimus asks Ruff for (replaces the project's own ``select``); PERF203 is left out.
SELECT = ("ASYNC2", "PERF1", "PERF4", "S113", "B019", "C901")
#: Folder names in Ruff's default ``exclude`` (a project under one is never checked).
RUFF_DEFAULT_EXCLUDES = frozenset(
    {
        ".bzr",
        ".direnv",
        ".eggs",
        ".git",
        ".git-rewrite",
        ".hg",
        ".ipynb_checkpoints",
        ".mypy_cache",
        ".nox",
        ".pants.d",
        ".pyenv",
        ".pytest_cache",
        ".pytype",
        ".ruff_cache",
        ".svn",
        ".tox",
        ".venv",
        ".vscode",
        "__pypackages__",
        "_build",
        "buck-out",
        "dist",
        "node_modules",
        "site-packages",
        "venv",
    }
)
_NO_FILES = "No Python files found"
_FAILED_TO_PARSE = re.compile(r"Failed to parse (.+?\.toml)\s*$", re.MULTILINE)
_COMPLEXITY = re.compile(r"\((\d+) > (\d+)\)")
#: S113's message for a `requests` call with no `timeout=` (not `timeout=None`, not httpx).
_WITHOUT_TIMEOUT = "`requests` call without timeout"

_ASYNC_ADVICE = (
    "a blocking call in a coroutine stalls the event loop and every task it serves; use an "
    "async API or `await asyncio.to_thread(...)`"
)
_TIMEOUT_ADVICE = (
    "without a timeout, a server that stops answering hangs this call (and the worker "
    "running it) forever; pass `timeout=` in seconds"
)
_COMPLEXITY_ADVICE = (
    "so many branches are hard to test and risky to change; split it into smaller functions"
)
_B019_ADVICE = (
    "the cache keeps a reference to every `self` it saw, so instances are never freed; cache "
    "on a module-level function or use `functools.cached_property`"
)


@engine
class RuffEngine(Engine):
    name = "ruff"
    program = "ruff"
    install_hint = "pip install ruff (or pip install 'optimus-bot[engines]')"
    summary = "Ruff: blocking calls in async code, HTTP calls without timeout, complexity, PERF."
    kinds = frozenset({"python"})
    rules = frozenset({"blocking-call-in-async", "http-no-timeout", "high-complexity"})

    def run(self, ctx: ProjectContext, project_dir: str, executable: str) -> list[EngineHit]:
        from optimus.analyze.cache import cache_dir

        args = [
            executable,
            "check",
            "--output-format",
            "json",
            "--exit-zero",
            "--no-fix",
            "--select",
            ",".join(SELECT),
            "--cache-dir",
            str(cache_dir() / "ruff"),
            "--force-exclude",
            "--extend-exclude",
            ",".join(sorted(SKIP_DIRS)),
            ".",
        ]
        if _under_default_exclude(project_dir):
            # A project nested inside site-packages (pandas ships a pyproject.toml): Ruff
            # matches its excludes from the project's own root, so it would lint installed
            # code that it skips everywhere else. Treat it as the enclosing folder is treated.
            raise EngineError(no_files_message(project_dir))
        done = self.call(args, project_dir)
        if done.returncode != 0 and foreign_config_failure(done.stderr, project_dir):
            # A nested project's configuration: read only this project's own (or none).
            own = own_config(project_dir)
            retry = ["--config", own] if own else ["--isolated"]
            done = self.call([*args[:-1], *retry, "."], project_dir)
        if done.returncode != 0:
            raise EngineError(failure_message(done.stderr, done.returncode))
        if _NO_FILES in done.stderr:
            raise EngineError(no_files_message(project_dir))
        try:
            records = json.loads(done.stdout or "[]")
        except ValueError:
            raise EngineError("ruff printed no JSON report") from None
        if not isinstance(records, list):
            raise EngineError("ruff printed an unexpected JSON report")
        kept = set(ctx.paths)
        hits = []
        kernels: dict[str, set[int]] = {}
        conftests: dict[str, bool] = {}
        for record in drop_nested_complexity(records):
            if not isinstance(record, dict):
                continue
            local = _project_path(record.get("filename"), project_dir)
            if local is None or ctx.prefix + local not in kept:
                continue
            if record.get("code") == "C901":
                if local not in kernels:
                    kernels[local] = kernel_functions(ctx.read_text(local) or "")
                if _row(record.get("location")) in kernels[local]:
                    continue  # a Triton/Numba kernel: branches are compile-time specialisation
            if (
                record.get("code") == "S113"
                and _WITHOUT_TIMEOUT in str(record.get("message") or "")
                and is_pytest_module(local)
                and conftest_timeout(ctx.read_text, local, conftests) is not None
            ):
                continue  # the tests' conftest gives requests' sessions a default timeout
            line_text = None
            if record.get("code") == "ASYNC240":
                text = ctx.read_text(local)
                row = _row(record.get("location"))
                lines = text.splitlines() if text is not None else []
                line_text = lines[row - 1] if row and 0 < row <= len(lines) else None
            hit = to_hit(record, ctx.prefix + local, local, line_text)
            if hit is not None:
                hits.append(hit)
        return hits


def failure_message(stderr: str, returncode: int) -> str:
    """A one-line reason from Ruff's stderr ("ruff failed" then "Cause: ..." lines)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    causes = [line.removeprefix("Cause:").strip() for line in lines if line.startswith("Cause:")]
    if causes:
        return "failed: " + causes[0] + (f" ({causes[-1]})" if len(causes) > 1 else "")
    return lines[0] if lines else f"ruff exited with status {returncode}"


def foreign_config_failure(stderr: str, project_dir: str) -> bool:
    """Whether Ruff stopped on a TOML file that is not in the project's own folder."""
    match = _FAILED_TO_PARSE.search(stderr)
    if match is None:
        return False
    broken = os.path.dirname(os.path.realpath(match.group(1)))
    return broken != os.path.realpath(project_dir)


def own_config(project_dir: str) -> str | None:
    """The Ruff configuration Ruff would use for the project: the closest `.ruff.toml`,
    `ruff.toml` or `pyproject.toml` with a `[tool.ruff]` table in the folder or above it
    (files that are not valid TOML are passed over)."""
    folder = os.path.realpath(project_dir)
    while True:
        for name in (".ruff.toml", "ruff.toml", "pyproject.toml"):
            path = os.path.join(folder, name)
            if not os.path.isfile(path):
                continue
            if name != "pyproject.toml":
                return path
            try:
                with open(path, "rb") as fh:
                    if "ruff" in tomllib.load(fh).get("tool", {}):
                        return path
            except (OSError, ValueError):
                continue
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _under_default_exclude(project_dir: str) -> bool:
    parts = os.path.realpath(project_dir).replace(os.sep, "/").split("/")
    return any(p in ("site-packages", "dist-packages") for p in parts)


def no_files_message(project_dir: str) -> str:
    """Why Ruff checked nothing, for a project that has Python files."""
    parts = os.path.realpath(project_dir).replace(os.sep, "/").split("/")
    under = next((p for p in parts if p in RUFF_DEFAULT_EXCLUDES or p == "dist-packages"), None)
    if under is not None:
        return (
            f"checked no file: the project folder lies under `{under}`, which Ruff "
            "excludes by default; its Ruff checks were skipped"
        )
    return (
        "checked no file: Ruff's `exclude`/`extend-exclude` settings exclude every Python "
        "file of the project; its Ruff checks were skipped"
    )


def _complexity(record: dict[str, Any]) -> tuple[int, int] | None:
    """(complexity, limit) from a C901 message ("`f` is too complex (12 > 10)")."""
    match = _COMPLEXITY.search(str(record.get("message") or ""))
    return (int(match.group(1)), int(match.group(2))) if match else None


def _function_ends(filename: str) -> dict[int, int]:
    """Line of each function's `def` (its name) to the function's last line."""
    try:
        with open(filename, "rb") as fh:
            tree = ast.parse(fh.read(), filename=filename)
    except (OSError, SyntaxError, ValueError, RecursionError):
        return {}
    return {
        node.lineno: node.end_lineno or node.lineno
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


#: Decorators that compile a function as a GPU or JIT kernel (full dotted names).
KERNEL_DECORATORS = frozenset({"triton.jit", "numba.jit", "numba.njit", "numba.cuda.jit"})


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` of a decorator (its callee when it is called, ``@numba.jit(nopython=True)``)."""
    if isinstance(node, ast.Call):
        node = node.func
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def kernel_functions(text: str) -> set[int]:
    """`def` lines of the functions decorated as Triton or Numba kernels (``@triton.jit``,
    ``@njit`` after ``from numba import njit``, ``@cuda.jit`` after ``from numba import
    cuda``...). The source is parsed, never imported; names are resolved through the
    module's imports, so a ``jit`` imported from elsewhere (``jax.jit``) does not count."""
    if not any(word in text for word in ("triton", "numba")):
        return set()
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return set()
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for name in node.names:
                if name.asname:
                    aliases[name.asname] = name.name
                else:
                    top = name.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for name in node.names:
                aliases[name.asname or name.name] = f"{node.module}.{name.name}"
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            dotted = _dotted(decorator)
            if dotted is None:
                continue
            head, _, rest = dotted.partition(".")
            if head not in aliases:
                continue
            full = f"{aliases[head]}.{rest}" if rest else aliases[head]
            if full in KERNEL_DECORATORS:
                found.add(node.lineno)
                break
    return found


def drop_nested_complexity(records: list[Any]) -> list[Any]:
    """The records less C901 results double counted: Ruff's complexity of a function
    includes that of the functions defined in it, so an outer function whose complexity,
    less that of the nested functions Ruff also reports (the outermost ones within its
    lines), is within the limit reports nothing of its own."""
    by_file: dict[str, list[tuple[int, int, int, int]]] = {}
    for index, record in enumerate(records):
        if not isinstance(record, dict) or record.get("code") != "C901":
            continue
        numbers, row = _complexity(record), _row(record.get("location"))
        if numbers is not None and row is not None and isinstance(record.get("filename"), str):
            by_file.setdefault(record["filename"], []).append((row, *numbers, index))
    dropped: set[int] = set()
    for filename, found in by_file.items():
        if len(found) < 2:
            continue
        ends = _function_ends(filename)
        for row, complexity, limit, index in found:
            end = ends.get(row, row)
            inner = [f for f in found if row < f[0] <= end]
            outermost = [
                f for f in inner if not any(g[0] < f[0] <= ends.get(g[0], g[0]) for g in inner)
            ]
            if outermost and complexity - sum(f[1] for f in outermost) <= limit:
                dropped.add(index)
    return [r for i, r in enumerate(records) if i not in dropped]


def _project_path(filename: object, project_dir: str) -> str | None:
    """Ruff's absolute filename as a project-relative path with / separators, or None."""
    if not isinstance(filename, str) or not filename:
        return None
    for base in (os.path.realpath(project_dir), os.path.abspath(project_dir)):
        try:
            rel = os.path.relpath(filename, base)
        except ValueError:  # another drive on Windows
            continue
        if rel != ".." and not rel.startswith(".." + os.sep):
            return rel.replace(os.sep, "/")
    return None


def _row(location: Any) -> int | None:
    if isinstance(location, dict) and isinstance(location.get("row"), int):
        return location["row"]
    return None


#: pathlib methods that make one metadata syscall or none (ASYNC240 flags every Path
#: method): microseconds on a local disk, not the blocking I/O blocking-call-in-async means.
METADATA_PATH_METHODS = frozenset(
    {
        "absolute",
        "chmod",
        "exists",
        "expanduser",
        "is_dir",
        "is_file",
        "is_mount",
        "is_symlink",
        "lstat",
        "mkdir",
        "readlink",
        "rename",
        "replace",
        "resolve",
        "rmdir",
        "samefile",
        "stat",
        "symlink_to",
        "touch",
        "unlink",
    }
)
_METHOD_CALL = re.compile(r"\.(\w+)\s*\(")
_LAST_ATTRIBUTE = re.compile(r"\.\s*(\w+)\s*$")


def _metadata_only(record: dict[str, Any], source_line: str | None) -> bool:
    """Whether an ASYNC240 result is a call of a metadata-only Path method.

    Ruff's span covers the called attribute (``Path(p).resolve``), so the method is the name
    the span ends with; without an end on the same row, the outermost method called after
    the start is taken.
    """
    start, end = record.get("location"), record.get("end_location")
    if source_line is None or not isinstance(start, dict):
        return False
    first = start.get("column")
    if not isinstance(first, int) or first < 1:
        return False
    rest = source_line[first - 1 :]
    if isinstance(end, dict) and end.get("row") == start.get("row"):
        last = end.get("column")
        if isinstance(last, int) and last > first:
            found = _LAST_ATTRIBUTE.search(source_line[first - 1 : last - 1])
            return found is not None and found.group(1) in METADATA_PATH_METHODS
    method = None
    for found in _METHOD_CALL.finditer(rest):
        before = rest[: found.start()]
        if before.count("(") == before.count(")"):  # not inside an argument list
            method = found.group(1)
    return method in METADATA_PATH_METHODS


def to_hit(
    record: dict[str, Any], path: str, local: str, source_line: str | None = None
) -> EngineHit | None:
    """One Ruff diagnostic as a hit (root-relative ``path``), or None when not reported."""
    code = record.get("code")
    message = str(record.get("message") or "").rstrip(".")
    if not isinstance(code, str):
        return None  # syntax errors have no code; Optimus reports unparsable files itself
    line = _row(record.get("location"))
    end_line = _row(record.get("end_location"))
    if code.startswith("ASYNC2"):
        if SourceFile(path, local, "python", b"").is_test:
            return None
        if code == "ASYNC240" and _metadata_only(record, source_line):
            return None
        text = f"{message} (Ruff {code}): {_ASYNC_ADVICE}"
        return EngineHit("blocking-call-in-async", path, line, text, end_line)
    if code == "S113":
        text = f"{message} (Ruff S113): {_TIMEOUT_ADVICE}"
        return EngineHit("http-no-timeout", path, line, text, end_line)
    if code == "C901":
        text = f"{message} (Ruff C901, McCabe cyclomatic complexity): {_COMPLEXITY_ADVICE}"
        return EngineHit("high-complexity", path, line, text, line)
    if code == "B019":
        return EngineHit(
            "ruff:B019",
            path,
            line,
            f"{message} (Ruff B019): {_B019_ADVICE}",
            end_line,
            code="B019",
            category=Category.RELIABILITY,
            severity=Severity.MEDIUM,
        )
    if code.startswith("PERF"):
        return EngineHit(
            f"ruff:{code}",
            path,
            line,
            f"{message} (Ruff {code})",
            end_line,
            code=code,
            category=Category.PERFORMANCE,
            severity=Severity.LOW,
        )
    return None
