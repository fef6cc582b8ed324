"""Turn hits into findings: selection, per-file ignores, inline suppressions, de-duplication,
fingerprints. Own rules' hits come first, so where an engine reports the same check on the
same line, the Optimus finding is kept and the engine's is dropped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from optimus.analyze.engines_run import own_ids_enabled
from optimus.analyze.files import FileOutcome, RawHit
from optimus.analyze.fingerprint import fingerprint, normalize_snippet
from optimus.analyze.selection import ignored_for_file
from optimus.analyze.suppress import is_suppressed
from optimus.config import Settings
from optimus.engines.base import Engine, EngineHit
from optimus.model import Confidence, Finding, Project
from optimus.rules.base import Rule


@dataclass
class EngineItem:
    """An engine's hit with the engine that made it."""

    engine: Engine
    hit: EngineHit


class LineReader:
    """Reads source lines of files engines reported on, each file at most once."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._lines: dict[str, list[str]] = {}

    def line(self, path: str, number: int | None) -> str:
        if not number:
            return ""
        if path not in self._lines:
            try:
                with open(os.path.join(self.root, path), encoding="utf-8", errors="replace") as fh:
                    self._lines[path] = fh.read().splitlines()
            except OSError:
                self._lines[path] = []
        lines = self._lines[path]
        return lines[number - 1] if 0 < number <= len(lines) else ""


def build_findings(
    project: Project,
    own: list[tuple[str, RawHit]],
    engine_items: list[EngineItem],
    outcomes: dict[str, FileOutcome],
    rules: list[Rule],
    enabled: set[str],
    settings: Settings,
    reader: LineReader,
) -> list[Finding]:
    """The project's findings, in the order hits came."""
    by_name = {r.name: r for r in rules}
    findings: list[Finding] = []
    seen: dict[tuple[str, str, str], int] = {}
    located: set[tuple[str, str, int | None]] = set()

    def suppressed(path: str, line: int | None, name: str, code: str) -> bool:
        outcome = outcomes.get(path)
        return bool(outcome and is_suppressed(outcome.suppressions, line, name, code))

    def add(finding_args: dict, snippet: str) -> None:
        key = (finding_args["rule"], finding_args["path"], snippet)
        seen[key] = seen.get(key, 0) + 1
        finding_args["fingerprint"] = fingerprint(*key, seen[key])
        findings.append(Finding(project=project.path, **finding_args))

    for path, item in own:
        rule = by_name[item.rule]
        hit = item.hit
        if rule.name not in enabled or ignored_for_file(rule, path, settings):
            continue
        if suppressed(path, hit.line, rule.name, rule.code):
            continue
        located.add((rule.name, path, hit.line))
        add(
            {
                "rule": rule.name,
                "code": rule.code,
                "category": rule.category,
                "severity": hit.severity or rule.severity,
                "confidence": rule.confidence,
                "message": hit.message,
                "path": path,
                "line": hit.line,
                "end_line": hit.end_line if hit.end_line is not None else hit.line,
                "count": hit.count,
                "fixable": hit.fix is not None,
                "fix": hit.fix,
            },
            item.snippet,
        )
    for item in engine_items:
        hit = item.hit
        rule = by_name.get(hit.rule)
        if rule is not None:
            if rule.name not in enabled or ignored_for_file(rule, hit.path, settings):
                continue
            name, code, category = rule.name, rule.code, rule.category
            severity, confidence = hit.severity or rule.severity, rule.confidence
        else:
            if not own_ids_enabled(item.engine, settings, hit.rule):
                continue
            if hit.category is None or hit.severity is None:
                continue  # an engine id without metadata cannot be reported honestly
            name, code, category = hit.rule, hit.code or hit.rule, hit.category
            severity, confidence = hit.severity, Confidence.HIGH
        if (name, hit.path, hit.line) in located or suppressed(hit.path, hit.line, name, code):
            continue
        located.add((name, hit.path, hit.line))
        add(
            {
                "rule": name,
                "code": code,
                "category": category,
                "severity": severity,
                "confidence": confidence,
                "message": hit.message,
                "path": hit.path,
                "line": hit.line,
                "end_line": hit.end_line if hit.end_line is not None else hit.line,
                "engine": item.engine.name,
            },
            normalize_snippet(reader.line(hit.path, hit.line)),
        )
    return findings
