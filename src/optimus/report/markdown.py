"""The Markdown format: a GitHub-flavoured report to post as a pull-request comment or issue.

A title, a one-line summary, a portfolio table (one row per project), then one section per
project that has findings, grouped by severity (highest first) and within a severity by
rule. Diagnostics go in a collapsed ``<details>`` block so they do not crowd the findings.

Every piece of scanned-repository text (paths, messages, project names) is escaped before it
goes into the document: a ``|`` would otherwise split a table cell and a backtick or ``<``
would start a code span or an HTML tag. Output depends only on the ScanResult (no timings,
no dates), so the same scan renders the same comment and a bot can tell when it changed.
"""

from __future__ import annotations

import re

from optimus.model import Diagnostic, Finding, Project, ScanResult, Severity
from optimus.report.base import SEVERITY_ORDER, by_project, severity_counts, stack_summary
from optimus.report.sarif import rule_docs_url

TITLE = "# Optimus report"

#: Characters with a meaning in GFM inline syntax or tables. A backslash before any ASCII
#: punctuation is a literal in CommonMark, so escaping a few too many is harmless.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")
_NEWLINES = re.compile(r"\s*[\r\n]+\s*")


def escape(text: str) -> str:
    """Text made safe for a Markdown table cell or heading (one line, literal characters)."""
    return _SPECIAL.sub(r"\\\1", _NEWLINES.sub(" ", text))


def code(text: str) -> str:
    """Text as an inline code span that is also safe inside a table cell."""
    if "`" in text or "\n" in text:
        # A path with a backtick cannot sit in a single-backtick span; plain escaped text
        # still shows it exactly.
        return escape(text)
    # GFM splits table cells on "|" before it parses code spans, so the pipe is escaped
    # even here; GitHub shows it as a plain "|" inside the span.
    return "`" + text.replace("|", "\\|") + "`"


def message(text: str) -> str:
    """A finding message: its `code` spans kept as code, everything else escaped."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: show the text literally
        return escape(text)
    return "".join(
        (code(part) if part else "") if i % 2 else escape(part) for i, part in enumerate(parts)
    )


def render(result: ScanResult) -> str:
    """The report as GitHub-flavoured Markdown (ends with a newline)."""
    groups = by_project(result)
    blocks = [TITLE, _summary(result)]
    if result.projects:
        blocks.append(_portfolio(result.projects, groups))
    if not result.findings:
        blocks.append("No findings.")
    names = {p.path: p for p in result.projects}
    for path, findings in groups.items():
        if findings:
            blocks.append(_project_section(names.get(path), path, findings))
    if result.diagnostics:
        blocks.append(_diagnostics(result.diagnostics))
    return "\n\n".join(blocks) + "\n"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _summary(result: ScanResult) -> str:
    counts = severity_counts(result.findings)
    found = _plural(len(result.findings), "finding")
    by_severity = ", ".join(f"{n:,} {s.value}" for s, n in counts.items() if n)
    if by_severity:
        found += f" ({by_severity})"
    return (
        f"{_plural(len(result.projects), 'project')}, {found} · "
        f"{_plural(result.stats.files, 'file')} and {_plural(result.stats.lines, 'line')} scanned."
    )


def _project_label(project: Project) -> str:
    if project.path == ".":
        return f"{escape(project.name)} ({code('.')})"
    if project.name and project.name != project.path:
        return f"{escape(project.name)} ({code(project.path)})"
    return code(project.path)


def _portfolio(projects: list[Project], groups: dict[str, list[Finding]]) -> str:
    header = "| Project | Stack | " + " | ".join(s.value.capitalize() for s in SEVERITY_ORDER)
    align = "| --- | --- | " + " | ".join("---:" for _ in SEVERITY_ORDER)
    rows = [header + " |", align + " |"]
    for project in projects:
        stack = project.stack
        counts = severity_counts(groups.get(project.path, []))
        summary = stack_summary(list(stack.languages), stack.frameworks, stack.infrastructure)
        cells = [_project_label(project), escape(summary)]
        # A dash for zero keeps the non-zero counts easy to spot in a wide table.
        cells += [str(counts[s]) if counts[s] else "-" for s in SEVERITY_ORDER]
        rows.append("| " + " | ".join(cells) + " |")
    return "## Portfolio\n\n" + "\n".join(rows)


def _where(f: Finding) -> str:
    return code(f"{f.path}:{f.line}" if f.line is not None else f.path)


def _rule_link(f: Finding) -> str:
    if f.engine != "optimus":
        # Another engine's rule has no page in Optimus's docs.
        return f"{escape(f.rule)} ({escape(f.code)})"
    # Absolute link: the comment is posted on the scanned repository, where a relative
    # docs/rules/ path would point into that repository, not Optimus's documentation.
    return f"[{escape(f.rule)}]({rule_docs_url(f.rule)}) ({escape(f.code)})"


def _project_section(project: Project | None, path: str, findings: list[Finding]) -> str:
    label = _project_label(project) if project else code(path)
    parts = [f"## {label}: {_plural(len(findings), 'finding')}"]
    by_severity: dict[Severity, list[Finding]] = {}
    for f in findings:
        by_severity.setdefault(f.severity, []).append(f)
    for severity in SEVERITY_ORDER:
        group = by_severity.get(severity)
        if not group:
            continue
        group.sort(key=lambda f: (f.rule, f.path, f.line or 0, f.message, f.fingerprint))
        rows = ["| Location | Rule | Message |", "| --- | --- | --- |"]
        rows += [f"| {_where(f)} | {_rule_link(f)} | {message(f.message)} |" for f in group]
        parts.append(f"### {severity.value.capitalize()} ({len(group)})\n\n" + "\n".join(rows))
    return "\n\n".join(parts)


def _diagnostics(diagnostics: list[Diagnostic]) -> str:
    rows = ["| Path | Message |", "| --- | --- |"]
    for d in sorted(diagnostics, key=lambda d: (d.path, d.message)):
        rows.append(f"| {code(d.path) if d.path else '-'} | {escape(d.message)} |")
    # The blank line after <summary> is needed for GitHub to render the table as Markdown.
    return (
        "<details>\n"
        f"<summary>{_plural(len(diagnostics), 'diagnostic')}: "
        "files Optimus could not read or parse</summary>\n\n" + "\n".join(rows) + "\n\n</details>"
    )
