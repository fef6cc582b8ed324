"""What a fix is and how one is registered: the contract between codemods and the fix engine.

A codemod is one module under ``optimus.fix.codemods`` with one function per rule it fixes,
registered with :func:`fixer`. Given a finding and a :class:`FixContext` (which reads the
current text of files, including what earlier fixes in the same pass changed), it returns a
:class:`ProposedFix` (whole new file texts, so LibCST, tomlkit and ruamel.yaml can render
them while keeping formatting and comments) or ``None`` when it cannot fix this instance.
The engine (``optimus.fix.apply``) turns proposals into diffs, applies them, re-parses every
touched file and repeats until nothing more applies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from optimus.model import Applicability, Finding, Project


@dataclass(frozen=True)
class FileChange:
    """The new text of one file, relative to the scan root with / separators.

    ``created`` is true when the file did not exist before (a generated .dockerignore).
    """

    path: str
    new_text: str
    created: bool = False


@dataclass(frozen=True)
class ProposedFix:
    """One change that removes one finding (or several findings of one rule in one file).

    ``message`` explains the change in a sentence; it goes into the diff header and the
    commit message. ``confirm`` lists values the user must check before merging (resource
    requests, probe paths); the diff marks them.
    """

    rule: str
    applicability: Applicability
    message: str
    changes: tuple[FileChange, ...]
    confirm: tuple[str, ...] = ()


class FixContext(Protocol):
    """What a codemod may read: file texts as they are now, the project and the scan root."""

    root: Path
    project: Project

    def read_text(self, path: str) -> str | None:
        """The current text of ``path`` (relative to the root), or None when absent."""
        ...

    def exists(self, path: str) -> bool:
        """Whether ``path`` (relative to the root) exists now."""
        ...


FixerFunc = Callable[[Finding, FixContext], ProposedFix | None]


@dataclass(frozen=True)
class Fixer:
    """A registered codemod: the rule it fixes, its safety and the function."""

    rule: str
    applicability: Applicability
    func: FixerFunc
    #: Narrows a rule's findings to those this fixer handles (e.g. only ``time.sleep`` for
    #: blocking-call-in-async); None accepts every finding of the rule.
    accepts: Callable[[Finding], bool] | None = field(default=None)


_FIXERS: list[Fixer] = []


def fixer(
    rule: str,
    applicability: Applicability,
    accepts: Callable[[Finding], bool] | None = None,
) -> Callable[[FixerFunc], FixerFunc]:
    """Register a codemod for ``rule`` with its safety level."""

    def register(func: FixerFunc) -> FixerFunc:
        _FIXERS.append(Fixer(rule, applicability, func, accepts))
        return func

    return register


def registered_fixers() -> list[Fixer]:
    """Every fixer registered so far (import ``optimus.fix.codemods`` modules first)."""
    return list(_FIXERS)
