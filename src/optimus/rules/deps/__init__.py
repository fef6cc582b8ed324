"""deps rules."""
