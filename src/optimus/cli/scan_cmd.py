"""``optimus scan``: find projects, run the rules, print or write a report, exit by severity."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from optimus.analyze.baseline import load_baseline, new_findings
from optimus.analyze.engine import ScanOptions, scan
from optimus.cli.options import (
    DEBUG,
    EXCLUDE,
    EXTEND_SELECT,
    IGNORE,
    JOBS,
    NO_CACHE,
    NO_ENGINES,
    OUTPUT,
    PATHS,
    PREVIEW,
    SELECT,
    check_paths,
    overrides,
)
from optimus.cli.progress import ScanProgress
from optimus.config import load_config
from optimus.model import ScanResult, Severity
from optimus.report.base import renderer


class OutputFormat(StrEnum):
    """Formats ``optimus scan`` writes."""

    table = "table"
    json = "json"
    sarif = "sarif"
    markdown = "markdown"


def exit_code(result: ScanResult, fail_on: str) -> int:
    """1 when a finding is at or above ``fail_on`` (a severity, or "none"), else 0."""
    if fail_on == "none":
        return 0
    threshold = Severity(fail_on).rank
    return 1 if any(f.severity.rank >= threshold for f in result.findings) else 0


def write_output(text: str, output: Path | None) -> None:
    """Write to a file, or to stdout."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        from optimus.errors import UsageError

        raise UsageError(f"cannot write {output}: {exc.strerror}") from None


def register(app: typer.Typer) -> None:
    """Add the scan command to the app."""

    @app.command("scan")
    def scan_command(
        paths: list[Path] = PATHS,
        output_format: OutputFormat = typer.Option(
            OutputFormat.table, "--format", "-f", help="Output format."
        ),
        output: Path | None = OUTPUT,
        select: list[str] | None = SELECT,
        ignore: list[str] | None = IGNORE,
        extend_select: list[str] | None = EXTEND_SELECT,
        exclude: list[str] | None = EXCLUDE,
        fail_on: str | None = typer.Option(
            None,
            "--fail-on",
            help="Exit 1 when a finding is at or above this severity "
            "(critical, high, medium, low, info, none). Default: high.",
        ),
        baseline: Path | None = typer.Option(
            None, "--baseline", help="Report only findings not recorded in this baseline file."
        ),
        preview: bool = PREVIEW,
        no_cache: bool = NO_CACHE,
        no_engines: bool = NO_ENGINES,
        jobs: int | None = JOBS,
        exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even with findings."),
        debug: bool = DEBUG,
        save: bool = typer.Option(
            False, "--save", help="Record the scan in the history database (optimus history)."
        ),
        database: str | None = typer.Option(
            None,
            "--database",
            metavar="URL",
            help="History database for --save (default: OPTIMUS_DATABASE_URL, else SQLite "
            "in the user data folder).",
            show_default=False,
        ),
    ) -> None:
        """Scan PATHS for projects and report optimization findings."""
        targets = check_paths(paths)
        if database is not None and not save:
            from optimus.errors import UsageError

            raise UsageError("--database only applies with --save")
        flags = overrides(select, ignore, extend_select, exclude, fail_on, preview, no_engines)
        show_bar = output_format is OutputFormat.table and sys.stderr.isatty()
        with ScanProgress(enabled=show_bar) as progress:
            result = scan(
                targets,
                ScanOptions(
                    overrides=flags,
                    use_cache=not no_cache,
                    jobs=jobs,
                    debug=debug,
                    progress=progress,
                ),
            )
        saved = result.findings  # history keeps every finding, whatever the baseline hides
        if baseline is not None:
            result.findings = new_findings(result.findings, load_baseline(str(baseline)))
        if output_format is OutputFormat.table:
            from optimus.report.terminal import render

            color = output is None and sys.stdout.isatty()
            text = render(result, color=color, width=None if color else 120)
        else:
            text = renderer(output_format.value)(result)
        write_output(text, output)
        if save:
            from optimus.cli.db_cmd import save_scan

            save_scan(result, saved, database, flags)
        fail = fail_on or load_config(result_root(targets)).fail_on
        raise typer.Exit(0 if exit_zero else exit_code(result, fail))


def result_root(targets: list[str]) -> str:
    """The folder whose configuration sets the scan-wide options (fail-on)."""
    import os

    first = os.path.abspath(targets[0])
    return first if os.path.isdir(first) else os.path.dirname(first)
