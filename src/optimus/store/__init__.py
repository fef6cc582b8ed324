"""History: every scan, project and finding remembered in SQLite or PostgreSQL.

``db`` opens a database and migrates it; ``models`` are the tables; ``record`` stores a scan
and follows each finding's life across scans; ``history`` reads per-project trends;
``users`` holds users, API keys and the audit log. ``queries/`` (the API's read queries)
sits beside them. Nothing here connects at import time.
"""
