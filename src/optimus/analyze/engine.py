"""One scan from paths to a ScanResult: walk, projects, parallel cached analysis, findings."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

import pathspec

from optimus.analyze.assemble import EngineItem, LineReader, build_findings
from optimus.analyze.cache import ResultCache
from optimus.analyze.engines_run import run_engines
from optimus.analyze.files import FileOutcome, RawHit, analyze_batch, rules_for_kind, run_rules
from optimus.analyze.fingerprint import normalize_snippet
from optimus.analyze.hashing import digest_bytes
from optimus.analyze.project_context import ProjectContext
from optimus.analyze.scan_cache import Catalogue, ScanCache, StoredScan, scan_key
from optimus.analyze.selection import enabled_rules
from optimus.config import Settings, find_config, load_config, validate_selectors
from optimus.discover.git import git_facts
from optimus.discover.projects import assign_files, find_projects
from optimus.discover.stack import detect_stack
from optimus.discover.walk import FileEntry, walk
from optimus.engines.base import Engine
from optimus.errors import UsageError
from optimus.model import (
    Diagnostic,
    Finding,
    LanguageStats,
    Project,
    ScanResult,
    ScanStats,
    Stack,
)
from optimus.parse.errors import ParseError
from optimus.parse.kinds import CODE_KINDS
from optimus.parse.source import SourceFile
from optimus.registry import all_engines, all_rules, broken_modules
from optimus.rules.base import Rule

Progress = Callable[[int, int], None]


@dataclass
class _Planned:
    """A project found by discovery, with its settings, its files and its folder."""

    project: Project
    settings: Settings
    entries: list[FileEntry]
    abspath: str
    root: str


_POOL_THRESHOLD = 200


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
    projects: list[_Planned] = []
    exclude = (
        pathspec.GitIgnoreSpec.from_lines(root_settings.exclude) if root_settings.exclude else None
    )
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
            projects.append(_Planned(project, settings, owned[proj_path], abspath, root))

    key = _scan_key(root, projects, diagnostics)
    stored = scan_cache.get(key)
    if stored is not None:
        findings, diagnostics = list(stored.findings), list(stored.diagnostics)
        stats = replace(stored.stats, files_analyzed=0)
        stats.files_cached = stored.stats.files_cached + stored.stats.files_analyzed
        for planned in projects:
            planned.project.stack = stored.stacks.get(planned.project.path, Stack())
    else:
        findings, diagnostics = _analyze(projects, root, options, diagnostics, stats)
        stacks = {p.project.path: p.project.stack for p in projects}
        stored = StoredScan(key, findings, diagnostics, replace(stats), stacks)
        scan_cache.save(stored, scan_cache.catalogue or _catalogue())
    stats.seconds = round(time.perf_counter() - started, 3)
    display_root = paths[0] if len(paths) == 1 else root
    return ScanResult(display_root, [p.project for p in projects], findings, diagnostics, stats)


def _catalogue() -> Catalogue:
    """Rule names and codes and engine names, from the registry (imports every rule)."""
    rules = all_rules()
    known = {r.name for r in rules} | {r.code for r in rules}
    return Catalogue(known, frozenset(e.name for e in all_engines()))


def _scan_key(root: str, projects: list[_Planned], diagnostics: list[Diagnostic]) -> str:
    """The whole-scan cache key: everything the analysis of these projects reads."""
    parts = [os.path.abspath(root)]
    parts += [f"{d.path}\0{d.message}" for d in diagnostics]
    for planned in projects:
        project = planned.project
        parts.append(f"{project.path}\0{project.name}\0{project.members}\0{planned.abspath}")
        parts.append(repr(planned.settings))
        parts += [f"{e.path}\0{e.kind}\0{e.size}\0{e.mtime_ns}" for e in planned.entries]
    if any(p.settings.engines for p in projects):
        for engine in all_engines():
            program = engine.executable()
            try:
                stamp = os.stat(program).st_mtime_ns if program else None
            except OSError:
                stamp = None
            parts.append(f"engine\0{engine.name}\0{program}\0{stamp}")
    return scan_key(parts)


def _analyze(
    projects: list[_Planned],
    root: str,
    options: ScanOptions,
    diagnostics: list[Diagnostic],
    stats: ScanStats,
) -> tuple[list[Finding], list[Diagnostic]]:
    """Analyse code files (cached per file) and finish every project: sorted findings and
    diagnostics."""
    rules = all_rules()
    engines = all_engines()
    cache = ResultCache(root, options.use_cache)
    outcomes = _analyze_code(projects, cache, options, diagnostics, stats)
    findings: list[Finding] = []
    missing_engines: set[str] = set()
    reader = LineReader(root)
    for planned in projects:
        findings += _finish_project(
            planned, outcomes, rules, engines, missing_engines, reader, diagnostics, stats, cache
        )
    cache.save()
    diagnostics += [
        Diagnostic(module, f"internal error: the module failed to load ({error}); please report it")
        for module, error in broken_modules().items()
    ]
    findings.sort(key=lambda f: (f.project, f.path, f.line or 0, f.rule))
    diagnostics.sort(key=lambda d: (d.path, d.message))
    return findings, diagnostics


def _join(prefix: str, path: str) -> str:
    return prefix.rstrip("/") if path == "." and prefix else prefix + path if path != "." else "."


def _project_rel(project: Project, path: str) -> str:
    return path if project.path == "." else path[len(project.path) + 1 :]


def _analyze_code(
    projects: list[_Planned],
    cache: ResultCache,
    options: ScanOptions,
    diagnostics: list[Diagnostic],
    stats: ScanStats,
) -> dict[str, FileOutcome]:
    outcomes: dict[str, FileOutcome] = {}
    todo: list[tuple[str, str, str, str]] = []
    sizes: dict[str, tuple[int, int]] = {}
    for planned in projects:
        project, settings = planned.project, planned.settings
        for entry in planned.entries:
            if entry.kind not in CODE_KINDS:
                continue
            if entry.size > settings.max_file_size:
                diagnostics.append(
                    Diagnostic(
                        entry.path,
                        f"skipped: {entry.size / 1e6:.1f} MB is over max-file-size "
                        f"({settings.max_file_size / 1e6:.1f} MB)",
                    )
                )
                continue
            local = _project_rel(project, entry.path)
            hit = cache.get(entry.path, entry.size, entry.mtime_ns, local)
            if hit is not None:
                outcomes[entry.path] = hit
                stats.files_cached += 1
                continue
            sizes[entry.path] = (entry.size, entry.mtime_ns)
            todo.append((entry.abspath, entry.path, local, entry.kind))
    progress = options.progress
    total = len(todo)
    if progress:
        progress(0, total)
    jobs = options.jobs or os.cpu_count() or 1
    results: list[FileOutcome | str] = []
    if jobs > 1 and total >= _POOL_THRESHOLD:
        size = max(8, min(256, total // (jobs * 8)))
        batches = [todo[i : i + size] for i in range(0, total, size)]
        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        all_rules()  # import the rules before forking so workers inherit them
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            done = 0
            for batch_result in pool.map(analyze_batch, batches, [options.debug] * len(batches)):
                results += batch_result
                done += len(batch_result)
                if progress:
                    progress(done, total)
    else:
        for i, item in enumerate(todo, start=1):
            results += analyze_batch([item], options.debug)
            if progress and i % 50 == 0:
                progress(i, total)
    if progress:
        progress(total, total)
    for item, result in zip(todo, results, strict=True):
        path = item[1]
        if isinstance(result, str):
            diagnostics.append(Diagnostic(path, result))
            continue
        outcomes[path] = result
        stats.files_analyzed += 1
        cache.put(path, *sizes[path], result)
    return outcomes


def _finish_project(
    planned: _Planned,
    outcomes: dict[str, FileOutcome],
    rules: list[Rule],
    engines: list[Engine],
    missing_engines: set[str],
    reader: LineReader,
    diagnostics: list[Diagnostic],
    stats: ScanStats,
    cache: ResultCache,
) -> list[Finding]:
    """Infra files and project rules, engines, stack, then the project's findings."""
    project, settings, entries = planned.project, planned.settings, planned.entries
    project_dir = planned.abspath
    sources: dict[str, SourceFile] = {}
    for entry in entries:
        if entry.kind in CODE_KINDS or entry.kind == "meta":
            continue
        if entry.size > settings.max_file_size:
            diagnostics.append(Diagnostic(entry.path, "skipped: over max-file-size"))
            continue
        try:
            with open(entry.abspath, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            diagnostics.append(Diagnostic(entry.path, f"cannot read file: {exc.strerror}"))
            continue
        src = SourceFile(entry.path, _project_rel(project, entry.path), entry.kind, data)
        sources[entry.path] = src
        outcomes[entry.path] = run_rules(src, rules_for_kind(entry.kind))
    ctx = ProjectContext(project, sources, [e.path for e in entries], planned.root)
    enabled = enabled_rules(rules, settings)
    enabled_names = {r.name for r in enabled}
    raw: list[RawHit] = []
    for rule in enabled:
        if rule.scope != "project":
            continue
        try:
            for hit in rule.check_project(ctx):
                src = sources.get(hit.path or "")
                text = src.line_text(hit.line) if src and hit.line else ""
                raw.append(RawHit(rule.name, hit, normalize_snippet(hit.snippet or text)))
        except ParseError:
            pass  # recorded on the SourceFile; reported below as that file's diagnostic
        except Exception as exc:  # a bug in one rule must not stop the scan
            diagnostics.append(
                Diagnostic(project.path, f"internal error in rule {rule.name}: {exc!r}")
            )
    for path, src in sources.items():
        # Parses that project rules asked for and that failed are diagnostics too.
        outcome = outcomes[path]
        for exc in src.parse_failures():
            message = str(exc) + (f" (line {exc.line})" if exc.line else "")
            if message not in outcome.diagnostics:
                outcome.diagnostics.append(message)
    languages: dict[str, LanguageStats] = {}
    imports: set[str] = set()
    per_file: list[tuple[str, RawHit]] = []
    for entry in entries:
        outcome = outcomes.get(entry.path)
        if outcome is None:
            continue
        stats.files += 1
        stats.lines += outcome.lines
        if outcome.language:
            lang = languages.setdefault(outcome.language, LanguageStats())
            lang.files += 1
            lang.lines += outcome.lines
        imports |= outcome.imports
        diagnostics += [Diagnostic(entry.path, m) for m in outcome.diagnostics]
        per_file += [(entry.path, h) for h in outcome.hits]
    per_file += [(h.hit.path or project.path, h) for h in raw]
    k8s = [src.path for src, _ in ctx.k8s_objects()]
    project.stack = detect_stack(project.path, entries, languages, imports, k8s)
    inputs = digest_bytes("\n".join(f"{e.path}\0{e.size}\0{e.mtime_ns}" for e in entries).encode())
    report = run_engines(
        ctx, project_dir, engines, settings, enabled_names, missing_engines, cache, inputs
    )
    diagnostics += report.diagnostics
    return build_findings(
        project,
        per_file,
        [EngineItem(engine, hit) for engine, hit in report.hits],
        outcomes,
        rules,
        enabled_names,
        settings,
        reader,
    )
