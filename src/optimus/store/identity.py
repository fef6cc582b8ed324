"""Where stored projects are: roots, project paths, and how to rescan one project.

A project is identified by (absolute scan root, project path). Fingerprints come from paths
relative to the scan root (analyze/fingerprint.py), so a project keeps its findings' identity
only when it is scanned through the same root: :func:`rescan_arguments` gives the scan of
one project that walks its root and keeps only its folder.
"""

from __future__ import annotations

import os

from sqlalchemy.orm import Session

from optimus.model import ScanResult
from optimus.store.models import Project, Scan


def scan_root(result: ScanResult) -> str:
    """The absolute folder the result's paths are relative to."""
    root = os.path.abspath(result.root)
    return os.path.dirname(root) if os.path.isfile(root) else root


def name_of(root: str, path: str) -> str:
    """A project's name when the scan did not list it: its folder's name."""
    return os.path.basename(os.path.normpath(os.path.join(root, path))) or path


def base_root(session: Session, scan: Scan, root: str) -> str:
    """The root projects are recorded under: the scanned one, or that of the scan's project.

    A scan requested for one known project scans that project's folder; its projects are
    recorded under the project's own root, so they land on the rows they already have.
    """
    if scan.project_id is None:
        return root
    target = session.get(Project, scan.project_id)
    if target is None:
        return root
    inside = os.path.relpath(root, target.root)
    return target.root if not inside.startswith("..") else root


def target_path(session: Session, scan: Scan) -> str | None:
    """The path of the one project a scan was queued for, if any."""
    if scan.project_id is None:
        return None
    target = session.get(Project, scan.project_id)
    return target.path if target is not None else None


def rescan_arguments(project: Project) -> tuple[list[str], dict[str, object]]:
    """The paths and settings overrides that scan one stored project as it was first scanned.

    The scan walks the project's original root, with exclude globs that leave only the
    project's folder, so the findings carry the same paths, and therefore the same
    fingerprints, as in the portfolio scan that first recorded them; the root's own
    exclude globs are kept in front. Pass the result to ``optimus.analyze.engine.scan`` and
    record it with ``record_scan(scan_id=...)`` on a scan queued with ``project_id``.
    """
    from optimus.config import load_config

    if project.path in (".", ""):
        return [project.root], {}
    parts = project.path.strip("/").split("/")
    keep: list[str] = []
    for depth in range(len(parts)):
        prefix = "/".join(parts[:depth])
        inside = f"/{prefix}/" if prefix else "/"
        keep += [f"{inside}*", f"!{inside}{parts[depth]}/"]
    # The root's own globs come last: the last matching pattern decides, and "!/apps/svc/"
    # would otherwise re-include what they exclude inside the project.
    configured = load_config(project.root, project.root).exclude
    return [project.root], {"exclude": (*keep, *configured)}


def rebase(root: str, path: str, base: str) -> str:
    """``path`` (relative to ``root``) made relative to ``base``, /-separated."""
    if root == base:
        return path
    rel = os.path.relpath(os.path.normpath(os.path.join(root, path)), base)
    return rel.replace(os.sep, "/")


def local_path(project_path: str, path: str) -> str:
    """A finding's path relative to its project's folder."""
    if project_path in (".", ""):
        return path
    prefix = project_path.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else path
