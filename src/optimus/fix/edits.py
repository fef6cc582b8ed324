"""Fixes that rules carry themselves: ``Finding.fix``, edits on one file's text.

A rule may attach a :class:`~optimus.model.Fix` to a finding (character offsets into the
file's text as the scan read it). The engine turns it into a fixer of its own, so such
findings are fixed, checked and committed like codemod proposals.
"""

from __future__ import annotations

from optimus.fix.base import FileChange, FixContext, Fixer, ProposedFix
from optimus.model import Edit, Finding

_BOM = "\ufeff"


def apply_edits(text: str, edits: tuple[Edit, ...] | list[Edit]) -> str:
    """``text`` with every edit made; overlapping or out-of-range edits raise ValueError."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    end = 0
    for edit in ordered:
        if edit.start < end or edit.start > edit.end or edit.end > len(text):
            raise ValueError(f"bad edit {edit.start}..{edit.end} on a text of {len(text)}")
        end = edit.end
    out = text
    for edit in reversed(ordered):
        out = out[: edit.start] + edit.content + out[edit.end :]
    return out


def edit_fixer(finding: Finding) -> Fixer | None:
    """A fixer that makes the finding's own edits, or None when the finding carries none."""
    fix = finding.fix
    if fix is None or not fix.edits:
        return None

    def func(found: Finding, ctx: FixContext) -> ProposedFix | None:
        text = ctx.read_text(found.path)
        if text is None:
            return None
        # The scan decodes without a byte-order mark: offsets start after it.
        bom = _BOM if text.startswith(_BOM) else ""
        try:
            new = bom + apply_edits(text[len(bom) :], fix.edits)
        except ValueError:
            return None
        change = FileChange(found.path, new)
        return ProposedFix(found.rule, fix.applicability, fix.message, (change,))

    return Fixer(finding.rule, fix.applicability, func)
