"""Commit messages for fixes: what each change does, what to confirm, where the rule is explained.

The last paragraph holds git trailers: ``Optimus-Rule`` and ``Optimus-Run``, a digest of the
run's inputs (base commit, folder, options, Optimus version) by which a second identical run
recognises its own branch and does nothing.
"""

from __future__ import annotations

import hashlib
import json

from optimus.fix.outcome import AppliedFix

DOCS_URL = "https://github.com/optimus-bot/optimus/blob/main/docs/rules/{rule}.md"
RUN_TRAILER = "Optimus-Run"


def run_digest(**inputs: object) -> str:
    """A short, stable digest of a run's inputs."""
    from optimus import __version__

    data = json.dumps({**inputs, "version": __version__}, sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:20]


def commit_message(rule: str, fixes: list[AppliedFix], digest: str, verified: str | None) -> str:
    """The message of the commit holding ``fixes`` (all of one rule)."""
    count = len(fixes)
    lines = [f"optimus: fix {rule} ({count} change{'s' if count != 1 else ''})", ""]
    for fix in fixes:
        where = f"{fix.path}:{fix.line}" if fix.line else fix.path
        lines.append(f"- {where} ({fix.applicability}): {_flat(fix.message)}")
        lines += [f"  confirm before merging: {_flat(value)}" for value in fix.confirm]
    lines += ["", f"Why: {DOCS_URL.format(rule=rule)}"]
    if verified:
        lines.append(f"Tests: {verified}")
    lines += ["", f"Optimus-Rule: {rule}", f"{RUN_TRAILER}: {digest}", ""]
    return "\n".join(lines)


def _flat(text: str) -> str:
    return " ".join(text.split())
