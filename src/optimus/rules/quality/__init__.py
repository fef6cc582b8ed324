"""quality rules."""
