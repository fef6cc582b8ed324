"""Telling running API servers that the CLI changed the database behind their back.

``optimus serve`` caches answers (30 s) and checked keys (5 s). Where the servers share a
Redis (``OPTIMUS_REDIS_URL``), a CLI command that saves a scan or changes users or keys
publishes that on it, and every server drops what it had at once. Without Redis there is no
channel to them: they catch up when their entries expire.
"""

from __future__ import annotations

import os

import typer


def tell_servers(what: str) -> None:
    """Announce ``"answers"`` (a scan saved) or ``"auth"`` (users or keys changed)."""
    from optimus.api.settings import REDIS_URL_ENV

    url = os.environ.get(REDIS_URL_ENV)
    if not url:
        return
    try:
        import redis  # noqa: F401  (the server extra; without it no server runs from here)
    except ImportError:
        return
    from optimus.api.cache import ANSWERS, AUTH, announce

    problem = announce(url, AUTH if what == "auth" else ANSWERS)
    if problem:
        typer.echo(
            f"optimus: warning: could not tell the API servers through {REDIS_URL_ENV} "
            f"({problem}); they catch up when their cached entries expire",
            err=True,
        )
