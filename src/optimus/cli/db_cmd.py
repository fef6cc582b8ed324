"""``optimus db``: migrate the history database; the ``--database`` flag other commands share.

Commands that store or read history migrate the database to the newest schema on first use,
so SQLite needs no set-up; ``optimus db`` is for doing it explicitly (a PostgreSQL server
prepared ahead of a deploy) and for going back.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import replace

import typer

from optimus.model import Finding, ScanResult
from optimus.store.db import Database, redact

DATABASE = typer.Option(
    None,
    "--database",
    metavar="URL",
    help="History database URL (default: OPTIMUS_DATABASE_URL, else SQLite in the user "
    "data folder).",
    show_default=False,
)


def open_database(url: str | None, *, migrate: bool = True) -> Database:
    """The database at ``url`` (or the default), migrated to the newest schema if asked."""
    db = Database(url)
    db.check()
    if migrate:
        db.ensure_current()
    return db


def cli_actor() -> str:
    """Who a CLI write is recorded as in the audit log: ``cli:<login name>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in some containers
        return "cli"


def save_scan(
    result: ScanResult,
    findings: list[Finding],
    database: str | None,
    flags: dict[str, object],
) -> int:
    """Record a CLI scan with all its ``findings`` (before any baseline filter); say where."""
    from optimus.cli.notify import tell_servers
    from optimus.store.record import record_scan

    db = open_database(database)
    options = {k: v for k, v in flags.items() if v is not None}
    scan_id = record_scan(
        db, replace(result, findings=findings), requested_by=cli_actor(), options=options
    )
    typer.echo(f"Saved scan {scan_id} to {db.where} (see `optimus history`)", err=True)
    tell_servers("answers")
    return scan_id


def register(app: typer.Typer) -> None:
    """Add the db command group to the app."""
    group = typer.Typer(
        name="db",
        help="Migrate the history database (scans, findings, users, keys).",
        no_args_is_help=True,
    )

    @group.command("upgrade")
    def upgrade(
        revision: str = typer.Argument("head", help="Target revision."),
        database: str | None = DATABASE,
    ) -> None:
        """Migrate the schema up (default: to the newest revision)."""
        db = open_database(database, migrate=False)
        db.upgrade(revision)
        typer.echo(f"{redact(db.url)}: at revision {db.current()}")

    @group.command("downgrade")
    def downgrade(
        revision: str = typer.Argument(..., help="Target revision; 'base' empties the database."),
        database: str | None = DATABASE,
        yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    ) -> None:
        """Migrate the schema down; going to 'base' drops every table and its data."""
        db = open_database(database, migrate=False)
        if revision == "base" and not yes:
            typer.confirm(f"Drop all Optimus tables in {db.where}?", abort=True)
        db.downgrade(revision)
        typer.echo(f"{redact(db.url)}: at revision {db.current() or 'base (empty)'}")

    @group.command("current")
    def current(
        database: str | None = DATABASE,
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Print the schema revision of the database and the newest one available."""
        db = open_database(database, migrate=False)
        now, head = db.current(), db.head()
        if as_json:
            doc = {"database": redact(db.url), "current": now, "head": head}
            typer.echo(json.dumps(doc, indent=2))
            return
        state = "up to date" if now == head else f"behind (newest: {head})"
        typer.echo(f"{redact(db.url)}: revision {now or 'none (empty)'}, {state}")

    app.add_typer(group)
