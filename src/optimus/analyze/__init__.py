"""The engine: pick applicable rules, run them over shared parses, suppress, fingerprint, cache."""
