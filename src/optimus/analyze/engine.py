"""One scan from paths to a ScanResult: walk, projects, parallel cached analysis, findings."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from optimus.analyze.plan import Planned
from optimus.analyze.scan_cache import Catalogue, ScanCache, StoredScan, StoredTree, scan_key
from optimus.config import Settings, find_config, load_config, validate_selectors
from optimus.discover.projects import assign_files, find_projects
from optimus.discover.walk import walk
from optimus.errors import UsageError
from optimus.model import Diagnostic, Finding, GitFacts, Project, ScanResult, ScanStats, Stack

Progress = Callable[[int, int], None]
#: The files a project's own configuration can live in (optimus.config.find_config).
_CONFIG_FILES = ("optimus.toml", "pyproject.toml")


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
    scan_cache = ScanCache(root, options.use_cache, _given(options))
    catalogue = scan_cache.catalogue or _catalogue()
    root_settings = _with_overrides(load_config(root, root), options.overrides)
    validate_selectors(root_settings, catalogue.known, catalogue.engines)
    replayed = _replay(scan_cache, paths, root, root_settings, options, catalogue)
    if replayed is not None:
        projects, stored = replayed
        stats = _as_cached(stored.stats)
    else:
        started_ns = time.time_ns()
        diagnostics: list[Diagnostic] = []
        projects, tree = _discover(paths, root, root_settings, options, catalogue, diagnostics)
        key = _scan_key(root, projects, diagnostics)
        cached = scan_cache.get(key)
        if cached is None:
            from optimus.analyze.full import analyze

            stats = ScanStats()
            findings, diagnostics = analyze(projects, root, options, diagnostics, stats)
            _mark_fixable(findings)
            stacks = {p.project.path: p.project.stack for p in projects}
            stored = StoredScan(key, findings, diagnostics, replace(stats), stacks)
        else:
            stored, stats = cached, _as_cached(cached.stats)
        if tree is not None:
            tree.engines, tree.started_ns = _engine_stamp(projects), started_ns
        stored.tree = tree if tree is not None and tree.trustworthy() else None
        scan_cache.save(stored, scan_cache.catalogue or _catalogue())
    for planned in projects:
        planned.project.stack = stored.stacks.get(planned.project.path, Stack())
    stats.seconds = round(time.perf_counter() - started, 3)
    display_root = paths[0] if len(paths) == 1 else root
    return ScanResult(
        display_root,
        [p.project for p in projects],
        list(stored.findings),
        list(stored.diagnostics),
        stats,
    )


def _mark_fixable(findings: list[Finding]) -> None:
    """Set ``fixable`` where a registered fixer handles a finding, before the result is stored.

    Done on the analysis path so a replayed scan carries the flags without importing the
    codemods (LibCST and friends cost a third of a second to import). Only rules that declare
    ``fixable`` can have a fixer, so a scan without such findings imports nothing.
    """
    from optimus.registry import all_rules

    fixable = {r.name for r in all_rules() if r.fixable}
    if not any(f.rule in fixable for f in findings):
        return
    from optimus.fix.fixers import mark_fixable_findings

    mark_fixable_findings(findings)


def _as_cached(stats: ScanStats) -> ScanStats:
    """A stored scan's figures as a rescan reports them: every file came from the cache."""
    cached = stats.files_cached + stats.files_analyzed
    return replace(stats, files_analyzed=0, files_cached=cached)


def _project_settings(
    full: str,
    abspath: str,
    root: str,
    root_settings: Settings,
    options: ScanOptions,
    catalogue: Catalogue,
) -> Settings:
    """A project's effective settings: the root's, or its own configuration file's."""
    if full == "." or find_config(abspath) is None:
        return root_settings
    settings = _with_overrides(load_config(abspath, root), options.overrides)
    validate_selectors(settings, catalogue.known, catalogue.engines)
    return settings


