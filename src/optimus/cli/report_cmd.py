"""``optimus report``: scan, then write the optimization analysis (Markdown, HTML or JSON)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

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
from optimus.cli.scan_cmd import write_output
from optimus.errors import ConfigError, UsageError
from optimus.model import ScanResult
from optimus.report.score import ScoreSettings


class ReportFormat(StrEnum):
    """Formats ``optimus report`` writes."""

    markdown = "markdown"
    html = "html"
    json = "json"


_FLAGS = {"minutes-per-line": "--line-cost", "grid": "--rating-grid"}


def score_settings(line_cost: float | None, grid: str | None) -> ScoreSettings:
    """Score settings from the command line (defaults where a flag is not given)."""
    table: dict[str, object] = {}
    if line_cost is not None:
        table["minutes-per-line"] = line_cost
    if grid is not None:
        try:
            table["grid"] = [float(v) for v in grid.split(",")]
        except ValueError:
            raise UsageError(
                f"--rating-grid: expected four ratios such as 0.05,0.1,0.2,0.5, got {grid!r}"
            ) from None
    try:
        return ScoreSettings.from_mapping(table, "command line")
    except ConfigError as exc:
        flag = _FLAGS.get(exc.key or "", "score settings")
        raise UsageError(f"{flag}: {str(exc).rsplit('`: ', 1)[-1]}") from None


def render(
    result: ScanResult, fmt: ReportFormat, project: str | None, settings: ScoreSettings
) -> str:
    """The report text of a scan in one format."""
    from optimus.report.analysis import build_portfolio

    report = build_portfolio(result, project, settings)
    if fmt is ReportFormat.html:
        from optimus.report.html import render as render_html

        return render_html(report)
    if fmt is ReportFormat.json:
        from optimus.report.analysis.json_report import render as render_json

        return render_json(report)
    from optimus.report.analysis.markdown import render as render_markdown

    return render_markdown(report)


def register(app: typer.Typer) -> None:
    """Add the report command to the app."""

    @app.command("report")
    def report_command(
        paths: list[Path] = PATHS,
        project: str | None = typer.Option(
            None, "--project", "-p", help="Report on this project only (its name or path)."
        ),
        output_format: ReportFormat = typer.Option(
            ReportFormat.markdown, "--format", "-f", help="Report format."
        ),
        output: Path | None = OUTPUT,
        select: list[str] | None = SELECT,
        ignore: list[str] | None = IGNORE,
        extend_select: list[str] | None = EXTEND_SELECT,
        exclude: list[str] | None = EXCLUDE,
        preview: bool = PREVIEW,
        no_cache: bool = NO_CACHE,
        no_engines: bool = NO_ENGINES,
        jobs: int | None = JOBS,
        line_cost: float | None = typer.Option(
            None,
            "--line-cost",
            help="Minutes it costs to write one line of code, for the debt ratio (default 30).",
        ),
        rating_grid: str | None = typer.Option(
            None,
            "--rating-grid",
            help="Upper debt ratios of ratings A,B,C,D (default 0.05,0.1,0.2,0.5).",
        ),
        debug: bool = DEBUG,
    ) -> None:
        """Scan PATHS and write the optimization analysis: score, plan, KPIs, per project."""
        targets = check_paths(paths)
        settings = score_settings(line_cost, rating_grid)
        flags = overrides(select, ignore, extend_select, exclude, None, preview, no_engines)
        result = scan(
            targets, ScanOptions(overrides=flags, use_cache=not no_cache, jobs=jobs, debug=debug)
        )
        write_output(render(result, output_format, project, settings), output)
