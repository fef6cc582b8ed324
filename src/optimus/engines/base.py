"""What an engine is: an external analyzer run as a separate program, normalized to findings.

An engine subclasses :class:`Engine`, registers with ``@engine`` (optimus.registry) and
implements :meth:`Engine.run` for one project. It returns :class:`EngineHit` values: either
for an Optimus rule name (the same check, so nothing is reported twice) or, for checks
Optimus has no rule for, under the engine's own id ``"<engine>:<code>"`` (``ruff:PERF401``)
with the category and severity the engine module assigns.

Engines never import the code they analyse; they run as subprocesses with a timeout. A
missing program is not an error: the scan reports one diagnostic saying how to install it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from optimus.model import Category, Severity

if TYPE_CHECKING:
    from optimus.analyze.project_context import ProjectContext


@dataclass(frozen=True)
class EngineHit:
    """One result of an engine, located relative to the scan root."""

    rule: str
    path: str
    line: int | None
    message: str
    end_line: int | None = None
    #: For engine-only ids ("ruff:PERF401"): the code shown, category and severity.
    code: str | None = None
    category: Category | None = None
    severity: Severity | None = None


class EngineError(Exception):
    """The engine ran but failed; the message becomes a diagnostic for the project."""


class Engine:
    """Base class of external analyzers. Subclasses set the metadata and implement run()."""

    name: ClassVar[str]
    #: The program to look for on PATH (or next to the running Python).
    program: ClassVar[str]
    #: How to get it, shown in the diagnostic when it is missing.
    install_hint: ClassVar[str]
    summary: ClassVar[str] = ""
    #: File kinds that make the engine worth running for a project (any of them present).
    kinds: ClassVar[frozenset[str]] = frozenset()
    #: Optimus rule names this engine backs (findings mapped onto them).
    rules: ClassVar[frozenset[str]] = frozenset()
    timeout: ClassVar[int] = 300
    #: Whether results may be reused while the project's files are unchanged (engines that
    #: ask a network service for today's data are not).
    cacheable: ClassVar[bool] = True

    def executable(self) -> str | None:
        """The program's path: next to the running interpreter first, then PATH."""
        beside = Path(sys.executable).parent / self.program
        if beside.exists():
            return str(beside)
        return shutil.which(self.program)

    def applies(self, ctx: ProjectContext) -> bool:
        """Whether the project has files this engine reads."""
        return any(kind in self.kinds for kind in ctx.kinds_present)

    def run(self, ctx: ProjectContext, project_dir: str, executable: str) -> list[EngineHit]:
        """Analyse one project (its folder on disk is ``project_dir``)."""
        raise NotImplementedError

    def call(self, args: list[str], cwd: str) -> subprocess.CompletedProcess[str]:
        """Run the program with a timeout; failures to start or finish raise EngineError."""
        try:
            return subprocess.run(
                args, cwd=cwd, capture_output=True, text=True, timeout=self.timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise EngineError(f"{self.name} timed out after {self.timeout}s") from None
        except OSError as exc:
            raise EngineError(f"cannot run {self.name}: {exc.strerror}") from None
