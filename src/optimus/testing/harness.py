"""The golden harness: fixtures say inline where each finding must be, and nothing else fires.

Mark an expected finding in a fixture file with a comment holding

- ``optimus-expect: RULE`` on the line the finding is on,
- ``optimus-expect-next: RULE`` on the line before it (Dockerfiles, where comments must
  stand alone),
- ``optimus-expect-file: RULE`` anywhere, for a file-level finding (no line),

or, for files that cannot hold comments (JSON), list ``path:line RULE`` or ``path RULE``
lines in an ``optimus-expected.txt`` at the fixture root. :func:`expected_findings` reads the
markers and :func:`assert_rule_matches` checks that a scan finds exactly those.
"""

from __future__ import annotations

import os
import re

from optimus.analyze.engine import ScanOptions, scan
from optimus.model import ScanResult

_MARK = re.compile(r"optimus-expect(-next|-file)?:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)")
SIDECAR = "optimus-expected.txt"

Key = tuple[str, int | None, str]


def expected_findings(folder: str) -> set[Key]:
    """(path, line, rule) for every marker under a fixture folder, paths folder-relative."""
    expected: set[Key] = set()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d not in (".git", "node_modules", "target")]
        for name in filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, folder).replace(os.sep, "/")
            if name == SIDECAR and dirpath == folder:
                with open(full, encoding="utf-8") as fh:
                    sidecar = fh.read().splitlines()
                for raw in sidecar:
                    if raw.strip() and not raw.startswith("#"):
                        where, rule = raw.split()
                        path, _, line = where.partition(":")
                        expected.add((path, int(line) if line else None, rule))
                continue
            try:
                with open(full, encoding="utf-8") as fh:
                    text = fh.read()
            except (UnicodeDecodeError, OSError):
                continue
            for number, line_text in enumerate(text.splitlines(), start=1):
                for match in _MARK.finditer(line_text):
                    kind = match.group(1)
                    line = None if kind == "-file" else number + 1 if kind == "-next" else number
                    for rule in match.group(2).split(","):
                        expected.add((rel, line, rule.strip()))
    return expected


def found_findings(result: ScanResult, rules: set[str] | None = None) -> set[Key]:
    """(path, line, rule) of a scan's findings, optionally only of some rules."""
    return {(f.path, f.line, f.rule) for f in result.findings if rules is None or f.rule in rules}


def scan_fixture(folder: str, select: list[str] | None = None, preview: bool = True) -> ScanResult:
    """Scan a fixture folder without the cache, with only ``select`` rules on when given."""
    overrides: dict[str, object] = {"preview": preview}
    if select is not None:
        overrides["select"] = tuple(select)
    return scan([folder], ScanOptions(overrides=overrides, use_cache=False, jobs=1))


def assert_rule_matches(folder: str, rule: str) -> ScanResult:
    """Scan ``folder`` with only ``rule`` on and check findings equal its markers exactly."""
    result = scan_fixture(folder, [rule])
    expected = {k for k in expected_findings(folder) if k[2] == rule}
    found = found_findings(result, {rule})
    missing = sorted(expected - found, key=str)
    extra = sorted(found - expected, key=str)
    assert not missing and not extra, (
        f"{rule} in {folder}:\n  expected but not found: {missing}\n  found but not marked: {extra}"
    )
    return result
