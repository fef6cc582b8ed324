"""Fixes: turn findings into edits, diffs and branches (see optimus.fix.base)."""
