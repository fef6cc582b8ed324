"""``optimus user``: the people (and bots) who may use the API, and their roles.

Roles: viewer (read), operator (also scan and suppress), admin (also keys and users).
Every change is written to the audit log as ``cli:<login name>``.
"""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from optimus.cli.db_cmd import DATABASE, cli_actor, open_database
from optimus.cli.notify import tell_servers
from optimus.store import users
from optimus.store.models import ROLES

ROLE_HELP = f"One of: {', '.join(ROLES)}."


def register(app: typer.Typer) -> None:
    """Add the user command group to the app."""
    group = typer.Typer(name="user", help="Manage API users and their roles.", no_args_is_help=True)

    @group.command("create")
    def create(
        name: str = typer.Argument(..., help="The user's name (letters, digits, _ . @ -)."),
        role: str = typer.Option("viewer", "--role", "-r", help=ROLE_HELP),
        password: bool = typer.Option(
            False, "--password", help="Ask for a password (for the API's token login)."
        ),
        database: str | None = DATABASE,
    ) -> None:
        """Create a user."""
        users.check_role(role)
        secret = (
            typer.prompt("Password", hide_input=True, confirmation_prompt=True)
            if password
            else None
        )
        db = open_database(database)
        with db.session() as session:
            user = users.create_user(session, name, role, password=secret)
            users.audit(session, cli_actor(), "user.create", f"user:{name}", {"role": role})
            typer.echo(f"Created user {user.name} ({user.role}), id {user.id}")

    @group.command("list")
    def list_command(
        database: str | None = DATABASE,
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """List users."""
        db = open_database(database)
        with db.session() as session:
            rows = [
                {
                    "id": u.id,
                    "name": u.name,
                    "role": u.role,
                    "disabled": u.disabled,
                    "password": u.password_hash is not None,
                    "created_at": u.created_at.isoformat(),
                }
                for u in users.list_users(session)
            ]
        if as_json:
            typer.echo(json.dumps(rows, indent=2))
            return
        if not rows:
            typer.echo("No users yet: add one with `optimus user create NAME --role ROLE`.")
            return
        table = Table("id", "name", "role", "password", "status", "created")
        for row in rows:
            table.add_row(
                str(row["id"]),
                row["name"],
                row["role"],
                "yes" if row["password"] else "no",
                "disabled" if row["disabled"] else "active",
                row["created_at"][:16].replace("T", " "),
            )
        Console().print(table)

    @group.command("set-role")
    def set_role(
        name: str = typer.Argument(..., help="The user."),
        role: str = typer.Argument(..., help=ROLE_HELP),
        database: str | None = DATABASE,
    ) -> None:
        """Change a user's role."""
        users.check_role(role)
        db = open_database(database)
        with db.session() as session:
            before = users.get_user(session, name).role
            users.set_role(session, name, role)
            users.audit(
                session, cli_actor(), "user.set_role", f"user:{name}", {"from": before, "to": role}
            )
        tell_servers("auth")
        typer.echo(f"{name}: {before} -> {role}")

    @group.command("set-password")
    def set_password(
        name: str = typer.Argument(..., help="The user."),
        database: str | None = DATABASE,
    ) -> None:
        """Set or replace a user's password (asked for, never taken from the command line)."""
        secret = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        db = open_database(database)
        with db.session() as session:
            users.set_password(session, name, secret)
            users.audit(session, cli_actor(), "user.set_password", f"user:{name}")
        typer.echo(f"Password of {name} set")

    @group.command("disable")
    def disable(
        name: str = typer.Argument(..., help="The user."),
        database: str | None = DATABASE,
    ) -> None:
        """Disable a user: their keys, tokens and password stop working (a running server
        refuses them at once where it shares OPTIMUS_REDIS_URL, else within its
        --auth-cache-ttl, 5 s by default)."""
        db = open_database(database)
        with db.session() as session:
            users.disable_user(session, name)
            users.audit(session, cli_actor(), "user.disable", f"user:{name}")
        tell_servers("auth")
        typer.echo(f"Disabled {name}")

    app.add_typer(group)
