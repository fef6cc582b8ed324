"""deploy rules: Kubernetes manifests, docker compose files and GitHub Actions workflows.

Every rule here is a project rule over the project's YAML files. The parsed documents come
from the shared safe-loader parse (``SourceFile.yaml``); the lines of findings come from
``_yaml_lines``, which re-composes a file with libyaml (keeping positions) only when a rule has
something to report in it.
"""
