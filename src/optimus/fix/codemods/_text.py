"""Text helpers shared by codemods: line endings, and proposals built from old and new text.

Renderers (tomlkit, ruamel.yaml, LibCST) keep a file's own line endings on the lines they
read but may write plain LF on the lines they add; :func:`keep_newlines` puts the file's
ending back on those, so a CRLF file stays CRLF throughout.
"""

from __future__ import annotations

import re

from optimus.fix.base import FileChange, ProposedFix
from optimus.model import Applicability, Finding

_LONE_LF = re.compile(r"(?<!\r)\n")


def newline_of(text: str) -> str:
    """The file's line ending: CRLF when its first line ends with one, else LF."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def keep_newlines(original: str, new: str) -> str:
    """``new`` with the line ending of ``original`` on every line (CRLF files stay CRLF)."""
    if newline_of(original) == "\r\n":
        return _LONE_LF.sub("\r\n", new)
    return new


def single_change(
    finding: Finding,
    applicability: Applicability,
    message: str,
    old: str,
    new: str,
    path: str | None = None,
    confirm: tuple[str, ...] = (),
) -> ProposedFix | None:
    """A proposal that rewrites one file, or None when the text did not change."""
    if new == old:
        return None
    change = FileChange(path or finding.path, new)
    return ProposedFix(finding.rule, applicability, message, (change,), confirm)
