"""Storage errors the user can act on (exit code 2 in the CLI, 503 in the API)."""

from __future__ import annotations

from optimus.errors import OptimusError


class StoreError(OptimusError):
    """Something about the database the user can fix: a bad URL, a missing row, a name taken."""


class DatabaseUnavailable(StoreError):
    """The database cannot be reached or opened; the message names its host, never a password."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(
            f"database unavailable at {where}: {reason}. Check that it is running and that "
            "OPTIMUS_DATABASE_URL (or --database) points at it."
        )
        self.where = where
        self.reason = reason


class NotFound(StoreError):
    """A user, key, project or scan that does not exist."""


class Conflict(StoreError):
    """A name already taken, or a change the current state does not allow."""
