"""deps-dev-prod-duplicate: a package declared both as a runtime and as a dev dependency.

package.json: a name in both ``dependencies`` and ``devDependencies``. pyproject.toml: a
distribution (PEP 503-normalized name) in ``[project].dependencies`` (or Poetry's
``[tool.poetry.dependencies]``) and in a development list: a PEP 735 ``[dependency-groups]``
group with a development name (dev, test, lint, typing, docs...), ``[tool.uv]
dev-dependencies``, Poetry's ``dev-dependencies`` or a development ``group``, PDM's
``dev-dependencies``, or a development extra in ``[project.optional-dependencies]``.
One finding per duplicated name, on the development entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from optimus.model import Category, Confidence, Severity
from optimus.parse.source import SourceFile
from optimus.registry import rule
from optimus.rules.base import Hit, Reference, Rule

_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_TOML_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")
#: Group and extra names that mean "not needed at run time" (PEP 503-normalized).
DEV_GROUP_NAMES = frozenset(
    {
        "dev",
        "devel",
        "develop",
        "development",
        "test",
        "tests",
        "testing",
        "lint",
        "linting",
        "linters",
        "typing",
        "types",
        "mypy",
        "docs",
        "doc",
        "documentation",
        "ci",
        "check",
        "checks",
        "style",
        "format",
        "fmt",
        "bench",
        "benchmark",
        "benchmarks",
        "coverage",
        "qa",
    }
)


def normalize(name: str) -> str:
    """PEP 503 normalized distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def is_dev_group(name: str) -> bool:
    """Whether a group or extra name says development only (dev, test, lint, docs...)."""
    norm = normalize(name)
    return (
        norm in DEV_GROUP_NAMES
        or norm.startswith(("dev-", "test-"))
        or norm.endswith(("-dev", "-test", "-tests"))
    )


def requirement_name(requirement: str) -> str | None:
    """The distribution name of a PEP 508 requirement string, as written."""
    match = _REQUIREMENT_NAME.match(requirement)
    return match.group(1) if match else None


def json_key_line(text: str, path: list[str]) -> int | None:
    """The 1-based line of the key at ``path`` (object keys from the root) in JSON text."""
    containers: list[str] = []
    keys: list[str | None] = []
    pending: str | None = None
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            k = j + 1
            while k < n and text[k] in " \t\r\n":
                k += 1
            if k < n and text[k] == ":" and containers and containers[-1] == "{":
                try:
                    key = json.loads(text[i : j + 1])
                except ValueError:
                    key = text[i + 1 : j]
                if [*keys[1:], key] == path:
                    return text.count("\n", 0, i) + 1
                pending = key
                i = k + 1
                continue
            i = j + 1
            continue
        if ch in "{[":
            containers.append(ch)
            keys.append(pending)
            pending = None
        elif ch in "}]":
            if containers:
                containers.pop()
                keys.pop()
        elif ch == ",":
            pending = None
        i += 1
    return None


@dataclass(frozen=True)
class DevEntry:
    """One development dependency: where it is declared and the name as written."""

    name: str
    where: str  # shown in messages: "[dependency-groups] dev"
    places: tuple[tuple[str, str | None], ...]  # (TOML table, key in it) the entry may sit in
    is_key: bool  # a Poetry-style table entry (the name is the key), not a string in a list


def _toml_contexts(lines: list[str]) -> list[tuple[str, str | None]]:
    """For each line, the TOML table it is in and the last key assigned in that table."""
    contexts: list[tuple[str, str | None]] = []
    table, key = "", None
    for raw in lines:
        header = _TOML_HEADER.match(raw)
        if header and "=" not in raw.split("#", 1)[0]:
            table = ".".join(p.strip().strip("\"'") for p in header.group(1).split("."))
            key = None
        else:
            match = _TOML_KEY.match(raw)
            if match:
                key = match.group(1).strip("\"'")
        contexts.append((table, key))
    return contexts


