"""The per-file result cache: a rescan analyses only files whose content changed.

One file per scan root in the user cache dir (platformdirs). An entry is reused when the
file's size, modification time and project-relative path are unchanged; the whole cache is
dropped when Optimus's analysis code changes (its signature hashes that code).
"""

from __future__ import annotations

import os
import pickle
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from optimus.analyze.hashing import digest_bytes

if TYPE_CHECKING:
    from optimus.analyze.files import FileOutcome

_FORMAT = 1


@cache
def code_signature() -> str:
    """A hash of the code whose output is cached: parsers, rules and the file analyser."""
    package = Path(__file__).resolve().parent.parent
    parts = []
    for sub in ("parse", "rules", "engines", "analyze", "discover", "registry.py", "model.py"):
        target = package / sub
        paths = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        for p in paths:
            parts.append(p.relative_to(package).as_posix().encode())
            parts.append(p.read_bytes())
    return digest_bytes(b"\0".join(parts))


def cache_dir() -> Path:
    """Where caches live: $OPTIMUS_CACHE_DIR, or the user cache dir."""
    configured = os.environ.get("OPTIMUS_CACHE_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("optimus", appauthor=False))


class ResultCache:
    """File outcomes of one scan root, keyed by root-relative path."""

    def __init__(self, root: str, enabled: bool = True) -> None:
        self.enabled = enabled
        self.file = cache_dir() / f"scan-{digest_bytes(os.path.abspath(root).encode())}.pickle"
        self._entries: dict[str, tuple[int, int, FileOutcome]] = {}
        self._fresh: dict[str, tuple[int, int, FileOutcome]] = {}
        self._engines: dict[str, object] = {}
        self._fresh_engines: dict[str, object] = {}
        self._dirty = False
        if enabled:
            self._load()

    def _load(self) -> None:
        try:
            with open(self.file, "rb") as fh:
                stored = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return
        if (
            isinstance(stored, dict)
            and stored.get("format") == _FORMAT
            and stored.get("signature") == code_signature()
        ):
            self._entries = stored.get("files", {})
            self._engines = stored.get("engines", {})

    def get(self, path: str, size: int, mtime_ns: int, project_path: str) -> FileOutcome | None:
        """The stored outcome for an unchanged file, or None."""
        entry = self._entries.get(path)
        if entry is None or entry[0] != size or entry[1] != mtime_ns:
            return None
        if entry[2].project_path != project_path:
            return None
        self._fresh[path] = entry
        return entry[2]

    def put(self, path: str, size: int, mtime_ns: int, outcome: FileOutcome) -> None:
        """Remember a new outcome."""
        self._fresh[path] = (size, mtime_ns, outcome)
        self._dirty = True

    def get_engine(self, key: str) -> object | None:
        """An engine's stored results for this key (engine, project, inputs), or None."""
        found = self._engines.get(key)
        if found is not None:
            self._fresh_engines[key] = found
        return found

    def put_engine(self, key: str, results: object) -> None:
        """Remember an engine's results for a project whose inputs hash to ``key``."""
        self._fresh_engines[key] = results
        self._dirty = True

    def save(self) -> None:
        """Write the entries seen in this scan (files gone since are dropped), atomically."""
        if not self.enabled:
            return
        unchanged = len(self._fresh) == len(self._entries) and len(self._fresh_engines) == len(
            self._engines
        )
        if not self._dirty and unchanged and self.file.exists():
            return  # a rescan that changed nothing: no need to rewrite the cache
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            import tempfile  # only a scan that writes needs it (it imports random)

            fd, tmp = tempfile.mkstemp(dir=self.file.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(
                    {
                        "format": _FORMAT,
                        "signature": code_signature(),
                        "files": self._fresh,
                        "engines": self._fresh_engines,
                    },
                    fh,
                    protocol=pickle.HIGHEST_PROTOCOL,
                )
            os.replace(tmp, self.file)
        except OSError:
            pass  # a cache that cannot be written only costs speed next time
