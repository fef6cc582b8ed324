"""The ``optimus`` command: the Typer app and the error boundary around it.

Exit codes (docs/cli.md): 0 nothing at or above --fail-on; 1 findings at or above it;
2 usage or configuration error; 3 internal error (a bug: please report it).
"""

from __future__ import annotations

import sys

import typer

from optimus.errors import OptimusError

app = typer.Typer(
    name="optimus",
    help="Find what makes your projects slow, costly or fragile.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_INTERNAL = 3


#: Command name -> the module that registers it. Each command module is imported only when
#: its command runs (or for --help), so a warm ``scan`` never loads the database layer, the
#: web server or the report templates (tests/cli/test_startup.py).
COMMANDS: dict[str, str] = {
    "scan": "scan_cmd",
    "baseline": "baseline_cmd",
    "rules": "rules_cmd",
    "explain": "rules_cmd",
    "report": "report_cmd",
    "history": "history_cmd",
    "user": "user_cmd",
    "apikey": "apikey_cmd",
    "db": "db_cmd",
    "serve": "serve_cmd",
    "fix": "fix_cmd",
}


def _register(argv: list[str] | None = None) -> None:
    """Register the command ``argv`` names, or every command when it names none we know."""
    import importlib

    wanted = _command_in(argv)
    modules = [COMMANDS[wanted]] if wanted else list(dict.fromkeys(COMMANDS.values()))
    for name in modules:
        module = importlib.import_module(f"optimus.cli.{name}")
        module.register(app)


def _command_in(argv: list[str] | None) -> str | None:
    """The command word of ``argv`` when it is one of ours; None for --help, --version..."""
    for arg in argv or ():
        if arg.startswith("-"):
            continue
        return arg if arg in COMMANDS else None
    return None


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    """Find what makes your projects slow, costly or fragile."""
    if version:
        from optimus import __version__

        typer.echo(f"optimus {__version__}")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    _register(argv if argv is not None else sys.argv[1:])
    debug = "--debug" in (argv if argv is not None else sys.argv)
    try:
        # Standalone mode: Typer prints usage errors itself (exit 2) and exits with the
        # commands' codes; what reaches us here is ours to report.
        app(args=argv)
    except OptimusError as exc:
        typer.echo(f"optimus: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("optimus: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if debug:
            raise
        typer.echo(
            f"optimus: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug. Run again with --debug for the traceback and report it at "
            "https://github.com/optimus-bot/optimus/issues",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
