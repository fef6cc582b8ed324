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


def _register() -> None:
    from optimus.cli import baseline_cmd, rules_cmd, scan_cmd

    scan_cmd.register(app)
    baseline_cmd.register(app)
    rules_cmd.register(app)

    from optimus.cli import serve_cmd

    serve_cmd.register(app)

    from optimus.cli import report_cmd

    report_cmd.register(app)

    from optimus.cli import apikey_cmd, db_cmd, history_cmd, user_cmd

    history_cmd.register(app)
    user_cmd.register(app)
    apikey_cmd.register(app)
    db_cmd.register(app)


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
    _register()
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
