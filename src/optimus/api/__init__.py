"""The REST API over Optimus's history (FastAPI): ``create_app(ApiSettings(...))``.

Routes live in ``routes/`` (one module per resource), request and response shapes in
``schemas``, the caller and their role in ``auth`` and ``deps``, the response cache in
``cache``, background scans in ``jobs``. ``optimus serve`` runs it under uvicorn.
"""

from optimus.api.app import create_app
from optimus.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]
