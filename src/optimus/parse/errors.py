"""Parse failures: one exception the engine turns into a diagnostic, never a crash."""

from __future__ import annotations


class ParseError(Exception):
    """A file could not be decoded or parsed; the message says what and where."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line
