"""File kinds: what a file is, from its name alone, and the languages counted in stacks.

Code kinds (python, rust, javascript, typescript and the counted-only languages) are analysed
in worker processes and cached by content; infrastructure kinds (Dockerfile, manifests, YAML)
are few per project and analysed beside the project rules that read them together.
"""

from __future__ import annotations

#: Languages counted for stacks, by file extension.
LANGUAGE_BY_EXTENSION = {
    ".py": "Python",
    ".pyi": "Python",
    ".rs": "Rust",
    ".js": "JavaScript",
    ".mjs": "JavaScript",
    ".cjs": "JavaScript",
    ".jsx": "JavaScript",
    ".ts": "TypeScript",
    ".tsx": "TypeScript",
    ".mts": "TypeScript",
    ".cts": "TypeScript",
    ".go": "Go",
    ".java": "Java",
    ".kt": "Kotlin",
    ".rb": "Ruby",
    ".php": "PHP",
    ".c": "C",
    ".h": "C",
    ".cc": "C++",
    ".cpp": "C++",
    ".hpp": "C++",
    ".cs": "C#",
    ".swift": "Swift",
    ".scala": "Scala",
    ".sh": "Shell",
    ".sql": "SQL",
}

_CODE_KIND_BY_EXTENSION = {
    ".py": "python",
    ".pyi": "python",
    ".rs": "rust",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
}

#: Manifests and lockfiles that stack detection reads by name only.
META_NAMES = frozenset(
    {
        ".dockerignore",
        ".cargo-checksum.json",
        ".gitignore",
        "cargo.lock",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "pnpm-workspace.yaml",
        "bun.lockb",
        "bun.lock",
        "poetry.lock",
        "uv.lock",
        "pdm.lock",
        "pipfile",
        "pipfile.lock",
        "setup.cfg",
        "go.mod",
        "go.sum",
        "pom.xml",
        "build.gradle",
        "build.gradle.kts",
        "gemfile",
        "gemfile.lock",
        "composer.json",
        "composer.lock",
        "chart.yaml",
    }
)

CODE_KINDS = frozenset({"python", "rust", "javascript", "typescript", "tsx", "code"})


def kind_of(name: str) -> str | None:
    """The kind of a file from its base name, or None when Optimus ignores it."""
    lower = name.lower()
    if is_dockerfile_name(lower):
        return "dockerfile"
    if lower == "cargo.toml":
        return "cargo-manifest"
    if lower == "package.json":
        return "package-json"
    if lower == "pyproject.toml":
        return "pyproject"
    if lower == "procfile":
        return "procfile"
    # The glob requirements*.txt, without fnmatch: this runs for every file the walk meets.
    if lower.startswith("requirements") and lower.endswith(".txt") and len(lower) >= 16:
        return "requirements"
    if lower in META_NAMES or lower.endswith(".dockerignore"):
        return "meta"
    dot = lower.rfind(".")
    ext = lower[dot:] if dot > 0 else ""
    if ext in _CODE_KIND_BY_EXTENSION:
        return _CODE_KIND_BY_EXTENSION[ext]
    if ext in (".yaml", ".yml"):
        return "yaml"
    if ext == ".toml":
        return "toml"
    if ext in LANGUAGE_BY_EXTENSION:
        return "code"
    if ext == ".service":
        return "systemd"
    if ext == ".tf":
        return "terraform"
    return None


def is_dockerfile_name(name: str) -> bool:
    """Dockerfile, Dockerfile.prod, api.Dockerfile; not dockerfile.py or dockerfile.md."""
    lower = name.lower()
    if lower == "dockerfile" or lower.endswith(".dockerfile"):
        return True
    if lower.startswith("dockerfile."):
        suffix = lower[len("dockerfile") :]
        return suffix not in LANGUAGE_BY_EXTENSION and suffix not in _NOT_DOCKERFILE
    return False


_NOT_DOCKERFILE = frozenset(
    {".dockerignore", ".md", ".txt", ".rst", ".json", ".yaml", ".yml", ".toml", ".pyc"}
)


def language_of(name: str) -> str | None:
    """The counted language of a file, or None."""
    lower = name.lower()
    dot = lower.rfind(".")
    return LANGUAGE_BY_EXTENSION.get(lower[dot:]) if dot > 0 else None
