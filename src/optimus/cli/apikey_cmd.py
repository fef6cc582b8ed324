"""``optimus apikey``: create, list and revoke API keys.

A new key is printed once, on stdout, and never stored: only its hash and its first
characters (to recognise it in lists) are kept. Every change goes to the audit log.
"""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from optimus.cli.db_cmd import DATABASE, cli_actor, open_database
from optimus.cli.notify import tell_servers
from optimus.store import users


def _when(value: object) -> str:
    return "-" if value is None else f"{value:%Y-%m-%d %H:%M}"


def register(app: typer.Typer) -> None:
    """Add the apikey command group to the app."""
    group = typer.Typer(name="apikey", help="Manage API keys.", no_args_is_help=True)

    @group.command("create")
    def create(
        user: str = typer.Option(..., "--user", "-u", help="The user the key acts as."),
        name: str = typer.Option("default", "--name", "-n", help="A label for the key."),
        database: str | None = DATABASE,
    ) -> None:
        """Create a key for USER and print it once."""
        db = open_database(database)
        with db.session() as session:
            key, plaintext = users.create_api_key(session, user, name)
            users.audit(
                session,
                cli_actor(),
                "apikey.create",
                f"apikey:{key.id}",
                {"user": user, "name": name, "prefix": key.prefix},
            )
            key_id, role = key.id, key.user.role
        typer.echo(plaintext)
        typer.echo(
            f"Key {key_id} ({name}) for {user} ({role}). This is the only time it is shown: "
            "store it now. Send it as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'.",
            err=True,
        )

    @group.command("list")
    def list_command(
        user: str | None = typer.Option(None, "--user", "-u", help="Only this user's keys."),
        database: str | None = DATABASE,
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """List keys (their prefixes, never the keys)."""
        db = open_database(database)
        with db.session() as session:
            rows = [
                {
                    "id": key.id,
                    "user": owner.name,
                    "role": owner.role,
                    "name": key.name,
                    "prefix": key.prefix,
                    "created_at": key.created_at,
                    "last_used_at": key.last_used_at,
                    "revoked_at": key.revoked_at,
                }
                for key, owner in users.list_api_keys(session, user)
            ]
        if as_json:
            typer.echo(json.dumps(rows, indent=2, default=lambda v: v.isoformat()))
            return
        if not rows:
            typer.echo("No API keys yet: create one with `optimus apikey create --user NAME`.")
            return
        table = Table("id", "user", "role", "name", "created", "last used", "revoked")
        table.add_column("prefix", no_wrap=True)
        for row in rows:
            table.add_row(
                str(row["id"]),
                row["user"],
                row["role"],
                row["name"],
                _when(row["created_at"]),
                _when(row["last_used_at"]),
                _when(row["revoked_at"]),
                row["prefix"] + "_…",
            )
        Console().print(table)

    @group.command("revoke")
    def revoke(
        key_id: int = typer.Argument(..., help="The key's id (see `optimus apikey list`)."),
        database: str | None = DATABASE,
    ) -> None:
        """Revoke a key; a running server refuses it at once where it shares
        OPTIMUS_REDIS_URL, else within its --auth-cache-ttl (5 s by default)."""
        db = open_database(database)
        with db.session() as session:
            key = users.revoke_api_key(session, key_id)
            users.audit(session, cli_actor(), "apikey.revoke", f"apikey:{key_id}")
            label = f"{key.name}, {key.prefix}_…"
        tell_servers("auth")
        typer.echo(f"Revoked key {key_id} ({label})")

    app.add_typer(group)
