"""The vocabulary every part of Optimus speaks: projects, stacks, findings, fixes.

Plain dataclasses with no I/O. ``optimus scan --format json`` is this vocabulary serialized
(see docs/json-output.md); changing a field here is changing a public contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How much a finding matters, highest first."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe: info=0 ... critical=4."""
        return _SEVERITY_RANK[self]

    def __str__(self) -> str:
        return self.value


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Category(StrEnum):
    """What a finding costs: the six quality axes reports are grouped by."""

    PERFORMANCE = "performance"
    COST = "cost"
    RELIABILITY = "reliability"
    SECURITY = "security"
    MAINTAINABILITY = "maintainability"
    DEPENDENCIES = "dependencies"

    def __str__(self) -> str:
        return self.value


class Confidence(StrEnum):
    """How sure a rule is that a finding is a true positive."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    def __str__(self) -> str:
        return self.value


class Applicability(StrEnum):
    """Fix safety, as Ruff defines it: safe fixes preserve meaning; unsafe ones may not."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` (character offsets) with ``content``."""

    start: int
    end: int
    content: str


@dataclass(frozen=True)
class Fix:
    """A change that removes a finding, as edits on one file's text."""

    edits: tuple[Edit, ...]
    applicability: Applicability
    message: str


@dataclass(frozen=True)
class Location:
    """Where a finding is: a path relative to the scan root and 1-based lines (or none)."""

    path: str
    line: int | None = None
    end_line: int | None = None


@dataclass
class LanguageStats:
    """How much of one language a project holds."""

    files: int = 0
    lines: int = 0


@dataclass
class Stack:
    """What a project is built with."""

    languages: dict[str, LanguageStats] = field(default_factory=dict)
    frameworks: list[str] = field(default_factory=list)
    package_managers: list[str] = field(default_factory=list)
    lockfiles: list[str] = field(default_factory=list)
    infrastructure: list[str] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)


@dataclass
class GitFacts:
    """What git says about a project that is (inside) a repository."""

    branch: str | None
    last_commit: str | None
    commits: int
    contributors: int
    dirty: bool


@dataclass
class Project:
    """One project found under a scanned path.

    ``path`` is relative to the scan root with / separators ("." for the root itself).
    ``members`` lists workspace members (Cargo, npm/yarn/pnpm) that belong to this project.
    """

    path: str
    name: str
    stack: Stack = field(default_factory=Stack)
    git: GitFacts | None = None
    members: list[str] = field(default_factory=list)


@dataclass
class Finding:
    """One located, explained problem that a rule found."""

    rule: str
    code: str
    category: Category
    severity: Severity
    confidence: Confidence
    message: str
    path: str
    line: int | None
    end_line: int | None
    project: str
    fingerprint: str
    count: int | None = None
    fixable: bool = False
    engine: str = "optimus"
    fix: Fix | None = None

    @property
    def location(self) -> Location:
        """The finding's location as one value."""
        return Location(self.path, self.line, self.end_line)


@dataclass(frozen=True)
class Diagnostic:
    """Something Optimus could not do (an unreadable or unparsable file); the scan goes on."""

    path: str
    message: str


@dataclass
class ScanStats:
    """Figures about one scan."""

    files: int = 0
    lines: int = 0
    seconds: float = 0.0
    files_analyzed: int = 0
    files_cached: int = 0


@dataclass
class ScanResult:
    """Everything one ``optimus scan`` produced."""

    root: str
    projects: list[Project]
    findings: list[Finding]
    diagnostics: list[Diagnostic]
    stats: ScanStats
