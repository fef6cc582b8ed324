"""Run the external engines for one project and turn their results into hits.

An engine runs when engines are on (``engines = true``, the default; ``--no-engines``), the
project holds files it reads, and at least one of its checks is enabled: an Optimus rule it
backs, or its own ids (``ruff:PERF401``, selected by ``ruff``, ``ruff:PERF`` or by default).
"""

from __future__ import annotations

from dataclasses import dataclass

from optimus.analyze.project_context import ProjectContext
from optimus.config import Settings
from optimus.engines.base import Engine, EngineError, EngineHit
from optimus.model import Diagnostic


@dataclass
class EngineReport:
    """What the engines produced for one project."""

    hits: list[tuple[Engine, EngineHit]]
    diagnostics: list[Diagnostic]


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
) -> EngineReport:
    """Run every engine that applies; ``missing`` collects engines already reported absent."""
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
        try:
            hits = engine.run(ctx, project_dir, executable)
        except EngineError as exc:
            report.diagnostics.append(Diagnostic(ctx.project.path, f"engine {engine.name}: {exc}"))
            continue
        report.hits += [(engine, h) for h in hits]
    return report
