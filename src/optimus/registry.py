"""The catalogue: every rule Optimus ships, registered with ``@rule``.

This is the one place to look for "which rules exist". A rule module registers its class
with the decorator; :func:`all_rules` imports the rule packages (``optimus.rules``) once and
returns the catalogue sorted by code. Look rules up by name or code with :func:`get_rule`.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TypeVar

from optimus.engines.base import Engine
from optimus.rules.base import Rule

_RULES: dict[str, Rule] = {}
_ENGINES: dict[str, Engine] = {}
_BROKEN: dict[str, str] = {}
_LOADED = False

R = TypeVar("R", bound=type[Rule])
E = TypeVar("E", bound=type[Engine])


def rule(cls: R) -> R:
    """Register a rule class in the catalogue (used as a class decorator)."""
    instance = cls()
    for other in _RULES.values():
        if other.code == instance.code and other.name != instance.name:
            raise ValueError(f"rule code {instance.code} used by {other.name} and {instance.name}")
    _RULES[instance.name] = instance
    return cls


def engine(cls: E) -> E:
    """Register an external analyzer (used as a class decorator)."""
    instance = cls()
    _ENGINES[instance.name] = instance
    return cls


def all_engines() -> list[Engine]:
    """Every registered engine, sorted by name."""
    all_rules()
    return sorted(_ENGINES.values(), key=lambda e: e.name)


def rule_modules() -> list[str]:
    """Every module under optimus.rules and optimus.engines, found on disk, sorted."""
    import optimus.engines
    import optimus.rules

    found = []
    for package in (optimus.rules, optimus.engines):
        prefix = package.__name__ + "."
        found += [
            info.name
            for info in pkgutil.walk_packages(package.__path__, prefix)
            if not info.ispkg and not info.name.endswith(".base")
        ]
    return sorted(found)


def all_rules() -> list[Rule]:
    """Every registered rule, sorted by code."""
    global _LOADED
    if not _LOADED:
        for module in rule_modules():
            try:
                importlib.import_module(module)
            except Exception as exc:  # one broken rule module must not stop every scan
                _BROKEN[module] = f"{type(exc).__name__}: {exc}"
        _LOADED = True
    return sorted(_RULES.values(), key=lambda r: r.code)


def broken_modules() -> dict[str, str]:
    """Rule or engine modules that failed to import, with the error (a bug to report)."""
    all_rules()
    return dict(_BROKEN)


def get_rule(name_or_code: str) -> Rule | None:
    """The rule with this name or code (case-insensitive for codes), or None."""
    rules = all_rules()
    for r in rules:
        if r.name == name_or_code or r.code.lower() == name_or_code.lower():
            return r
    return None
