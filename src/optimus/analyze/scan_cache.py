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

A rescan does not even need to walk again: the stored :class:`StoredTree` holds the stamp of
every folder the walk listed (modification and change time: a folder's listing changes only
with them) and of every file it kept (size and modification time, what the per-file cache
trusts too), and the projects the walk found. When every stamp still holds, the walk would
find the same projects and files, so :func:`StoredTree.unchanged` stands in for it. Stamps
taken within a second of the scan are not trusted (file systems keep times at a coarse
granularity, so a change in the same tick could keep a stamp), as Git does for its index.
"""

from __future__ import annotations

import os
import pickle
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from optimus.analyze.cache import cache_dir, code_signature
from optimus.analyze.hashing import digest_bytes
from optimus.model import Diagnostic, Finding, Project, ScanStats, Stack

_FORMAT = 3
#: Stamps this close to the scan (ns) may hide a change made in the same clock tick.
_RACY_NS = 1_000_000_000


@dataclass
class StoredTree:
    """What the walk found, with the stamps that prove it unchanged (paths under ``root``).

    ``projects`` holds each project as discovery made it (no stack, no git facts), its folder,
    whether it is a repository, the ``repr`` of its effective settings, and whether those are
    the root's with nothing to read again (no configuration file of its own that the walk
    did not stamp).
    """

    root: str
    paths: list[str]
    overrides: str
    dirs: list[tuple[str, int, int]]
    files: list[tuple[str, int, int]]
    projects: list[tuple[Project, str, bool, str, bool]]
    engines: str
    started_ns: int

    def __getstate__(self) -> dict[str, object]:
        # Stored compactly: all paths in one string, all numbers in one array. Unpickling
        # some 15,000 small tuples was a visible part of a warm rescan.
        state = dict(self.__dict__)
        for name in ("dirs", "files"):
            rows = state[name]
            numbers = array("q", [n for row in rows for n in row[1:]])
            state[name] = ("\0".join(row[0] for row in rows), numbers.tobytes())
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        for name in ("dirs", "files"):
            joined, raw = state[name]  # type: ignore[misc]
            numbers = array("q")
            numbers.frombytes(raw)
            paths = joined.split("\0") if joined else []
            state[name] = list(zip(paths, numbers[0::2], numbers[1::2], strict=True))
        self.__dict__.update(state)

    def trustworthy(self) -> bool:
        """False when a stamp is too close to the scan to prove anything next time."""
        limit = self.started_ns - _RACY_NS
        return not any(m >= limit or c >= limit for _, m, c in self.dirs) and not any(
            m >= limit for _, _, m in self.files
        )

    def unchanged(self) -> bool:
        """Whether every folder and file still has its stamp (one stat each, no listing)."""
        if os.stat not in os.supports_dir_fd:  # Windows: no paths relative to a folder
            return self._unchanged(lambda path: os.stat(os.path.join(self.root, path)))
        try:
            fd = os.open(self.root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            return False
        try:
            # Relative to an open folder: the kernel resolves only the part under the root.
            return self._unchanged(lambda path: os.stat(path, dir_fd=fd))
        finally:
            os.close(fd)

    def _unchanged(self, stat: Callable[[str], os.stat_result]) -> bool:
        try:
            for path, mtime, ctime in self.dirs:
                st = stat(path)
                if st.st_mtime_ns != mtime or st.st_ctime_ns != ctime:
                    return False
            for path, size, mtime in self.files:
                st = stat(path)
                if st.st_size != size or st.st_mtime_ns != mtime:
                    return False
        except OSError:
            return False
        return True


@dataclass
class StoredScan:
    """What a scan produced, minus what is computed afresh each time (git facts, timing)."""

    key: str
    findings: list[Finding]
    diagnostics: list[Diagnostic]
    stats: ScanStats
    stacks: dict[str, Stack]
    tree: StoredTree | None = None


@dataclass
class Catalogue:
    """Rule names and codes, and engine names, for validating selectors without importing
    every rule module (valid for one code signature)."""

    known: set[str] = field(default_factory=set)
    engines: frozenset[str] = frozenset()


class ScanCache:
    """The stored result and catalogue of one scan root (and set of flags)."""

    def __init__(self, root: str, enabled: bool = True, flags: str = "") -> None:
        self.enabled = enabled
        # One file per root and set of flags: switching between, say, `--no-engines` and a
        # full scan keeps both results instead of each replacing the other.
        where = digest_bytes(f"{os.path.abspath(root)}\0{flags}".encode())
        name = f"scan-{where}.result.pickle"
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
            import tempfile  # only a scan that writes needs it (it imports random)

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
