"""Which rules are on for a project, from select / extend-select / ignore selectors.

A selector is a rule name, a code or code prefix (``DK`` selects every DK rule), a category,
or ``ALL``. Preview rules are off unless preview is on.
"""

from __future__ import annotations

import fnmatch

from optimus.config import Settings
from optimus.rules.base import Rule


def matches(selector: str, rule: Rule) -> bool:
    """Whether a selector names this rule."""
    if selector == "ALL":
        return True
    return (
        selector == rule.name
        or selector == rule.category.value
        or rule.code.upper().startswith(selector.upper())
    )


def enabled_rules(rules: list[Rule], settings: Settings) -> list[Rule]:
    """The rules a project's settings turn on."""
    chosen = []
    for r in rules:
        if r.preview and not settings.preview:
            continue
        on = True if settings.select is None else any(matches(s, r) for s in settings.select)
        on = on or any(matches(s, r) for s in settings.extend_select)
        if on and not any(matches(s, r) for s in settings.ignore):
            chosen.append(r)
    return chosen


def ignored_for_file(rule: Rule, path: str, settings: Settings) -> bool:
    """Whether per-file-ignores silence this rule for a root-relative path."""
    if not settings.per_file_ignores:
        return False
    local = path if settings.base == "." else path.removeprefix(settings.base + "/")
    for pattern, selectors in settings.per_file_ignores.items():
        in_scope = fnmatch.fnmatch(local, pattern) or fnmatch.fnmatch(path, pattern)
        if in_scope and any(matches(s, rule) for s in selectors):
            return True
    return False
