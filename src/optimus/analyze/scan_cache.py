"""The whole-scan cache: a rescan of an unchanged tree reuses the previous scan's results.

The per-file cache (:mod:`optimus.analyze.cache`) spares re-analysing unchanged files, but a
rescan still loaded every file's outcome, imported every rule and re-ran the project phase
(project rules, infrastructure files, stacks, findings) for every project. When nothing the
scan reads has changed, its result cannot have changed either, so the previous result is
reused as a whole. The key covers:

- Optimus's analysis code (the per-file cache's code signature) and this file's format;
- every project found, with its effective settings (flags included) and every file the walk
  kept in it: path, kind, size and modification time;
- the walk's diagnostics, the ``OPTIMUS_*`` environment (data folders such as the OSV
  mirror), and, where engines run, each engine's program and its modification time.

One small file per scan root, beside the per-file cache; the per-file cache is only loaded
when this one misses, which is what makes a warm rescan cheap. Like the engines' cache, it
does not see files that the walk leaves out (ignored or skipped folders).
"""

from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from optimus.analyze.cache import cache_dir, code_signature
from optimus.analyze.hashing import digest_bytes
from optimus.model import Diagnostic, Finding, ScanStats, Stack

_FORMAT = 1


@dataclass
class StoredScan:
    """What a scan produced, minus what is computed afresh each time (git facts, timing)."""

    key: str
    findings: list[Finding]
    diagnostics: list[Diagnostic]
    stats: ScanStats
    stacks: dict[str, Stack]


@dataclass
class Catalogue:
    """Rule names and codes, and engine names, for validating selectors without importing
    every rule module (valid for one code signature)."""

    known: set[str] = field(default_factory=set)
    engines: frozenset[str] = frozenset()


class ScanCache:
    """The stored result and catalogue of one scan root."""

    def __init__(self, root: str, enabled: bool = True) -> None:
        self.enabled = enabled
        name = f"scan-{digest_bytes(os.path.abspath(root).encode())}.result.pickle"
        self.file: Path = cache_dir() / name
        self.stored: StoredScan | None = None
        self.catalogue: Catalogue | None = None
        if enabled:
            self._load()

    def _load(self) -> None:
        try:
            with open(self.file, "rb") as fh:
                data = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return
        except Exception:  # a damaged cache only costs speed
            return
        if (
            not isinstance(data, dict)
            or data.get("format") != _FORMAT
            or data.get("signature") != code_signature()
        ):
            return
        stored, catalogue = data.get("scan"), data.get("catalogue")
        self.stored = stored if isinstance(stored, StoredScan) else None
        self.catalogue = catalogue if isinstance(catalogue, Catalogue) else None

    def get(self, key: str) -> StoredScan | None:
        """The stored scan when its key is ``key``, else None."""
        if self.stored is not None and self.stored.key == key:
            return self.stored
        return None

    def save(self, scan: StoredScan, catalogue: Catalogue) -> None:
        """Store a scan's result (replacing the previous one), atomically."""
        if not self.enabled:
            return
        data = {
            "format": _FORMAT,
            "signature": code_signature(),
            "scan": scan,
            "catalogue": catalogue,
        }
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.file)
        except OSError:
            pass  # a cache that cannot be written only costs speed next time


def scan_key(parts: list[str]) -> str:
    """The key of a scan from the textual description of everything it reads."""
    env = sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("OPTIMUS_"))
    return digest_bytes("\0".join([str(_FORMAT), *env, *parts]).encode())
