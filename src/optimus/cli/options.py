"""Flags shared by scan-like commands, and turning them into settings overrides."""

from __future__ import annotations

from pathlib import Path

import typer

from optimus.config import FAIL_ON_VALUES
from optimus.errors import UsageError

PATHS = typer.Argument(..., help="Folders or files to scan (a portfolio, a monorepo, a repo).")


def split_selectors(values: list[str] | None) -> tuple[str, ...] | None:
    """Comma-separated, repeatable selector flags as one tuple (None when not given)."""
    if not values:
        return None
    return tuple(s.strip() for v in values for s in v.split(",") if s.strip())


def overrides(
    select: list[str] | None,
    ignore: list[str] | None,
    extend_select: list[str] | None,
    exclude: list[str] | None,
    fail_on: str | None,
    preview: bool,
    no_engines: bool = False,
) -> dict[str, object]:
    """Settings overrides from flags (None means: keep the configuration's value)."""
    if fail_on is not None and fail_on not in FAIL_ON_VALUES:
        raise UsageError(f"--fail-on: expected one of {', '.join(FAIL_ON_VALUES)}, got {fail_on!r}")
    return {
        "select": split_selectors(select),
        "ignore": split_selectors(ignore),
        "extend_select": split_selectors(extend_select),
        "exclude": split_selectors(exclude),
        "fail_on": fail_on,
        "preview": True if preview else None,
        "engines": False if no_engines else None,
    }


def check_paths(paths: list[Path]) -> list[str]:
    """Paths as strings; a missing one is a usage error naming it."""
    for p in paths:
        if not p.exists():
            raise UsageError(f"path not found: {p}")
    return [str(p) for p in paths]


# Flags of every command that scans (scan, report): declared once so their names and help
# stay the same everywhere.
OUTPUT = typer.Option(None, "--output", "-o", help="Write the report to FILE instead of stdout.")
SELECT = typer.Option(
    None, help="Only these rules (names, codes, code prefixes, categories; comma-separated)."
)
IGNORE = typer.Option(None, help="Turn these rules off.")
EXTEND_SELECT = typer.Option(
    None, "--extend-select", help="Turn these rules on in addition to the selection."
)
EXCLUDE = typer.Option(None, help="Skip paths matching these gitignore-style globs.")
PREVIEW = typer.Option(False, "--preview", help="Also run preview rules.")
NO_CACHE = typer.Option(False, "--no-cache", help="Analyse every file afresh.")
NO_ENGINES = typer.Option(
    False, "--no-engines", help="Do not run external analyzers (ruff, hadolint...)."
)
JOBS = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes (default: all cores).")
DEBUG = typer.Option(False, "--debug", help="Show tracebacks of internal errors.")
