"""Project boundaries: which folders are projects, and which project owns each file.

A folder is a project when it is a VCS root or holds a manifest (pyproject.toml, Cargo.toml,
package.json, go.mod, ...). Cargo and npm/yarn/pnpm workspace members belong to their
workspace's project. A Dockerfile alone, a Helm chart or a folder of Kubernetes manifests
make a project only where no enclosing project claims them. Nested projects are separate.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from typing import Any

from optimus.discover.walk import STRONG_MARKERS, DirInfo, FileEntry, WalkResult
from optimus.parse.kinds import CODE_KINDS, is_dockerfile_name

_K8S_HINT = re.compile(rb"^\s*apiVersion:\s*\S+", re.MULTILINE)
_K8S_KIND = re.compile(rb"^\s*kind:\s*\S+", re.MULTILINE)


def _parent(path: str) -> str | None:
    if path == ".":
        return None
    head = path.rsplit("/", 1)[0] if "/" in path else "."
    return head


def _is_strong(info: DirInfo) -> bool:
    if info.has_vcs or info.names & STRONG_MARKERS:
        return True
    if info.path.rsplit("/", 1)[-1] in ("docs", "doc"):
        return False  # docs/requirements.txt pins the docs build, not a project
    return any(fnmatch.fnmatch(n, "requirements*.txt") for n in info.names)


def _is_weak(info: DirInfo, root: str) -> bool:
    if "Chart.yaml" in info.names:
        return True
    if any(is_dockerfile_name(n) for n in info.names):
        return True
    return _has_k8s_manifests(info, root)


def _has_k8s_manifests(info: DirInfo, root: str) -> bool:
    for rel in info.yaml_files[:20]:
        try:
            with open(os.path.join(root, rel), "rb") as fh:
                head = fh.read(64 * 1024)
        except OSError:
            continue
        if _K8S_HINT.search(head) and _K8S_KIND.search(head):
            return True
    return False


def _read_manifest(folder: str, name: str) -> dict[str, Any]:
    """A folder's TOML or JSON manifest as a table; {} when it is unreadable or not a table."""
    import tomllib  # here, not at the top: a replayed scan never reads a manifest

    is_json = name.endswith(".json")
    # TOML: decode errors only, as before (tomllib's other ValueErrors still propagate).
    errors = (
        (OSError, ValueError) if is_json else (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError)
    )
    try:
        with open(os.path.join(folder, name), "rb") as fh:
            data = json.load(fh) if is_json else tomllib.load(fh)
    except errors:
        return {}
    return data if isinstance(data, dict) else {}


def _lookup(table: Any, *keys: str) -> Any:
    """``table[k1][k2]...``, or None where a level is missing or not a table."""
    for key in keys:
        table = table.get(key) if isinstance(table, dict) else None
    return table


def _workspace_members(root: str, info: DirInfo) -> tuple[list[str] | None, bool]:
    """Member globs of a Cargo, uv or npm/yarn/pnpm workspace rooted here (None when there is
    none), and whether Cargo.toml declares a workspace (each manifest is read once)."""
    folder = os.path.join(root, info.path)
    cargo = uv = npm = None
    if "Cargo.toml" in info.names:
        cargo = _lookup(_read_manifest(folder, "Cargo.toml"), "workspace")
    if "pyproject.toml" in info.names:
        uv = _lookup(_read_manifest(folder, "pyproject.toml"), "tool", "uv", "workspace")
    if "package.json" in info.names:
        npm = _lookup(_read_manifest(folder, "package.json"), "workspaces")
        if isinstance(npm, dict):
            npm = npm.get("packages")
    patterns: list[str] = []
    found = False
    for ws in (cargo, uv):
        if isinstance(ws, dict):
            found = True
            patterns += [m for m in ws.get("members", []) if isinstance(m, str)]
    if isinstance(npm, list):
        found = True
        patterns += [m for m in npm if isinstance(m, str)]
    if "pnpm-workspace.yaml" in info.names:
        found = True
        try:
            with open(os.path.join(folder, "pnpm-workspace.yaml"), encoding="utf-8") as fh:
                patterns += re.findall(r"^\s*-\s*['\"]?([^'\"\n]+)", fh.read(), re.MULTILINE)
        except OSError:
            pass
    return (patterns if found else None), isinstance(cargo, dict)


def find_projects(walked: WalkResult) -> dict[str, list[str]]:
    """Project roots (root-relative paths) mapped to their workspace members."""
    root = walked.root
    projects: dict[str, list[str]] = {}
    workspaces: dict[str, list[str]] = {}
    cargo_workspaces: set[str] = set()
    for path in sorted(walked.dirs, key=lambda p: (p.count("/") if p != "." else -1, p)):
        info = walked.dirs[path]
        enclosing = owner_of(path, projects)
        ws_root = owner_of(path, workspaces)
        # Cargo makes every path-dependency crate inside a workspace folder a member.
        cargo_member = ws_root in cargo_workspaces and "Cargo.toml" in info.names
        if (
            ws_root is not None
            and (cargo_member or _matches_member(path, ws_root, workspaces[ws_root]))
            and not info.has_vcs
            and info.names & {"Cargo.toml", "package.json", "pyproject.toml"}
        ):
            projects[ws_root].append(path)
            continue
        if _is_strong(info) or (enclosing is None and _is_weak(info, root)):
            projects[path] = []
            members, cargo = _workspace_members(root, info)
            if members is not None:
                workspaces[path] = members
                if cargo:
                    cargo_workspaces.add(path)
    if "." not in projects and any(
        f.kind in CODE_KINDS and owner_of(f.path, projects) is None for f in walked.files
    ):
        projects["."] = []  # loose code under the root is scanned as the root's project
    return projects


def _matches_member(path: str, ws_root: str, patterns: list[str]) -> bool:
    parts = (path if ws_root == "." else path[len(ws_root) + 1 :]).split("/")
    for pattern in patterns:
        segments = pattern.strip("/").removeprefix("./").split("/")
        if len(segments) == len(parts) and all(
            fnmatch.fnmatchcase(a, b) for a, b in zip(parts, segments, strict=True)
        ):
            return True
    return False


def owner_of(path: str, projects: dict[str, list[str]]) -> str | None:
    """The project that owns a root-relative file (or folder) path: the nearest enclosing one."""
    current = _parent(path)
    while current is not None:
        if current in projects:
            return current
        current = _parent(current)
    return None


def assign_files(
    files: list[FileEntry], projects: dict[str, list[str]]
) -> dict[str, list[FileEntry]]:
    """Group files by the project that owns them; files outside every project are dropped."""
    owned: dict[str, list[FileEntry]] = {p: [] for p in projects}
    for entry in files:
        owner = owner_of(entry.path, projects)
        if owner is not None:
            owned[owner].append(entry)
    return owned
