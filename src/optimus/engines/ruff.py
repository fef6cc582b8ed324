"""Ruff as an engine: blocking calls in ``async def``, requests without timeout, complexity.

Ruff runs once per project, from the project's folder on ``.``, so that the project's own
Ruff configuration applies (``exclude``/``extend-exclude``, ``per-file-ignores``,
``lint.mccabe.max-complexity``, ``target-version``) and so do ``# noqa`` and
``# ruff: noqa`` comments. Only ``--select`` is Optimus's: it replaces the project's
selection, so the checks below run whether or not the project enables them.

- ``ASYNC2xx`` map onto ``blocking-call-in-async`` (Optimus's own detector runs too; the
  same line is reported once). Hits in test code are dropped, as the own rule does.
- ``S113`` maps onto ``http-no-timeout`` and ``C901`` onto ``high-complexity``.
- ``B019`` and ``PERFxxx`` have no Optimus rule: they are reported as ``ruff:B019``,
  ``ruff:PERF401``...

Only files the Optimus walk kept for this project are reported (nothing under
node_modules, .venv, build output, nested projects or Optimus's ``exclude``); the folders
the walk never enters are passed to Ruff as ``--extend-exclude`` so it does not read them.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from optimus.discover.walk import SKIP_DIRS
from optimus.engines.base import Engine, EngineError, EngineHit
from optimus.model import Category, Severity
from optimus.parse.source import SourceFile
from optimus.registry import engine

if TYPE_CHECKING:
    from optimus.analyze.project_context import ProjectContext

#: What Optimus asks Ruff for (replaces the project's own ``select``).
SELECT = ("ASYNC2", "PERF", "S113", "B019", "C901")

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
        done = self.call(args, project_dir)
        if done.returncode != 0:
            raise EngineError(failure_message(done.stderr, done.returncode))
        try:
            records = json.loads(done.stdout or "[]")
        except ValueError:
            raise EngineError("ruff printed no JSON report") from None
        if not isinstance(records, list):
            raise EngineError("ruff printed an unexpected JSON report")
        kept = set(ctx.paths)
        hits = []
        for record in records:
            if not isinstance(record, dict):
                continue
            local = _project_path(record.get("filename"), project_dir)
            if local is None or ctx.prefix + local not in kept:
                continue
            hit = to_hit(record, ctx.prefix + local, local)
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


def to_hit(record: dict[str, Any], path: str, local: str) -> EngineHit | None:
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
