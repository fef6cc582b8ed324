"""History: every scan, project and finding remembered in SQLite or PostgreSQL.

``db`` opens a database and migrates it (``migrations/``, Alembic); ``models`` are the
tables; ``record`` stores a scan and follows each finding's life across scans; ``scans``
moves API scans through queued, running, done or failed; ``findings`` suppresses and
unsuppresses; ``history`` reads per-project trends; ``users`` holds users, API keys and the
audit log; ``errors`` the storage errors. ``queries/`` (the API's read queries) sits beside
them. Nothing here connects at import time. See docs/storage.md.
"""