def _discover(
    paths: list[str],
    root: str,
    root_settings: Settings,
    options: ScanOptions,
    catalogue: Catalogue,
    diagnostics: list[Diagnostic],
) -> tuple[list[Planned], StoredTree | None]:
    """Walk the paths and plan their projects; with the stamps of what the walk saw (None
    when the walk met folders or files it could not read, or scanned a single file)."""
    exclude = None
    if root_settings.exclude:
        import pathspec  # only user excludes need it here; the walk loads it for .gitignore

        exclude = pathspec.GitIgnoreSpec.from_lines(root_settings.exclude)
    projects: list[Planned] = []
    dirs: list[tuple[str, int, int]] = []
    files: list[tuple[str, int, int]] = []
    stored: list[tuple[Project, str, bool, str, bool]] = []
    readable = True
    cut = len(root.rstrip(os.sep)) + 1
    for given in paths:
        walked = walk(given, exclude)
        offset = os.path.relpath(walked.root, root).replace(os.sep, "/")
        prefix = "" if offset == "." else offset + "/"
        diagnostics += [Diagnostic(_join(prefix, d.path), d.message) for d in walked.diagnostics]
        readable = readable and not walked.diagnostics and bool(walked.dirs)
        base = os.path.join(walked.root, "")
        dirs += [
            (_under(root, cut, base + rel if rel != "." else walked.root), *info.stamp)
            for rel, info in walked.dirs.items()
        ]
        files += [(_under(root, cut, e.abspath), e.size, e.mtime_ns) for e in walked.files]
        found = find_projects(walked)
        owned = assign_files(walked.files, found)
        kept = {e.abspath for e in walked.files}
        for proj_path, members in sorted(found.items()):
            abspath = os.path.normpath(os.path.join(walked.root, proj_path))
            full = _join(prefix, proj_path) if proj_path != "." else (offset if prefix else ".")
            for entry in owned[proj_path]:
                entry.path = prefix + entry.path
            settings = _project_settings(full, abspath, root, root_settings, options, catalogue)
            name = os.path.basename(abspath) or abspath
            project = Project(full, name, members=[_join(prefix, m) for m in members])
            has_vcs = bool(walked.dirs.get(proj_path) and walked.dirs[proj_path].has_vcs)
            plain = Project(full, name, members=list(project.members))
            # No configuration of its own, and the files that could hold one are absent or
            # stamped by the walk: a replay can take the root's settings without reading.
            settled = settings is root_settings and all(
                os.path.join(abspath, n) in kept or not os.path.exists(os.path.join(abspath, n))
                for n in _CONFIG_FILES
            )
            stored.append((plain, abspath, has_vcs, repr(settings), settled))
            if has_vcs:
                project.git = _git_facts(abspath)
            projects.append(Planned(project, settings, owned[proj_path], abspath, root))
    if not readable:
        return projects, None
    absolute = [os.path.abspath(p) for p in paths]
    flags = _flags(options, root_settings)
    return projects, StoredTree(root, absolute, flags, dirs, files, stored, "", 0)


def _flags(options: ScanOptions, root_settings: Settings) -> str:
    """The flags and root settings a stored walk depends on (excludes, selections)."""
    return f"{_given(options)}\0{root_settings!r}"


def _given(options: ScanOptions) -> str:
    """The settings flags set, in a stable form (unset ones left out)."""
    return repr(sorted((k, v) for k, v in options.overrides.items() if v is not None))


def _git_facts(folder: str) -> GitFacts | None:
    from optimus.discover.git import git_facts  # subprocess: only repositories need it

    return git_facts(folder)


def _under(root: str, cut: int, path: str) -> str:
    """A path under ``root`` relative to it ("." for root itself)."""
    return "." if path == root else path[cut:]


def _replay(
    scan_cache: ScanCache,
    paths: list[str],
    root: str,
    root_settings: Settings,
    options: ScanOptions,
    catalogue: Catalogue,
) -> tuple[list[Planned], StoredScan] | None:
    """The stored scan's projects when nothing the walk saw has changed, else None."""
    stored = scan_cache.stored
    tree = stored.tree if stored is not None else None
    if stored is None or tree is None:
        return None
    if tree.root != root or tree.paths != [os.path.abspath(p) for p in paths]:
        return None
    if tree.overrides != _flags(options, root_settings) or not tree.unchanged():
        return None
    projects = []
    for project, abspath, has_vcs, settings_repr, settled in tree.projects:
        if settled:
            settings = root_settings
        else:
            settings = _project_settings(
                project.path, abspath, root, root_settings, options, catalogue
            )
        if repr(settings) != settings_repr:
            return None  # a configuration outside the tree (`extend`) changed
        fresh = Project(project.path, project.name, members=list(project.members))
        if has_vcs:
            fresh.git = _git_facts(abspath)
        projects.append(Planned(fresh, settings, [], abspath, root))
    if _engine_stamp(projects) != tree.engines:
        return None
    return projects, stored


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
    parts.append(_engine_stamp(projects))
    return scan_key(parts)


def _engine_stamp(projects: list[Planned]) -> str:
    """Each engine's program and its modification time, where some project runs engines."""
    if not any(p.settings.engines for p in projects):
        return ""
    from optimus.registry import all_engines

    parts = []
    for engine in all_engines():
        program = engine.executable()
        try:
            stamp = os.stat(program).st_mtime_ns if program else None
        except OSError:
            stamp = None
        parts.append(f"engine\0{engine.name}\0{program}\0{stamp}")
    return "\n".join(parts)


def _join(prefix: str, path: str) -> str:
    return prefix.rstrip("/") if path == "." and prefix else prefix + path if path != "." else "."
