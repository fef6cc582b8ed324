"""Baselines: record today's findings, later report only new ones (matched by fingerprint)."""

from __future__ import annotations

import json
import os

from optimus.errors import UsageError
from optimus.model import Finding, ScanResult

BASELINE_VERSION = 1


def write_baseline(result: ScanResult, path: str) -> int:
    """Write the fingerprints of a scan's findings to ``path``; returns how many."""
    from optimus import __version__

    entries = sorted(
        ({"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path} for f in result.findings),
        key=lambda e: (e["path"], e["rule"], e["fingerprint"]),
    )
    doc = {
        "baseline_version": BASELINE_VERSION,
        "tool": f"optimus {__version__}",
        "findings": entries,
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")
    return len(entries)


def load_baseline(path: str) -> set[str]:
    """The fingerprints recorded in a baseline file."""
    if not os.path.isfile(path):
        raise UsageError(f"baseline file not found: {path}")
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        return {e["fingerprint"] for e in doc["findings"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"{path}: not an Optimus baseline ({exc.__class__.__name__}); "
            "create one with `optimus baseline PATH -o FILE`"
        ) from None


def new_findings(findings: list[Finding], known: set[str]) -> list[Finding]:
    """Findings whose fingerprint is not in the baseline."""
    return [f for f in findings if f.fingerprint not in known]
