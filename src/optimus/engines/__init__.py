"""External analyzers run as engines (ruff, hadolint, ...): base.py + one module each."""
