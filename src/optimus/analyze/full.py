"""The full analysis of a scan: code files in parallel (cached per file), then each
project's phase (infrastructure files, project rules, engines, stack, findings).

Only a scan whose whole-scan cache misses comes here, so the rules, parsers and the process
pool are imported only then: a warm rescan of an unchanged tree never loads them.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from optimus.analyze.assemble import EngineItem, LineReader, build_findings
from optimus.analyze.cache import ResultCache
from optimus.analyze.engines_run import run_engines
from optimus.analyze.files import FileOutcome, RawHit, analyze_batch, rules_for_kind, run_rules
from optimus.analyze.fingerprint import normalize_snippet
from optimus.analyze.hashing import digest_bytes
from optimus.analyze.plan import Planned
from optimus.analyze.project_context import ProjectContext
from optimus.analyze.selection import enabled_rules
from optimus.discover.stack import detect_stack
from optimus.engines.base import Engine
from optimus.model import Diagnostic, Finding, LanguageStats, Project, ScanStats
from optimus.parse.errors import ParseError
from optimus.parse.kinds import CODE_KINDS
from optimus.parse.source import SourceFile
from optimus.registry import all_engines, all_rules, broken_modules
from optimus.rules._thirdparty import installed_copy
from optimus.rules.base import Rule

if TYPE_CHECKING:
    from optimus.analyze.engine import ScanOptions

_POOL_THRESHOLD = 200


def analyze(
    projects: list[Planned],
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


def _keep_in_folders(
    per_file: list[tuple[str, RawHit]], enabled: list[Rule], folders: dict[str, set[str]]
) -> list[tuple[str, RawHit]]:
    """The hits that stand once each file's folder is known: file results are cached per
    file, so a rule that judges a file by its siblings does so here, on every scan."""
    judges = {r.name: r for r in enabled if type(r).keep_in_folder is not Rule.keep_in_folder}
    if not judges:
        return per_file
    kept = []
    for path, raw in per_file:
        rule = judges.get(raw.rule)
        if rule is not None and not rule.keep_in_folder(
            path.rpartition("/")[2], _siblings(folders, path)
        ):
            continue
        kept.append((path, raw))
    return kept


def _siblings(folders: dict[str, set[str]], path: str) -> frozenset[str]:
    """The names of the other files in ``path``'s folder."""
    folder, _, name = path.rpartition("/")
    return frozenset(folders.get(folder, set()) - {name})


def _project_rel(project: Project, path: str) -> str:
    return path if project.path == "." else path[len(project.path) + 1 :]


def _analyze_code(
    projects: list[Planned],
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
        batches = _batches(todo, sizes, jobs)
        todo = [item for batch in batches for item in batch]
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


def _batches(
    todo: list[tuple[str, str, str, str]], sizes: dict[str, tuple[int, int]], jobs: int
) -> list[list[tuple[str, str, str, str]]]:
    """Work for the pool: largest files first, in batches of about the same number of bytes.

    Batches of a fixed number of files in path order left one worker on a run of large
    files while the other sat idle at the end; longest first with even batches keeps both
    busy to the end (the usual longest-processing-time rule).
    """
    ordered = sorted(todo, key=lambda item: sizes[item[1]][0], reverse=True)
    budget = max(1, sum(sizes[item[1]][0] for item in todo) // (jobs * 24))
    batches: list[list[tuple[str, str, str, str]]] = []
    current: list[tuple[str, str, str, str]] = []
    weight = 0
    for item in ordered:
        current.append(item)
        weight += sizes[item[1]][0] + 2048  # a small file still costs a read and a dispatch
        if weight >= budget:
            batches.append(current)
            current, weight = [], 0
    if current:
        batches.append(current)
    return batches


def _finish_project(
    planned: Planned,
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
    folders: dict[str, set[str]] = {}
    for entry in entries:
        folder, _, name = entry.path.rpartition("/")
        folders.setdefault(folder, set()).add(name)
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
        src.siblings = _siblings(folders, entry.path)
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
    per_file = _keep_in_folders(per_file, enabled, folders)
    if any(r.skip_third_party for r in enabled) and installed_copy(ctx) is not None:
        skipped = {r.name for r in enabled if r.skip_third_party}
        per_file = [(path, h) for path, h in per_file if h.rule not in skipped]
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
