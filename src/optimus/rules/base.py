"""What a rule is: metadata, documentation and a detector over shared parses.

A rule subclasses :class:`Rule`, sets its metadata as class attributes and implements
``check`` (one file at a time) or ``check_project`` (needs several files of a project, such
as a Dockerfile and the Kubernetes manifests beside it). Detectors yield :class:`Hit` values;
the engine turns them into :class:`~optimus.model.Finding` with location, project and
fingerprint, so a rule never builds a finding by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from optimus.model import Category, Confidence, Fix, Severity

if TYPE_CHECKING:
    from optimus.analyze.project_context import ProjectContext
    from optimus.parse.source import SourceFile


@dataclass(frozen=True)
class Hit:
    """What a detector reports: a message and a place, before the engine dresses it.

    ``path`` is only set by project rules (relative to the scan root); file rules leave it
    ``None`` and the engine uses the file being checked. ``snippet`` feeds the fingerprint
    when a finding has no line (file-level findings).
    """

    message: str
    line: int | None = None
    end_line: int | None = None
    count: int | None = None
    path: str | None = None
    fix: Fix | None = None
    snippet: str | None = None
    severity: Severity | None = None


@dataclass(frozen=True)
class Reference:
    """A primary source a rule cites."""

    title: str
    url: str


@dataclass(frozen=True)
class Impact:
    """What fixing a rule's findings is claimed to gain, and on whose word.

    ``claim`` is the range as its source states it ("10-20% faster at runtime"); ``source``
    is the cited reference, or ``bench`` names our own benchmark (a bench/ script) that
    measured it. A rule without an Impact, or with no claim, is reported as "not measured":
    reports never invent a figure.
    """

    claim: str | None = None
    source: Reference | None = None
    bench: str | None = None


class Rule:
    """Base class of every Optimus rule. Subclasses set the metadata below.

    ``kinds`` names the file kinds the rule reads (see ``optimus.parse.kinds``).
    ``prefilter`` lists byte strings of which at least one must occur in a file for the rule
    to run on it, so most files are never parsed (as Semgrep does); empty means always.
    ``scope`` is "file" for rules that look at one file, "project" for rules that need
    several files of one project (those implement ``check_project``), and "engine" for
    rules whose findings come only from an external engine (no detector of their own).
    """

    name: ClassVar[str]
    code: ClassVar[str]
    category: ClassVar[Category]
    severity: ClassVar[Severity]
    confidence: ClassVar[Confidence] = Confidence.HIGH
    effort: ClassVar[int] = 15
    kinds: ClassVar[frozenset[str]] = frozenset()
    prefilter: ClassVar[tuple[bytes, ...]] = ()
    #: Byte strings of which at least one must ALSO occur (a second, independent gate).
    prefilter_also: ClassVar[tuple[bytes, ...]] = ()
    #: A bytes regex that must also match (when one substring is too common to filter).
    prefilter_pattern: ClassVar[re.Pattern[bytes] | None] = None
    scope: ClassVar[str] = "file"
    fixable: ClassVar[bool] = False
    preview: ClassVar[bool] = False
    #: Not reported in installed or vendored copies of published packages (a crate with
    #: ``.cargo-checksum.json``, a package under ``site-packages``): advice only the
    #: package's own maintainers could act on (see ``optimus.rules._thirdparty``).
    skip_third_party: ClassVar[bool] = False
    #: Who detects it: "optimus" (own detector), or the engine that backs it ("ruff"...),
    #: possibly both ("optimus+hadolint").
    engine: ClassVar[str] = "optimus"
    summary: ClassVar[str] = ""
    #: Markdown sections keyed by title: "What it finds", "Why", "Example", "Instead",
    #: "When not to", "Fix safety". docs/rules/NAME.md is generated from them.
    doc: ClassVar[dict[str, str]] = {}
    references: ClassVar[tuple[Reference, ...]] = ()
    #: The evidence for the gain of a fix (reports show it; None reads "not measured").
    impact: ClassVar[Impact | None] = None

    def check(self, file: SourceFile) -> Iterator[Hit]:
        """Yield hits for one file. File rules override this."""
        return iter(())

    def check_project(self, project: ProjectContext) -> Iterator[Hit]:
        """Yield hits (with ``path`` set) for one project. Project rules override this."""
        return iter(())

    def keep_in_folder(self, name: str, siblings: frozenset[str]) -> bool:
        """Whether a file rule's hit on the file ``name`` stands, given the names of the other
        files in its folder (known only once the whole project is listed, after the per-file
        cache). File rules whose findings depend on a folder's layout override this."""
        return True

    def wants(self, data: bytes) -> bool:
        """Whether the prefilter lets this rule look at a file with these bytes."""
        if self.prefilter and not any(p in data for p in self.prefilter):
            return False
        if self.prefilter_also and not any(p in data for p in self.prefilter_also):
            return False
        return self.prefilter_pattern is None or self.prefilter_pattern.search(data) is not None
