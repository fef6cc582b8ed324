"""One module per resource under /api/v1: projects, analysis, findings, scans, users, keys,
auth, audit and system (health, metrics)."""
