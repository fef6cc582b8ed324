"""The JSON document: the public contract of ``optimus scan`` (docs/json-output.md).

``SCHEMA_VERSION`` changes when a field is removed or changes meaning; adding a field is a
minor change. Everything the rest of the product consumes is read from this shape.
"""

from __future__ import annotations

import json
from typing import Any

from optimus.model import Finding, Project, ScanResult

SCHEMA_VERSION = "1.0"


def project_dict(project: Project) -> dict[str, Any]:
    """A project as the contract describes it."""
    stack = project.stack
    return {
        "path": project.path,
        "name": project.name,
        "stacks": {
            "languages": {
                name: {"files": s.files, "lines": s.lines} for name, s in stack.languages.items()
            },
            "frameworks": stack.frameworks,
            "package_managers": stack.package_managers,
            "lockfiles": stack.lockfiles,
            "infrastructure": stack.infrastructure,
            "manifests": stack.manifests,
        },
        "members": project.members,
        "git": None
        if project.git is None
        else {
            "branch": project.git.branch,
            "last_commit": project.git.last_commit,
            "commits": project.git.commits,
            "contributors": project.git.contributors,
            "dirty": project.git.dirty,
        },
    }


def finding_dict(f: Finding) -> dict[str, Any]:
    """A finding as the contract describes it."""
    return {
        "rule": f.rule,
        "code": f.code,
        "category": f.category.value,
        "severity": f.severity.value,
        "confidence": f.confidence.value,
        "message": f.message,
        "path": f.path,
        "line": f.line,
        "end_line": f.end_line,
        "count": f.count,
        "project": f.project,
        "fixable": f.fixable,
        "fingerprint": f.fingerprint,
        "engine": f.engine,
    }


def to_dict(result: ScanResult) -> dict[str, Any]:
    """The whole scan as plain data."""
    from optimus import __version__

    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "optimus", "version": __version__},
        "root": result.root,
        "projects": [project_dict(p) for p in result.projects],
        "findings": [finding_dict(f) for f in result.findings],
        "diagnostics": [{"path": d.path, "message": d.message} for d in result.diagnostics],
        "stats": {
            "files": result.stats.files,
            "lines": result.stats.lines,
            "seconds": result.stats.seconds,
            "files_analyzed": result.stats.files_analyzed,
            "files_cached": result.stats.files_cached,
        },
    }


def render(result: ScanResult) -> str:
    """The JSON document with a final newline: one line per project, finding and diagnostic.

    The top level is indented; each item of a list sits compact on a line of its own, so the
    document reads and diffs one finding at a time (``grep`` finds a finding's whole record).
    Python's encoder only runs in C without indentation, and indenting every field of some
    thousands of findings was a visible part of a warm rescan.
    """
    doc = to_dict(result)
    compact = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    lines = ["{"]
    last = len(doc) - 1
    for i, (key, value) in enumerate(doc.items()):
        comma = "," if i < last else ""
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {compact(item)}" for item in value)
            lines.append(f"  {compact(key)}: [\n{items}\n  ]{comma}")
        else:
            lines.append(f"  {compact(key)}: {compact(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"
