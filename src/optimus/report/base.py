"""What every output format shares: the format registry and finding helpers."""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable

from optimus.model import Finding, ScanResult, Severity

#: Format name -> module under optimus.report exposing ``render(result) -> str``.
FORMATS = {
    "table": "optimus.report.terminal",
    "json": "optimus.report.json_output",
    "sarif": "optimus.report.sarif",
    "markdown": "optimus.report.markdown",
}

SEVERITY_ORDER = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]


def renderer(fmt: str) -> Callable[[ScanResult], str]:
    """The render function of a format."""
    return importlib.import_module(FORMATS[fmt]).render  # type: ignore[no-any-return]


def severity_counts(findings: list[Finding]) -> dict[Severity, int]:
    """Findings per severity, every severity present (0 where none)."""
    counts = Counter(f.severity for f in findings)
    return {s: counts.get(s, 0) for s in SEVERITY_ORDER}


def by_project(result: ScanResult) -> dict[str, list[Finding]]:
    """Findings grouped by project path, in the order of result.projects."""
    groups: dict[str, list[Finding]] = {p.path: [] for p in result.projects}
    for f in result.findings:
        groups.setdefault(f.project, []).append(f)
    return groups


def stack_summary(stack_languages: list[str], frameworks: list[str], infra: list[str]) -> str:
    """A one-line stack description: top languages, frameworks, infrastructure."""
    parts = stack_languages[:3] + frameworks[:4] + infra[:3]
    return ", ".join(parts) if parts else "-"
