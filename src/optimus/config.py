"""Settings: defaults < optimus.toml / [tool.optimus] < command-line flags.

A configuration lives in ``optimus.toml`` (top level) or ``pyproject.toml`` under
``[tool.optimus]``, at the scan root or in any project. Each project uses the nearest one
above it (its own first); ``extend = "path/to/other.toml"`` merges another file underneath,
as Ruff does. Selectors name rules by name, code (or code prefix), category or ``ALL``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

from optimus.errors import ConfigError
from optimus.model import Category, Severity

_KEYS = {
    "select",
    "ignore",
    "extend-select",
    "exclude",
    "per-file-ignores",
    "fail-on",
    "preview",
    "extend",
    "max-file-size",
    "engines",
    "test-command",
}
FAIL_ON_VALUES = [s.value for s in Severity] + ["none"]


@dataclass(frozen=True)
class Settings:
    """Effective settings for one project (or the whole scan)."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fail_on: str = "high"
    preview: bool = False
    max_file_size: int = 5_000_000
    #: Run external analyzers (ruff, hadolint...) where they are installed.
    engines: bool = True
    #: The folder per-file-ignores and exclude globs are relative to (root-relative).
    base: str = "."
    source: str | None = None
    #: The project's test command for ``optimus fix --verify`` (None: detect it).
    test_command: str | None = None


def _strings(path: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(path, key, "expected a list of strings")
    return tuple(value)


def find_config(folder: str) -> tuple[str, dict[str, Any]] | None:
    """The configuration file in ``folder`` and its ``optimus`` table, or None."""
    own = os.path.join(folder, "optimus.toml")
    if os.path.isfile(own):
        return own, _load(own, pyproject=False)
    pyproject = os.path.join(folder, "pyproject.toml")
    if os.path.isfile(pyproject):
        table = _load(pyproject, pyproject=True)
        if table is not None:
            return pyproject, table
    return None


def _load(path: str, pyproject: bool) -> Any:
    import tomllib  # here, not at the top: a rescan of a tree without a config file skips it

    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        if pyproject:
            return None  # a broken pyproject is the scan's diagnostic, not a config error
        raise ConfigError(path, None, f"invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read: {exc.strerror}") from None
    if pyproject:
        tool = doc.get("tool", {})
        return tool.get("optimus") if isinstance(tool, dict) else None
    return doc


def settings_from_table(
    path: str,
    table: dict[str, Any],
    base: str,
    parent: Settings,
    seen: frozenset[str] = frozenset(),
) -> Settings:
    """Apply one configuration table over ``parent``; ``extend`` is resolved first."""
    if not isinstance(table, dict):
        raise ConfigError(path, "tool.optimus", "expected a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(path, unknown[0], f"unknown key (known: {', '.join(sorted(_KEYS))})")
    settings = parent
    if "extend" in table:
        target = table["extend"]
        if not isinstance(target, str):
            raise ConfigError(path, "extend", "expected a path string")
        target = os.path.normpath(os.path.join(os.path.dirname(path), os.path.expanduser(target)))
        if target in seen:
            raise ConfigError(path, "extend", f"circular extend through {target}")
        if not os.path.isfile(target):
            raise ConfigError(path, "extend", f"no such file: {target}")
        other = _load(target, pyproject=target.endswith("pyproject.toml")) or {}
        settings = settings_from_table(target, other, base, parent, seen | {path})
    changes: dict[str, Any] = {"source": path, "base": base}
    if "select" in table:
        changes["select"] = _strings(path, "select", table["select"])
    if "ignore" in table:
        changes["ignore"] = _strings(path, "ignore", table["ignore"])
    if "extend-select" in table:
        changes["extend_select"] = _strings(path, "extend-select", table["extend-select"])
    if "exclude" in table:
        changes["exclude"] = _strings(path, "exclude", table["exclude"])
    if "per-file-ignores" in table:
        pfi = table["per-file-ignores"]
        if not isinstance(pfi, dict):
            raise ConfigError(path, "per-file-ignores", "expected a table of glob = [rules]")
        changes["per_file_ignores"] = {
            k: _strings(path, f"per-file-ignores.{k}", v) for k, v in pfi.items()
        }
    if "fail-on" in table:
        value = table["fail-on"]
        if value not in FAIL_ON_VALUES:
            raise ConfigError(path, "fail-on", f"expected one of {', '.join(FAIL_ON_VALUES)}")
        changes["fail_on"] = value
    if "preview" in table:
        if not isinstance(table["preview"], bool):
            raise ConfigError(path, "preview", "expected true or false")
        changes["preview"] = table["preview"]
    if "engines" in table:
        if not isinstance(table["engines"], bool):
            raise ConfigError(path, "engines", "expected true or false")
        changes["engines"] = table["engines"]
    if "max-file-size" in table:
        value = table["max-file-size"]
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ConfigError(path, "max-file-size", "expected a positive number of bytes")
        changes["max_file_size"] = value
    if "test-command" in table:
        value = table["test-command"]
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(path, "test-command", "expected a command line (a string)")
        changes["test_command"] = value
    return replace(settings, **changes)


def load_config(folder: str, root: str = ".", parent: Settings | None = None) -> Settings:
    """Settings for ``folder`` from its own configuration file over ``parent`` (or defaults).

    ``root`` is the scan root; globs in the file are relative to ``folder``.
    """
    parent = parent or Settings()
    found = find_config(folder)
    if found is None:
        return parent
    path, table = found
    base = os.path.relpath(folder, root).replace(os.sep, "/")
    return settings_from_table(path, table, base, parent)


def validate_selectors(
    settings: Settings, known: set[str], engines: frozenset[str] = frozenset()
) -> None:
    """Raise ConfigError for a selector that names no rule, code prefix, category or engine."""
    categories = {c.value for c in Category}
    lists = [("select", settings.select or ()), ("ignore", settings.ignore)]
    lists.append(("extend-select", settings.extend_select))
    lists += [(f"per-file-ignores.{k}", v) for k, v in settings.per_file_ignores.items()]
    for key, values in lists:
        for sel in values:
            if sel == "ALL" or sel in categories or sel in known:
                continue
            if sel.split(":", 1)[0] in engines:
                continue  # an engine, or one of its own ids ("ruff", "ruff:PERF401")
            if any(k.upper().startswith(sel.upper()) for k in known if k[:1].isupper()):
                continue
            raise ConfigError(settings.source or "command line", key, f"unknown rule `{sel}`")
