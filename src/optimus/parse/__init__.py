"""Parse each file once and share the parse: Python ast, tree-sitter, TOML/JSON/YAML, Dockerfile."""
