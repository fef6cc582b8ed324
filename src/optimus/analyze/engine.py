"""One scan from paths to a ScanResult: walk, projects, parallel cached analysis, findings."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from optimus.analyze.plan import Planned
from optimus.analyze.scan_cache import Catalogue, ScanCache, StoredScan, scan_key
from optimus.config import Settings, find_config, load_config, validate_selectors
from optimus.discover.git import git_facts
from optimus.discover.projects import assign_files, find_projects
from optimus.discover.walk import walk
from optimus.errors import UsageError
from optimus.model import Diagnostic, Project, ScanResult, ScanStats, Stack

Progress = Callable[[int, int], None]


@dataclass
class ScanOptions:
    """How to scan: settings overrides from flags, caching, parallelism."""

    overrides: dict[str, object] = field(default_factory=dict)
    use_cache: bool = True
    jobs: int | None = None
    debug: bool = False
    progress: Progress | None = None


def _common_root(paths: list[str]) -> str:
    absolute = [os.path.abspath(p) for p in paths]
    folders = [p if os.path.isdir(p) else os.path.dirname(p) for p in absolute]
    return os.path.commonpath(folders) if len(folders) > 1 else folders[0]


def _with_overrides(settings: Settings, overrides: dict[str, object]) -> Settings:
    return replace(settings, **{k: v for k, v in overrides.items() if v is not None})


def scan(paths: list[str], options: ScanOptions | None = None) -> ScanResult:
    """Scan paths (folders or files) and return every project, finding and diagnostic."""
    options = options or ScanOptions()
    started = time.perf_counter()
    if not paths:
        raise UsageError("no path given")
    for p in paths:
        if not os.path.exists(p):
            raise UsageError(f"path not found: {p}")
    root = _common_root(paths)
    scan_cache = ScanCache(root, options.use_cache)
    catalogue = scan_cache.catalogue or _catalogue()
    root_settings = _with_overrides(load_config(root, root), options.overrides)
    validate_selectors(root_settings, catalogue.known, catalogue.engines)
    diagnostics: list[Diagnostic] = []
    stats = ScanStats()
    projects: list[Planned] = []
    exclude = None
    if root_settings.exclude:
        import pathspec  # only user excludes need it here; the walk loads it for .gitignore

        exclude = pathspec.GitIgnoreSpec.from_lines(root_settings.exclude)
    for given in paths:
        walked = walk(given, exclude)
        offset = os.path.relpath(walked.root, root).replace(os.sep, "/")
        prefix = "" if offset == "." else offset + "/"
        diagnostics += [Diagnostic(_join(prefix, d.path), d.message) for d in walked.diagnostics]
        found = find_projects(walked)
        owned = assign_files(walked.files, found)
        for proj_path, members in sorted(found.items()):
            abspath = os.path.normpath(os.path.join(walked.root, proj_path))
            full = _join(prefix, proj_path) if proj_path != "." else (offset if prefix else ".")
            for entry in owned[proj_path]:
                entry.path = prefix + entry.path
            settings = root_settings
            if full != "." and find_config(abspath) is not None:
                settings = _with_overrides(load_config(abspath, root), options.overrides)
                validate_selectors(settings, catalogue.known, catalogue.engines)
            name = os.path.basename(abspath) or abspath
            project = Project(full, name, members=[_join(prefix, m) for m in members])
            if walked.dirs.get(proj_path) and walked.dirs[proj_path].has_vcs:
                project.git = git_facts(abspath)
            projects.append(Planned(project, settings, owned[proj_path], abspath, root))

    key = _scan_key(root, projects, diagnostics)
    stored = scan_cache.get(key)
    if stored is not None:
        findings, diagnostics = list(stored.findings), list(stored.diagnostics)
        stats = replace(stored.stats, files_analyzed=0)
        stats.files_cached = stored.stats.files_cached + stored.stats.files_analyzed
        for planned in projects:
            planned.project.stack = stored.stacks.get(planned.project.path, Stack())
    else:
        from optimus.analyze.full import analyze

        findings, diagnostics = analyze(projects, root, options, diagnostics, stats)
        stacks = {p.project.path: p.project.stack for p in projects}
        stored = StoredScan(key, findings, diagnostics, replace(stats), stacks)
        scan_cache.save(stored, scan_cache.catalogue or _catalogue())
    stats.seconds = round(time.perf_counter() - started, 3)
    display_root = paths[0] if len(paths) == 1 else root
    return ScanResult(display_root, [p.project for p in projects], findings, diagnostics, stats)


def _catalogue() -> Catalogue:
    """Rule names and codes and engine names, from the registry (imports every rule)."""
    from optimus.registry import all_engines, all_rules

    rules = all_rules()
    known = {r.name for r in rules} | {r.code for r in rules}
    return Catalogue(known, frozenset(e.name for e in all_engines()))


def _scan_key(root: str, projects: list[Planned], diagnostics: list[Diagnostic]) -> str:
    """The whole-scan cache key: everything the analysis of these projects reads."""
    parts = [os.path.abspath(root)]
    parts += [f"{d.path}\0{d.message}" for d in diagnostics]
    for planned in projects:
        project = planned.project
        parts.append(f"{project.path}\0{project.name}\0{project.members}\0{planned.abspath}")
        parts.append(repr(planned.settings))
        parts += [f"{e.path}\0{e.kind}\0{e.size}\0{e.mtime_ns}" for e in planned.entries]
    if any(p.settings.engines for p in projects):
        from optimus.registry import all_engines

        for engine in all_engines():
            program = engine.executable()
            try:
                stamp = os.stat(program).st_mtime_ns if program else None
            except OSError:
                stamp = None
            parts.append(f"engine\0{engine.name}\0{program}\0{stamp}")
    return scan_key(parts)


def _join(prefix: str, path: str) -> str:
    return prefix.rstrip("/") if path == "." and prefix else prefix + path if path != "." else "."
