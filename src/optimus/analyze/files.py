"""Analyse one file: read it once, count it, run every file rule whose prefilter matches.

This runs in worker processes, so everything it returns is plain picklable data. It runs
every file rule of the file's kind (not only the enabled ones), so a cached outcome serves
any configuration; selection and suppression happen afterwards in the engine.
"""

from __future__ import annotations

import contextlib
import re
import traceback
from dataclasses import dataclass, field
from functools import cache

from optimus.analyze.fingerprint import normalize_snippet
from optimus.analyze.prefilter import prefilter_for
from optimus.analyze.suppress import find_suppressions
from optimus.discover.stack import FRAMEWORKS, normalize
from optimus.parse.errors import ParseError
from optimus.parse.kinds import language_of
from optimus.parse.source import SourceFile
from optimus.registry import all_rules
from optimus.rules.base import Hit, Rule

#: Import statements. The line-anchored ones start with a newline rather than a MULTILINE
#: `^`, which the regex engine tries at every position (twice as slow); the text searched
#: gets a newline in front so a first-line import still matches.
_IMPORTS = {
    "python": re.compile(rb"\n[ \t]*(?:from|import)[ \t]+([A-Za-z_]\w*)"),
    "rust": re.compile(rb"\n[ \t]*(?:pub[ \t]+)?(?:use|extern[ \t]+crate)[ \t]+(\w+)"),
    "js": re.compile(rb"(?:from[ \t]+|require\(|import\()['\"]([^'\"./][^'\"]*)['\"]"),
}


@dataclass
class RawHit:
    """A rule's hit with the snippet its fingerprint is built from."""

    rule: str
    hit: Hit
    snippet: str


@dataclass
class FileOutcome:
    """What analysing one file produced; cached by content."""

    path: str
    project_path: str
    kind: str
    digest: str
    lines: int
    language: str | None
    imports: frozenset[str] = frozenset()
    hits: list[RawHit] = field(default_factory=list)
    diagnostics: list[str] = field(default_factory=list)
    suppressions: dict[int, frozenset[str]] = field(default_factory=dict)


@cache
def rules_for_kind(kind: str) -> tuple[Rule, ...]:
    """File rules that read files of this kind."""
    return tuple(r for r in all_rules() if r.scope == "file" and kind in r.kinds)


def count_lines(data: bytes) -> int:
    """Physical lines, counting a last line without a newline."""
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def _imports(kind: str, data: bytes) -> frozenset[str]:
    pattern = _IMPORTS.get("js" if kind in ("javascript", "typescript", "tsx") else kind)
    if pattern is None:
        return frozenset()
    found = set()
    # Imports sit at the top of a file; the stack only needs the frameworks, not every import.
    for raw in pattern.findall(b"\n" + data[:65536]):
        name = raw.decode("ascii", "replace")
        if kind in ("javascript", "typescript", "tsx"):
            parts = name.split("/")
            name = "/".join(parts[:2]) if name.startswith("@") else parts[0]
        if _is_framework(name):
            found.add(name)
    return frozenset(found)


@cache
def _is_framework(name: str) -> bool:
    # The same few hundred module names recur across thousands of files: decide each once.
    return normalize(name) in FRAMEWORKS or name.lower() in FRAMEWORKS


def run_rules(src: SourceFile, rules: tuple[Rule, ...], debug: bool = False) -> FileOutcome:
    """Run file rules on an already read file (used by workers and the project phase)."""
    from optimus.analyze.hashing import digest_bytes

    data = src.data
    out = FileOutcome(
        src.path,
        src.project_path,
        src.kind,
        digest_bytes(data),
        count_lines(data),
        language_of(src.path.rsplit("/", 1)[-1]),
        _imports(src.kind, data),
    )
    if b"\0" in data[:8192]:
        out.diagnostics.append("binary file skipped")
        return out
    reported: set[str] = set()
    for rule in prefilter_for(rules).applicable(data):
        try:
            for hit in rule.check(src):
                line_text = src.line_text(hit.line) if hit.line else ""
                out.hits.append(RawHit(rule.name, hit, normalize_snippet(hit.snippet or line_text)))
        except ParseError as exc:
            message = str(exc) + (f" (line {exc.line})" if exc.line else "")
            if message not in reported:
                reported.add(message)
                out.diagnostics.append(message)
        except Exception as exc:  # a bug in one rule must not stop the scan
            if debug:
                raise
            where = traceback.extract_tb(exc.__traceback__)[-1]
            out.diagnostics.append(
                f"internal error in rule {rule.name}: {type(exc).__name__}: {exc} "
                f"({where.filename.rsplit('/', 1)[-1]}:{where.lineno}); please report it"
            )
    if b"optimus:" in data:
        with contextlib.suppress(ParseError):
            out.suppressions = find_suppressions(src.text)
    return out


def analyze_path(
    abspath: str, path: str, project_path: str, kind: str, debug: bool = False
) -> FileOutcome | str:
    """Read and analyse one file; a string is returned when it cannot be read."""
    try:
        with open(abspath, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return f"cannot read file: {exc.strerror}"
    return run_rules(SourceFile(path, project_path, kind, data), rules_for_kind(kind), debug)


def analyze_batch(
    batch: list[tuple[str, str, str, str]], debug: bool = False
) -> list[FileOutcome | str]:
    """Analyse a batch of (abspath, path, project_path, kind) in one worker call."""
    return [analyze_path(*item, debug=debug) for item in batch]
