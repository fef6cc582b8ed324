"""Run the external engines for one project and turn their results into hits.

An engine runs when engines are on (``engines = true``, the default; ``--no-engines``), the
project holds files it reads, and at least one of its checks is enabled: an Optimus rule it
backs, or its own ids (``ruff:PERF401``, selected by ``ruff``, ``ruff:PERF`` or by default).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from optimus.analyze.cache import ResultCache
from optimus.analyze.hashing import digest_bytes
from optimus.analyze.project_context import ProjectContext
from optimus.config import Settings
from optimus.engines.base import Engine, EngineError, EngineHit
from optimus.model import Diagnostic


@dataclass
class EngineReport:
    """What the engines produced for one project."""

    hits: list[tuple[Engine, EngineHit]]
    diagnostics: list[Diagnostic]


def _cache_key(engine: Engine, executable: str, project: str, inputs: str) -> str | None:
    try:
        program = os.stat(executable).st_mtime_ns
    except OSError:
        return None
    env = os.environ.get("OPTIMUS_OSV_DIR", "")
    return digest_bytes(
        f"{engine.name}\0{executable}\0{program}\0{project}\0{inputs}\0{env}".encode()
    )


def own_ids_enabled(engine: Engine, settings: Settings, hit_rule: str | None = None) -> bool:
    """Whether an engine's own ids (all, or one of them) are selected and not ignored."""
    target = hit_rule or f"{engine.name}:"

    def names(selector: str) -> bool:
        if selector in ("ALL", engine.name):
            return True
        return ":" in selector and target.startswith(selector)

    on = settings.select is None or any(names(s) for s in settings.select)
    on = on or any(names(s) for s in settings.extend_select)
    return on and not (hit_rule and any(names(s) for s in settings.ignore))


def run_engines(
    ctx: ProjectContext,
    project_dir: str,
    engines: list[Engine],
    settings: Settings,
    enabled_rules: set[str],
    missing: set[str],
    cache: ResultCache | None = None,
    inputs: str = "",
) -> EngineReport:
    """Run every engine that applies; ``missing`` collects engines already reported absent.

    ``inputs`` hashes the project's files (paths, sizes, modification times): while it and
    the engine program are unchanged, a cacheable engine's stored results are reused.
    """
    report = EngineReport([], [])
    if not settings.engines:
        return report
    for engine in engines:
        wanted = bool(engine.rules & enabled_rules) or own_ids_enabled(engine, settings)
        if not wanted or not engine.applies(ctx):
            continue
        executable = engine.executable()
        if executable is None:
            if engine.name not in missing:
                missing.add(engine.name)
                report.diagnostics.append(
                    Diagnostic(
                        ctx.project.path,
                        f"engine {engine.name} not found, its checks were skipped: "
                        f"{engine.install_hint}",
                    )
                )
            continue
        key = _cache_key(engine, executable, ctx.project.path, inputs) if cache else None
        stored = cache.get_engine(key) if cache and key and engine.cacheable else None
        if isinstance(stored, list):
            report.hits += [(engine, h) for h in stored]
            continue
        try:
            hits = engine.run(ctx, project_dir, executable)
        except EngineError as exc:
            report.diagnostics.append(Diagnostic(ctx.project.path, f"engine {engine.name}: {exc}"))
            continue
        if cache and key and engine.cacheable:
            cache.put_engine(key, hits)
        report.hits += [(engine, h) for h in hits]
    return report
