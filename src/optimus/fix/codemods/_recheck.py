"""Ask a file rule whether it still reports a finding on the current text.

A fix engine may hand a codemod a finding from an earlier scan while the file has changed
since (an earlier fix of the same pass, a second run). Codemods whose edit is not naturally
idempotent (inserting lines) call :func:`still_reported` first, so a finding that no longer
holds gets no second edit.
"""

from __future__ import annotations

from optimus.model import Finding
from optimus.parse.errors import ParseError
from optimus.parse.source import SourceFile
from optimus.registry import get_rule


def still_reported(finding: Finding, text: str, kind: str, any_line: bool = False) -> bool:
    """Whether the finding's rule reports it (at its line, unless ``any_line``) on ``text``."""
    rule = get_rule(finding.rule)
    if rule is None:
        return False
    prefix = "" if finding.project in ("", ".") else finding.project.rstrip("/") + "/"
    project_path = finding.path.removeprefix(prefix)
    src = SourceFile(finding.path, project_path, kind, text.encode("utf-8"))
    try:
        hits = list(rule.check(src))
    except ParseError:
        return False
    return any(any_line or hit.line == finding.line for hit in hits)
