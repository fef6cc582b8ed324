"""``optimus baseline``: record today's findings so later scans report only new ones."""

from __future__ import annotations

from pathlib import Path

import typer

from optimus.analyze.baseline import write_baseline
from optimus.analyze.engine import ScanOptions, scan
from optimus.cli.options import PATHS, check_paths, overrides


def register(app: typer.Typer) -> None:
    """Add the baseline command to the app."""

    @app.command("baseline")
    def baseline_command(
        paths: list[Path] = PATHS,
        output: Path = typer.Option(..., "--output", "-o", help="The baseline file to write."),
        select: list[str] | None = typer.Option(None, help="Only these rules."),
        ignore: list[str] | None = typer.Option(None, help="Turn these rules off."),
        preview: bool = typer.Option(False, "--preview", help="Also run preview rules."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Analyse every file afresh."),
    ) -> None:
        """Record the current findings of PATHS in a baseline file (use with scan --baseline)."""
        targets = check_paths(paths)
        flags = overrides(select, ignore, None, None, None, preview)
        result = scan(targets, ScanOptions(overrides=flags, use_cache=not no_cache))
        count = write_baseline(result, str(output))
        typer.echo(f"Recorded {count} findings in {output}", err=True)