def toml_entry_line(lines: list[str], entry: DevEntry) -> int | None:
    """The 1-based line of a development entry in pyproject.toml text, or None."""
    contexts = _toml_contexts(lines)
    quoted = re.compile(r"""["']\s*""" + re.escape(entry.name) + r"(?![A-Za-z0-9._-])")
    keyed = re.compile(
        r"""(?:^|[{,\s])["']?""" + re.escape(entry.name) + r"""["']?\s*=""", re.IGNORECASE
    )
    for number, (raw, (table, key)) in enumerate(zip(lines, contexts, strict=True), start=1):
        code = raw.split("#", 1)[0]
        if entry.is_key:
            if table in {t for t, k in entry.places if k is None} and key == entry.name:
                return number
            if (table, key) in entry.places and keyed.search(code):
                return number
        elif (table, key) in entry.places and quoted.search(code):
            return number
    return None


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _tables(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def pyproject_entries(doc: dict[str, Any]) -> tuple[dict[str, list[str]], list[DevEntry]]:
    """Runtime requirements by normalized name, and every development entry, in order."""
    project = _tables(doc.get("project"))
    tool = _tables(doc.get("tool"))
    poetry = _tables(tool.get("poetry"))
    runtime: dict[str, list[str]] = {}
    for requirement in _strings(project.get("dependencies")):
        name = requirement_name(requirement)
        if name:
            runtime.setdefault(normalize(name), []).append(requirement)
    for name, spec in _tables(poetry.get("dependencies")).items():
        optional = isinstance(spec, dict) and spec.get("optional") is True
        version = spec.get("version") if isinstance(spec, dict) else spec
        if normalize(name) != "python" and not optional:
            shown = f"{name} {version}" if isinstance(version, str) else name
            runtime.setdefault(normalize(name), []).append(shown)

    dev: list[DevEntry] = []

    def add_list(items: Any, where: str, places: tuple[tuple[str, str | None], ...]) -> None:
        for requirement in _strings(items):
            name = requirement_name(requirement)
            if name:
                dev.append(DevEntry(name, where, places, is_key=False))

    def add_table(items: Any, where: str, places: tuple[tuple[str, str | None], ...]) -> None:
        for name in _tables(items):
            dev.append(DevEntry(name, where, places, is_key=True))

    for group, items in _tables(doc.get("dependency-groups")).items():
        if is_dev_group(group):
            add_list(items, f"[dependency-groups] {group}", (("dependency-groups", group),))
    add_list(
        _tables(tool.get("uv")).get("dev-dependencies"),
        "[tool.uv] dev-dependencies",
        (("tool.uv", "dev-dependencies"),),
    )
    add_table(
        poetry.get("dev-dependencies"),
        "[tool.poetry.dev-dependencies]",
        (("tool.poetry.dev-dependencies", None), ("tool.poetry", "dev-dependencies")),
    )
    for group, table in _tables(poetry.get("group")).items():
        if is_dev_group(group):
            add_table(
                _tables(table).get("dependencies"),
                f"[tool.poetry.group.{group}.dependencies]",
                (
                    (f"tool.poetry.group.{group}.dependencies", None),
                    (f"tool.poetry.group.{group}", "dependencies"),
                ),
            )
    for group, items in _tables(_tables(tool.get("pdm")).get("dev-dependencies")).items():
        add_list(
            items,
            f"[tool.pdm.dev-dependencies] {group}",
            (("tool.pdm.dev-dependencies", group), ("tool.pdm", "dev-dependencies")),
        )
    for extra, items in _tables(project.get("optional-dependencies")).items():
        if is_dev_group(extra):
            add_list(
                items,
                f"[project.optional-dependencies] {extra}",
                (("project.optional-dependencies", extra), ("project", "optional-dependencies")),
            )
    return runtime, dev


def _all_have_markers(requirements: list[str]) -> bool:
    """Every runtime entry is limited by an environment marker (``; python_version < ...``)."""
    return all(";" in r for r in requirements)


@rule
class DepsDevProdDuplicate(Rule):
    name = "deps-dev-prod-duplicate"
    fixable = True
    code = "DP001"
    category = Category.DEPENDENCIES
    severity = Severity.LOW
    confidence = Confidence.HIGH
    effort = 5
    kinds = frozenset({"package-json", "pyproject"})
    summary = "A package is declared both as a runtime and as a development dependency."
    doc = {
        "What it finds": (
            "In `package.json`, a package listed in both `dependencies` and `devDependencies`. "
            "In `pyproject.toml`, a distribution (names compared after PEP 503 "
            "normalization, extras and versions ignored) listed in `[project].dependencies` "
            "(or Poetry's `[tool.poetry.dependencies]`) and in a development list: a PEP 735 "
            "`[dependency-groups]` group with a development name (`dev`, `test`, `lint`, "
            "`typing`, `docs`...), `[tool.uv] dev-dependencies`, Poetry's `dev-dependencies` "
            "or a development group, PDM's `dev-dependencies`, or a `dev`/`test` extra in "
            "`[project.optional-dependencies]`. Runtime entries that all carry an environment "
            "marker, and optional Poetry dependencies, are not counted."
        ),
        "Why": (
            "The runtime entry already installs the package wherever the development one "
            "would, so the second entry does nothing but drift: two version ranges to keep in "
            "step, and readers left to guess which one applies. npm installs the "
            "`dependencies` entry and warns about the duplicate. This is hygiene, not speed."
        ),
        "Example": (
            '```json\n{\n  "dependencies": {"lodash": "^4.17.21"},\n'
            '  "devDependencies": {"lodash": "^4.17.0", "jest": "^29.0.0"}\n}\n```'
        ),
        "Instead": (
            "Keep the runtime entry and delete the development one (raise the runtime range "
            "if the tests need a newer version)."
        ),
        "When not to": (
            "A development group that is installed on its own, without the project (`uv sync "
            "--only-group`, `poetry install --only`), needs its own entry; name such groups "
            "other than dev/test, or suppress the finding."
        ),
        "Fix safety": (
            "Safe. `optimus fix` removes the development entry (package.json "
            "`devDependencies`, keeping the file's indentation and key order; pyproject "
            "development groups and extras through tomlkit). The runtime entry is never "
            "touched."
        ),
    }
    references = (
        Reference(
            "npm Docs: package.json, devDependencies",
            "https://docs.npmjs.com/cli/v10/configuring-npm/package-json#devdependencies",
        ),
        Reference(
            "PEP 735: Dependency Groups in pyproject.toml", "https://peps.python.org/pep-0735/"
        ),
    )

    def check(self, src: SourceFile) -> Iterator[Hit]:
        if src.kind == "package-json":
            yield from self._package_json(src)
        else:
            yield from self._pyproject(src)

    def _package_json(self, src: SourceFile) -> Iterator[Hit]:
        doc = src.json
        if not isinstance(doc, dict):
            return
        runtime, dev = _tables(doc.get("dependencies")), _tables(doc.get("devDependencies"))
        for name, dev_spec in dev.items():
            if name not in runtime:
                continue
            spec = runtime[name]
            ranges = (
                f" ({spec})"
                if spec == dev_spec
                else f" ({spec}; the devDependencies range {dev_spec} is ignored)"
            )
            yield Hit(
                f"{name} is in both dependencies and devDependencies{ranges}: npm installs "
                "the dependencies entry; remove it from devDependencies",
                line=json_key_line(src.text, ["devDependencies", name]),
                snippet=f"devDependencies:{name}",
            )

    def _pyproject(self, src: SourceFile) -> Iterator[Hit]:
        runtime, dev = pyproject_entries(src.toml)
        reported: set[str] = set()
        for entry in dev:
            norm = normalize(entry.name)
            if norm in reported or norm not in runtime or _all_have_markers(runtime[norm]):
                continue
            reported.add(norm)
            yield Hit(
                f"{entry.name} is a runtime dependency ({runtime[norm][0]}) and also listed in "
                f"{entry.where}: the runtime entry already installs it; remove the "
                "development entry",
                line=toml_entry_line(src.lines, entry),
                snippet=f"{entry.where}:{norm}",
            )
