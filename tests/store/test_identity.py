"""Project identity: rescanning one stored project through its root keeps its fingerprints."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from optimus.analyze.engine import ScanOptions, scan
from optimus.store.db import Database
from optimus.store.identity import rescan_arguments
from optimus.store.models import Finding, Project
from optimus.store.record import record_scan
from optimus.store.scans import queue_scan
from tests.helpers import write_tree


def test_rescan_of_one_project_keeps_fingerprints_and_leaves_the_rest(
    database: Database, tmp_path: Path
) -> None:
    slow = "import time\n\n\nasync def h():\n    time.sleep(1)\n"
    work = write_tree(
        tmp_path / "work",
        {
            "pyproject.toml": "[project]\nname='root'\n\n[tool.optimus]\nexclude = ['**/gen/']\n",
            "apps/svc/pyproject.toml": "[project]\nname='svc'\n",
            "apps/svc/app.py": slow,
            "apps/svc/gen/made.py": slow,
            "apps/other/pyproject.toml": "[project]\nname='other'\n",
            "apps/other/app.py": slow,
        },
    )
    options = {"engines": False}
    record_scan(database, scan([str(work)], ScanOptions(use_cache=False, overrides=options)))
    with database.session() as s:
        svc = s.scalar(select(Project).where(Project.path == "apps/svc"))
        before = {(f.project_id, f.fingerprint, f.state) for f in s.scalars(select(Finding))}
        paths, overrides = rescan_arguments(svc)
        scan_id = queue_scan(s, svc.root, requested_by="api", project_id=svc.id).id
    assert paths == [str(work)]
    assert overrides["exclude"][-1] == "**/gen/"  # the root's own globs are kept
    result = scan(paths, ScanOptions(use_cache=False, overrides={**options, **overrides}))
    assert {f.project for f in result.findings} == {"apps/svc"}
    record_scan(database, result, scan_id=scan_id)
    with database.session() as s:
        after = {(f.project_id, f.fingerprint, f.state) for f in s.scalars(select(Finding))}
        assert after == before  # same rows, still open; the other projects untouched
        assert s.scalar(select(Project.last_scan_id).where(Project.id == svc.id)) == scan_id
        other = s.scalar(select(Project).where(Project.path == "apps/other"))
        assert other.last_scan_id != scan_id


def test_rescan_arguments_walk_down_to_the_project(tmp_path: Path) -> None:
    nested = Project(root=str(tmp_path), path="a/b/c", name="c")
    assert rescan_arguments(nested) == (
        [str(tmp_path)],
        {"exclude": ("/*", "!/a/", "/a/*", "!/a/b/", "/a/b/*", "!/a/b/c/")},
    )
    assert rescan_arguments(Project(root=str(tmp_path), path=".", name="x")) == (
        [str(tmp_path)],
        {},
    )
