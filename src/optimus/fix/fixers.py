"""Finding the fixers: import every codemod module once, look fixers up per finding.

Codemods register themselves with :func:`optimus.fix.base.fixer` when their module is
imported, as rules do with the catalogue; :func:`load_fixers` imports every module under
``optimus.fix.codemods`` (a module that fails to import is remembered, never fatal).
:func:`mark_fixable` sets ``Finding.fixable`` on a scan result from the same lookup.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

from optimus.fix.base import Fixer, registered_fixers
from optimus.model import Applicability, Finding, ScanResult

_LOADED = False
_BROKEN: dict[str, str] = {}


def codemod_modules() -> list[str]:
    """Every module under optimus.fix.codemods, found on disk, sorted."""
    import optimus.fix.codemods as package

    prefix = package.__name__ + "."
    return sorted(
        info.name
        for info in pkgutil.walk_packages(package.__path__, prefix)
        if not info.ispkg and not info.name.rsplit(".", 1)[-1].startswith("_")
    )


def load_fixers() -> list[Fixer]:
    """Every registered fixer, after importing the codemod modules (once)."""
    global _LOADED
    if not _LOADED:
        try:
            modules = codemod_modules()
        except Exception as exc:  # the package itself imports its modules: one may fail
            _BROKEN["optimus.fix.codemods"] = f"{type(exc).__name__}: {exc}"
            modules = []
        for module in modules:
            try:
                importlib.import_module(module)
            except Exception as exc:  # one broken codemod must not stop every fix run
                _BROKEN[module] = f"{type(exc).__name__}: {exc}"
        _LOADED = True
    return registered_fixers()


def broken_codemods() -> dict[str, str]:
    """Codemod modules that failed to import, with the error (a bug to report)."""
    load_fixers()
    return dict(_BROKEN)


def fixers_for(finding: Finding, fixers: list[Fixer] | None = None) -> list[Fixer]:
    """The fixers registered for the finding's rule that accept this finding, in order."""
    found = []
    for candidate in load_fixers() if fixers is None else fixers:
        if candidate.rule != finding.rule:
            continue
        try:
            if candidate.accepts is not None and not candidate.accepts(finding):
                continue
        except Exception:  # a broken accepts() means this fixer cannot be trusted here
            continue
        found.append(candidate)
    return found


def allowed(applicability: Applicability, unsafe_fixes: bool) -> bool:
    """Whether a fix of this safety is applied: safe always, unsafe on request, never display."""
    if applicability is Applicability.SAFE:
        return True
    return applicability is Applicability.UNSAFE and unsafe_fixes


def mark_fixable(result: ScanResult) -> ScanResult:
    """Set ``fixable`` on every finding that a registered fixer accepts; returns the result.

    A finding counts as fixable when it carries its own edits (``Finding.fix``) or some fixer
    (safe, unsafe or display-only) handles it: ``optimus fix`` can at least show the change.
    Cheap: no fixer is run.
    """
    mark_fixable_findings(result.findings)
    return result


def mark_fixable_findings(findings: Iterable[Finding]) -> None:
    """:func:`mark_fixable` over findings alone (the scan calls it before storing them)."""
    fixers = load_fixers()
    rules = {f.rule for f in fixers}
    for finding in findings:
        if finding.fix is not None or (finding.rule in rules and fixers_for(finding, fixers)):
            finding.fixable = True
