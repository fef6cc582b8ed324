"""The catalogue: every rule Optimus ships, registered with ``@rule``.

This is the one place to look for "which rules exist". A rule module registers its class
with the decorator; :func:`all_rules` imports the rule packages (``optimus.rules``) once and
returns the catalogue sorted by code. Look rules up by name or code with :func:`get_rule`.
"""

from __future__ import annotations

import importlib
from typing import TypeVar

from optimus.rules.base import Rule

#: Every rule module. To add a rule: write its module, then add it here.
RULE_MODULES = (
    "optimus.rules.deps.dev_prod_duplicate",
    "optimus.rules.docker.cache_order",
    "optimus.rules.docker.heavy_base",
    "optimus.rules.python.blocking_call_in_async",
    "optimus.rules.python.uvicorn_single_worker",
    "optimus.rules.quality.large_file",
    "optimus.rules.rust.release_profile",
    "optimus.rules.rust.unwrap_density",
)

_RULES: dict[str, Rule] = {}
_LOADED = False

R = TypeVar("R", bound=type[Rule])


def rule(cls: R) -> R:
    """Register a rule class in the catalogue (used as a class decorator)."""
    instance = cls()
    for other in _RULES.values():
        if other.code == instance.code and other.name != instance.name:
            raise ValueError(f"rule code {instance.code} used by {other.name} and {instance.name}")
    _RULES[instance.name] = instance
    return cls


def all_rules() -> list[Rule]:
    """Every registered rule, sorted by code."""
    global _LOADED
    if not _LOADED:
        for module in RULE_MODULES:
            importlib.import_module(module)
        _LOADED = True
    return sorted(_RULES.values(), key=lambda r: r.code)


def get_rule(name_or_code: str) -> Rule | None:
    """The rule with this name or code (case-insensitive for codes), or None."""
    rules = all_rules()
    for r in rules:
        if r.name == name_or_code or r.code.lower() == name_or_code.lower():
            return r
    return None
