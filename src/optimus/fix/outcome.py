"""What a fix run did, as data: applied, skipped, rolled back, failed to parse; and its JSON.

``optimus fix --json`` prints :meth:`FixReport.to_json`; the pull-request bot reads it.
docs/fixes.md documents every field; change them only with a new ``schema_version``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = "1"


@dataclass
class AppliedFix:
    """One fix that was made (on a branch, in place, or in the dry-run's scratch copy)."""

    rule: str
    applicability: str
    message: str
    project: str
    path: str
    line: int | None
    fingerprint: str
    files: list[str]
    diff: str
    confirm: list[str] = field(default_factory=list)
    #: The rule reports fewer findings in the file after the fix (checked by a rescan).
    resolved: bool | None = None
    commit: str | None = None
    #: "passed", "not judged (baseline failed)", "no test command", or None without --verify.
    verified: str | None = None


@dataclass
class SkippedFix:
    """A finding with a fixer whose fix was not applied, and why."""

    rule: str
    applicability: str
    project: str
    path: str
    line: int | None
    fingerprint: str
    reason: str
    #: The change a display-only fix would make (shown, never applied).
    diff: str | None = None


@dataclass
class RolledBack:
    """Fixes of one rule whose project's tests failed where the baseline passed."""

    rule: str
    project: str
    command: str
    returncode: int | None
    output: str
    fixes: list[AppliedFix]


@dataclass
class ParseFailure:
    """A fix that left a file unparsable: reverted, and a bug in its codemod."""

    rule: str
    path: str
    file: str
    error: str
    message: str


@dataclass
class FixReport:
    """Everything one ``optimus fix`` run did."""

    mode: str
    root: str
    applied: list[AppliedFix] = field(default_factory=list)
    skipped: list[SkippedFix] = field(default_factory=list)
    rolled_back: list[RolledBack] = field(default_factory=list)
    failed_to_parse: list[ParseFailure] = field(default_factory=list)
    branch: str | None = None
    worktree: str | None = None
    base_commit: str | None = None
    backup: str | None = None
    verify: dict[str, Any] = field(default_factory=lambda: {"enabled": False})
    passes: int = 0
    converged: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0: nothing to fix, or all applied; 1: a fix was rolled back or broke parsing, or a
        red baseline stopped the run (with --force a red baseline does not count)."""
        if self.rolled_back or self.failed_to_parse:
            return 1
        return 1 if self.verify.get("stopped") else 0

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data, in the documented key order."""
        data = asdict(self)
        return {"schema_version": SCHEMA_VERSION, **data}

    def to_json(self) -> str:
        """The report as indented JSON with a final newline."""
        return json.dumps(self.to_dict(), indent=2) + "\n"
