"""The REST API over Optimus's history (FastAPI): ``create_app(ApiSettings(...))``.

Routes live in ``routes/`` (one module per resource), request and response shapes in
``schemas``, the caller and their role in ``auth`` and ``deps``, the response cache in
``cache``, background scans in ``jobs``. ``optimus serve`` runs it under uvicorn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from optimus.api.app import create_app
    from optimus.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so `optimus.api.cache` (which the CLI uses to tell servers of a
    # change) loads without FastAPI.
    if name == "create_app":
        from optimus.api.app import create_app

        return create_app
    if name == "ApiSettings":
        from optimus.api.settings import ApiSettings

        return ApiSettings
    raise AttributeError(f"module 'optimus.api' has no attribute {name!r}")
