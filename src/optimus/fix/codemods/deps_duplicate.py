"""deps-dev-prod-duplicate: remove the development copy of a runtime dependency.

package.json: the ``devDependencies`` entry is deleted as a line of text, so the file keeps
its indentation, key order and everything else byte for byte (the comma of the entry before
it goes when the deleted one was last); a layout where the entry does not sit on its own
line is re-rendered with the file's own indentation and key order. pyproject.toml: the
entry is deleted from its development list or table through tomlkit (comments and layout
kept). Safe: the runtime entry already installs the package in every environment the
development entry did. The runtime entry is never touched, even when the ranges differ.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from optimus.fix.base import FixContext, ProposedFix, fixer
from optimus.fix.codemods._text import newline_of, single_change
from optimus.model import Applicability, Finding
from optimus.rules.deps.dev_prod_duplicate import (
    json_key_line,
    normalize,
    pyproject_entries,
    requirement_name,
)

_NAME = re.compile(r"^(\S+) is (?:in both dependencies|a runtime dependency)")


def _json_indent(text: str) -> str | int:
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and len(stripped) < len(line):
            return line[: len(line) - len(stripped)]
    return 2


def _drop_json_line(text: str, line: int, name: str) -> str | None:
    """The text without the entry's line, or None when it does not sit on its own line."""
    lines = text.splitlines(keepends=True)
    entry = re.compile(r'^\s*"' + re.escape(json.dumps(name)[1:-1]) + r'"\s*:\s*"[^"]*"\s*(,?)\s*$')
    match = entry.match(lines[line - 1]) if 0 < line <= len(lines) else None
    if match is None:
        return None
    del lines[line - 1]
    if not match.group(1):  # it was the last entry: the one before it loses its comma
        before = line - 2
        while before >= 0 and not lines[before].strip():
            before -= 1
        body = lines[before].rstrip("\r\n")
        if before < 0 or not body.rstrip().endswith(","):
            return None
        stripped = body.rstrip()
        lines[before] = stripped[:-1] + body[len(stripped) :] + lines[before][len(body) :]
    return "".join(lines)


def _fix_package_json(text: str, name: str) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    dev = data.get("devDependencies") if isinstance(data, dict) else None
    if not isinstance(dev, dict) or name not in dev or name not in data.get("dependencies", {}):
        return None
    del dev[name]
    line = json_key_line(text, ["devDependencies", name])
    new = _drop_json_line(text, line, name) if line is not None else None
    try:
        if new is not None and json.loads(new) == data:
            return new
    except ValueError:
        pass
    rendered = json.dumps(data, indent=_json_indent(text), ensure_ascii=False)
    newline = newline_of(text)
    return rendered.replace("\n", newline) + (newline if text.endswith("\n") else "")


def _container(doc: Any, table: str) -> Any:
    node = doc
    for part in table.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _fix_pyproject(finding: Finding, text: str, name: str) -> str | None:
    try:
        data = tomllib.loads(text)
        doc = tomlkit.parse(text)
    except (tomllib.TOMLDecodeError, TOMLKitError):
        return None
    norm = normalize(name)
    runtime, dev = pyproject_entries(data)
    entry = next((e for e in dev if normalize(e.name) == norm and e.where in finding.message), None)
    if entry is None or norm not in runtime:
        return None
    table, key = entry.places[0]
    container = _container(doc, table)
    if key is not None:
        container = container.get(key) if isinstance(container, dict) else None
    if entry.is_key:
        if not isinstance(container, dict):
            return None
        for existing in [k for k in container if normalize(k) == norm]:
            del container[existing]
    else:
        if not isinstance(container, list):
            return None
        doomed = [
            i
            for i, item in enumerate(container)
            if isinstance(item, str) and normalize(requirement_name(item) or "") == norm
        ]
        for index in reversed(doomed):
            del container[index]
    return tomlkit.dumps(doc)


@fixer("deps-dev-prod-duplicate", Applicability.SAFE)
def fix_dev_duplicate(finding: Finding, ctx: FixContext) -> ProposedFix | None:
    """Delete the development entry of a package the runtime dependencies already list."""
    match = _NAME.match(finding.message)
    text = ctx.read_text(finding.path)
    if match is None or text is None:
        return None
    name = match.group(1)
    if finding.path.endswith("package.json"):
        new = _fix_package_json(text, name)
        where = "devDependencies"
    elif finding.path.endswith("pyproject.toml"):
        new = _fix_pyproject(finding, text, name)
        where = "the development dependencies"
    else:
        return None
    if new is None:
        return None
    return single_change(
        finding,
        Applicability.SAFE,
        f"remove {name} from {where}: the runtime dependencies already install it",
        text,
        new,
    )
