"""Fingerprints that survive unrelated edits: rule + path + normalized snippet + occurrence.

The line number is left out on purpose, so adding lines above a finding keeps its identity
(baselines and history match findings across scans by this value).
"""

from __future__ import annotations

import hashlib
import re

_SPACE = re.compile(r"\s+")


def normalize_snippet(text: str) -> str:
    """Collapse whitespace so re-indentation does not change a fingerprint."""
    return _SPACE.sub(" ", text).strip()


def fingerprint(rule: str, path: str, snippet: str, occurrence: int) -> str:
    """A 16-hex-digit stable id for one finding."""
    raw = f"{rule}\0{path}\0{normalize_snippet(snippet)}\0{occurrence}".encode()
    return hashlib.blake2b(raw, digest_size=8).hexdigest()
