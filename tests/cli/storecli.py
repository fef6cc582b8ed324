"""Run ``optimus`` in-process through its real entry point (error boundary included)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from optimus.cli.app import main
from optimus.store.db import Database


@dataclass
class Ran:
    """What one command printed and how it exited."""

    code: int
    out: str
    err: str


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Ran:
    """``optimus ARGS`` through ``main``, as the console script runs it."""
    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    return Ran(code, captured.out, captured.err)


def url_of(db: Database) -> str:
    """The database's URL with its password, to pass as --database."""
    return db.url.render_as_string(hide_password=False)
