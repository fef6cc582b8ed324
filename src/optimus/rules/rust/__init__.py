"""rust rules."""
