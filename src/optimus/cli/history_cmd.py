"""``optimus history [PROJECT]``: how projects changed across the scans saved with --save.

Without PROJECT: one line per recorded project (latest score, open findings, the biggest
change since its first scan shown). With PROJECT: its scans, oldest first, with score,
findings by severity and top rules, then what changed ("unwrap-density 226 -> 140 since
2026-06-01").
"""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from optimus.cli.db_cmd import DATABASE, open_database
from optimus.store.history import ProjectHistory, histories
from optimus.store.models import SEVERITIES

_SHORT = {"critical": "crit", "high": "high", "medium": "med", "low": "low", "info": "info"}
_SEVERITY_STYLE = {
    "critical": "bold red",
    "high": "red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


def _score(score: float | None, rating: str | None) -> str:
    if score is None:
        return "-"
    return f"{score:g} {rating or ''}".strip()


def _change(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:+g}" if value else "±0"


def _label(history: ProjectHistory) -> str:
    where = history.root if history.path == "." else f"{history.root}/{history.path}"
    return f"{history.name} (#{history.project_id}, {where})"


def render_project(console: Console, history: ProjectHistory) -> None:
    """One project's trend: a row per scan, then the rule deltas."""
    table = Table(title=_label(history), title_justify="left")
    table.add_column("scan", justify="right")
    table.add_column("date", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    for severity in SEVERITIES:
        table.add_column(_SHORT[severity], justify="right", style=_SEVERITY_STYLE[severity])
    table.add_column("open", justify="right")
    table.add_column("top rules")
    for row in history.rows:
        table.add_row(
            str(row.scan_id),
            f"{row.at:%Y-%m-%d %H:%M}",
            _score(row.score, row.rating),
            *(str(row.by_severity.get(s, 0)) for s in SEVERITIES),
            str(row.findings),
            ", ".join(f"{rule} {n}" for rule, n in row.top_rules) or "-",
        )
    console.print(table)
    if not history.rows:
        console.print("  no scans recorded for this project")
    change = history.score_change
    if change is not None:
        first, latest = history.rows[0].score, history.rows[-1].score
        console.print(f"  score {first:g} -> {latest:g} ({_change(change)})")
    for delta in history.deltas[:10]:
        console.print(f"  {delta}")
    console.print()


def render_summary(console: Console, items: list[ProjectHistory]) -> None:
    """One row per project: where it stands and what moved most."""
    table = Table()
    table.add_column("id", justify="right")
    table.add_column("project")
    table.add_column("scans", justify="right")
    table.add_column("last scan", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("change", justify="right")
    table.add_column("open", justify="right")
    table.add_column("biggest move")
    for item in items:
        last = item.rows[-1] if item.rows else None
        table.add_row(
            str(item.project_id),
            item.name if item.path in (".", item.name) else f"{item.name} ({item.path})",
            str(len(item.rows)),
            f"{last.at:%Y-%m-%d %H:%M}" if last else "-",
            _score(last.score, last.rating) if last else "-",
            _change(item.score_change),
            str(last.findings) if last else "-",
            str(item.deltas[0]) if item.deltas else "",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the history command to the app."""

    @app.command("history")
    def history_command(
        project: str | None = typer.Argument(
            None, help="A project's name, path, id or folder (default: every project)."
        ),
        limit: int = typer.Option(
            20, "--limit", "-n", min=1, help="Scans per project, the latest ones."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        database: str | None = DATABASE,
    ) -> None:
        """Show how projects changed across saved scans (record them with scan --save)."""
        db = open_database(database)
        with db.session() as session:
            items = histories(session, project, limit)
        if as_json:
            typer.echo(json.dumps([item.to_dict() for item in items], indent=2))
            return
        console = Console()
        if not items:
            console.print(f"No scans recorded in {db.where} yet: run `optimus scan PATH --save`.")
            return
        if project is None:
            render_summary(console, items)
            return
        for item in items:
            render_project(console, item)
