"""The exception tree. Each user error maps to a documented exit code (docs/cli.md).

    OptimusError            exit 2: something the user can fix; one line says what and where
    ├── UsageError          a bad path or flag
    └── ConfigError         a bad optimus.toml / [tool.optimus] key or value

Parse failures of scanned files are not errors: they become diagnostics
(``optimus.parse.errors.ParseError``) and the scan goes on.
"""

from __future__ import annotations


class OptimusError(Exception):
    """An error the user can fix. ``exit_code`` is what the CLI exits with."""

    exit_code = 2


class UsageError(OptimusError):
    """A bad command line: a missing path, an unknown rule, a bad flag value."""


class ConfigError(OptimusError):
    """A bad configuration file; the message names the file and the key."""

    def __init__(self, path: str, key: str | None, problem: str) -> None:
        where = f"{path}: `{key}`" if key else path
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.key = key
