"""``optimus serve``: run the REST API (FastAPI under uvicorn) over the history database."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from optimus.errors import UsageError

if TYPE_CHECKING:
    from optimus.api.settings import ApiSettings


_LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def _need_server_extra() -> None:
    try:
        import fastapi  # noqa: F401
        import jwt  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise UsageError(
            f"`optimus serve` needs the server extra ({exc.name} is missing): "
            "pip install 'optimus-bot[server]'"
        ) from None


def register(app: typer.Typer) -> None:
    """Add the serve command to the app."""

    @app.command("serve")
    def serve_command(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
        port: int = typer.Option(8000, "--port", help="TCP port."),
        root: list[Path] = typer.Option(
            [],
            "--root",
            help="Folder that may be scanned by request, with everything under it "
            "(repeatable). Without one, scanning by request is refused.",
        ),
        auth: bool | None = typer.Option(
            None,
            "--auth/--no-auth",
            help="Require an API key or token. Default: on unless --host is loopback; "
            "--no-auth is refused beyond loopback.",
        ),
        database: str | None = typer.Option(
            None,
            "--database",
            help="Database URL (default: OPTIMUS_DATABASE_URL, else SQLite in the user data dir).",
        ),
        workers: int = typer.Option(
            1, "--workers", min=1, max=64, help="HTTP worker processes (uvicorn)."
        ),
        scan_workers: int = typer.Option(
            2, "--scan-workers", min=1, max=64, help="Background scan processes per worker."
        ),
        cache_ttl: float = typer.Option(
            30.0,
            "--cache-ttl",
            min=0,
            help="Seconds a cached GET answer lives (0: no cache). Scans landing invalidate it.",
        ),
        auth_cache_ttl: float = typer.Option(
            5.0,
            "--auth-cache-ttl",
            min=0,
            max=300,
            help="Seconds a checked key or token is trusted before it is read again. Changes "
            "made through this server apply at once; from the CLI or other workers, at once "
            "with a shared OPTIMUS_REDIS_URL, else within this time. 0: read on every request.",
        ),
        log_level: str = typer.Option("info", "--log-level", help="uvicorn's log level."),
    ) -> None:
        """Serve the REST API under /api/v1 (OpenAPI at /docs) until interrupted."""
        if log_level not in _LOG_LEVELS:
            raise UsageError(f"--log-level: use one of {', '.join(_LOG_LEVELS)}")
        _need_server_extra()
        from optimus.api.settings import ApiSettings

        settings = ApiSettings.from_env(
            database_url=database,
            roots=tuple(str(r) for r in root),
            host=host,
            port=port,
            auth=auth,
            scan_workers=scan_workers,
            cache_ttl_seconds=cache_ttl,
            auth_cache_ttl_seconds=auth_cache_ttl,
            migrate=False,
        )
        settings.check()
        _prepare_database(settings.database_url)
        _announce(settings, workers)
        _run(settings, workers, log_level)


def _prepare_database(url: str | None) -> None:
    from optimus.api.jobs import fail_orphaned_scans
    from optimus.store.db import Database
    from optimus.store.errors import DatabaseUnavailable

    db = Database(url)
    try:
        db.upgrade()
        closed = fail_orphaned_scans(db)
        if closed:
            typer.echo(f"optimus: {closed} scan(s) left unfinished by a previous server: failed")
    except DatabaseUnavailable as exc:
        # Serve anyway: health reports it, requests get 503 until the database is back.
        typer.echo(f"optimus: warning: {exc}", err=True)
    finally:
        db.dispose()


def _announce(settings: ApiSettings, workers: int) -> None:
    from optimus.store.db import Database

    where = Database(settings.database_url).where
    lines = [
        f"optimus: serving http://{settings.host}:{settings.port}/api/v1 (OpenAPI at /docs)",
        f"  database: {where}",
        f"  cache: {_cache_line(settings)}",
        "  auth: " + ("on (API key or token required)" if settings.auth_enabled else "off"),
        "  scan roots: " + (", ".join(settings.roots) or "none (scanning by request is off)"),
    ]
    if workers > 1 and not settings.redis_url:
        lines.append(
            "  note: each worker process caches on its own; set OPTIMUS_REDIS_URL for one "
            "cache that every process invalidates when a scan lands"
        )
    typer.echo("\n".join(lines))


def _cache_line(settings: ApiSettings) -> str:
    if settings.cache_ttl_seconds <= 0:
        return "off"
    kind = "redis" if settings.redis_url else "in process"
    return f"{kind}, {settings.cache_ttl_seconds:g} s"


def _run(settings: ApiSettings, workers: int, log_level: str) -> None:
    import uvicorn

    from optimus.api.app import SETTINGS_ENV, create_app

    common = {"host": settings.host, "port": settings.port, "log_level": log_level}
    if workers == 1:
        uvicorn.run(create_app(settings), **common)
        return
    # Several processes need an import string; each builds its app from the same settings,
    # passed in this process's environment (inherited by the workers, never printed).
    os.environ[SETTINGS_ENV] = json.dumps(asdict(replace(settings, roots=list(settings.roots))))
    uvicorn.run("optimus.api.app:create_app_from_env", factory=True, workers=workers, **common)
