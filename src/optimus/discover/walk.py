"""Walk scanned paths once: find project roots and the files each project owns.

The walk honours .gitignore files (pathspec, git's own semantics), never enters dependency or
build folders, never follows directory symlinks (so symlink loops cannot trap it), and turns
unreadable folders into diagnostics instead of stopping.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from optimus.model import Diagnostic
from optimus.parse.kinds import kind_of

if TYPE_CHECKING:
    import pathspec

#: Folders never entered: dependencies, build output, caches, VCS internals.
SKIP_DIRS = frozenset(
    {
        "node_modules",
        "target",
        ".venv",
        "venv",
        "dist",
        "build",
        "__pycache__",
        "vendor",
        ".git",
        ".hg",
        ".svn",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".next",
        ".cache",
        ".eggs",
        ".terraform",
        "site-packages",
    }
)

#: Names that make a folder a project wherever it is.
STRONG_MARKERS = frozenset(
    {
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "Pipfile",
        "Cargo.toml",
        "package.json",
        "go.mod",
        "pom.xml",
        "build.gradle",
        "build.gradle.kts",
        "Gemfile",
        "composer.json",
    }
)


@dataclass
class FileEntry:
    """A file the walk kept: where it is, its kind, and what the cache keys on."""

    abspath: str
    path: str
    kind: str
    size: int
    mtime_ns: int


@dataclass
class DirInfo:
    """A folder the walk entered, with the names that decide whether it is a project."""

    path: str
    names: frozenset[str]
    has_vcs: bool
    yaml_files: list[str] = field(default_factory=list)
    #: (st_mtime_ns, st_ctime_ns) of the folder, taken before listing it: while both are
    #: unchanged, so is its listing (a rescan checks this instead of walking again).
    stamp: tuple[int, int] = (0, 0)


@dataclass
class WalkResult:
    """Every kept file and entered folder under one root, plus what could not be read."""

    root: str
    files: list[FileEntry]
    dirs: dict[str, DirInfo]
    diagnostics: list[Diagnostic]


def _rel(root: str, path: str) -> str:
    # Every walked path starts with root + os.sep: slicing is exact and far cheaper than
    # os.path.relpath, which normalises both paths on each call.
    if path == root:
        return "."
    return path[len(root.rstrip(os.sep)) + 1 :].replace(os.sep, "/")


def _load_gitignore(folder: str) -> pathspec.PathSpec | None:
    import pathspec  # imported on the first .gitignore met: most trees have few

    try:
        with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as fh:
            return pathspec.GitIgnoreSpec.from_lines(fh.read().splitlines())
    except OSError:
        return None


def walk(root: str, exclude: pathspec.PathSpec | None = None) -> WalkResult:
    """Walk ``root`` (a folder or a single file). ``exclude`` holds user globs, root-relative."""
    root = os.path.abspath(root)
    files: list[FileEntry] = []
    dirs: dict[str, DirInfo] = {}
    diagnostics: list[Diagnostic] = []
    if os.path.isfile(root):
        name = os.path.basename(root)
        st = os.stat(root)
        kind = kind_of(name) or "other"
        files.append(FileEntry(root, name, kind, st.st_size, st.st_mtime_ns))
        return WalkResult(os.path.dirname(root), files, dirs, diagnostics)
    # Each stack item: folder, and the gitignore specs in force with the folder they sit in.
    stack: list[tuple[str, tuple[tuple[str, pathspec.PathSpec], ...]]] = [(root, ())]
    while stack:
        folder, ignores = stack.pop()
        rel_folder = _rel(root, folder)
        try:
            folder_stat = os.stat(folder)
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as exc:
            diagnostics.append(Diagnostic(rel_folder, f"cannot read folder: {exc.strerror}"))
            continue
        names = frozenset(e.name for e in entries)
        if ".gitignore" in names:
            spec = _load_gitignore(folder)
            if spec is not None:
                ignores = (*ignores, (folder, spec))
        info = DirInfo(
            rel_folder,
            names,
            ".git" in names or ".hg" in names,
            stamp=(folder_stat.st_mtime_ns, folder_stat.st_ctime_ns),
        )
        dirs[rel_folder] = info
        for entry in entries:
            name = entry.name
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            rel = name if rel_folder == "." else f"{rel_folder}/{name}"
            if _ignored(entry.path, is_dir, ignores) or (
                exclude is not None and exclude.match_file(rel + ("/" if is_dir else ""))
            ):
                continue
            if is_dir:
                if is_link or name in SKIP_DIRS or name.endswith(".egg-info"):
                    continue
                stack.append((entry.path, ignores))
                continue
            kind = kind_of(name)
            if kind is None:
                continue
            try:
                st = entry.stat(follow_symlinks=True)
            except OSError as exc:
                diagnostics.append(Diagnostic(rel, f"cannot read file: {exc.strerror}"))
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            if kind == "yaml":
                info.yaml_files.append(rel)
            files.append(FileEntry(entry.path, rel, kind, st.st_size, st.st_mtime_ns))
    files.sort(key=lambda f: f.path)
    return WalkResult(root, files, dirs, diagnostics)


def _ignored(path: str, is_dir: bool, ignores: tuple[tuple[str, pathspec.PathSpec], ...]) -> bool:
    for base, spec in ignores:
        rel = _rel(base, path)
        if spec.match_file(rel + "/" if is_dir else rel):
            return True
    return False
