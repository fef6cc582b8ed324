"""The table format: a portfolio table, then findings grouped by project, with file:line."""

from __future__ import annotations

import io

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from optimus.model import ScanResult, Severity
from optimus.report.base import SEVERITY_ORDER, by_project, severity_counts, stack_summary

STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def render(result: ScanResult, color: bool = False, width: int | None = None) -> str:
    """The report as text; with ``color`` it carries ANSI styles for a terminal."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=width or 120,
        highlight=False,
        soft_wrap=False,
    )
    table = Table(title=f"Portfolio: {result.root}", title_justify="left", expand=False)
    table.add_column("project")
    table.add_column("stack")
    for sev in SEVERITY_ORDER:
        table.add_column(sev.value, justify="right", style=STYLES[sev])
    groups = by_project(result)
    for project in result.projects:
        stack = project.stack
        counts = severity_counts(groups.get(project.path, []))
        table.add_row(
            project.path if project.path != "." else f"{project.name} (.)",
            stack_summary(list(stack.languages), stack.frameworks, stack.infrastructure),
            *(str(counts[s]) if counts[s] else "-" for s in SEVERITY_ORDER),
        )
    console.print(table)
    for project in result.projects:
        findings = groups.get(project.path, [])
        if not findings:
            continue
        console.print()
        console.print(Text(f"{project.path}  ({len(findings)} findings)", style="bold underline"))
        for f in findings:
            where = f"{f.path}:{f.line}" if f.line else f.path
            line = Text("  ")
            line.append(f"{f.severity.value:<8}", style=STYLES[f.severity])
            line.append(f" {where}", style="bold")
            line.append(f"  {f.code} {f.rule}", style="magenta")
            console.print(line)
            # The message on its own indented lines, so long explanations stay readable.
            console.print(Padding(Text(f.message), (0, 0, 0, 11), expand=False))
    if result.diagnostics:
        console.print()
        console.print(Text(f"{len(result.diagnostics)} diagnostics", style="bold"))
        for d in result.diagnostics:
            console.print(Text(f"  {d.path}: {d.message}", style="dim"))
    counts = severity_counts(result.findings)
    summary = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n) or "no findings"
    console.print()
    console.print(
        f"{len(result.projects)} projects, {result.stats.files} files, "
        f"{result.stats.lines} lines in {result.stats.seconds:.2f}s: {summary}"
    )
    return buffer.getvalue()
