"""One module per resource under /api/v1: projects, analysis, findings, scans, users, keys,
auth and system (health, metrics)."""
