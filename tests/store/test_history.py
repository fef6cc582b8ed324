"""Trends: rows per scan in order, top rules, deltas of counts, project lookup."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.model import Severity
from optimus.store.db import Database
from optimus.store.errors import NotFound
from optimus.store.history import find_projects, histories, project_history
from optimus.store.record import record_scan
from tests.store.factories import finding, result


def _unwraps(n: int, files: int = 2) -> list:
    """unwrap-density findings whose counts add up to ``n``."""
    share = [n // files + (1 if i < n % files else 0) for i in range(files)]
    return [
        finding(f"{i:016x}", path=f"src/m{i}.rs", line=None, count=c) for i, c in enumerate(share)
    ]


def test_trend_rows_and_count_rule_deltas(database: Database, tmp_path: Path) -> None:
    root = str(tmp_path)
    high = finding("f" * 16, rule="blocking-call-in-async", severity=Severity.HIGH)
    record_scan(database, result(root, [*_unwraps(226), high]))
    record_scan(database, result(root, [*_unwraps(180), high]))
    record_scan(database, result(root, _unwraps(140)))
    with database.session() as s:
        [item] = histories(s, "svc")
    assert [r.findings for r in item.rows] == [3, 3, 2]
    assert [r.by_severity for r in item.rows] == [
        {"medium": 2, "high": 1},
        {"medium": 2, "high": 1},
        {"medium": 2},
    ]
    assert item.rows[0].top_rules[0] == ("unwrap-density", 226)
    assert [str(d) for d in item.deltas] == [
        f"unwrap-density 226 -> 140 since {item.rows[0].at:%Y-%m-%d}",
        f"blocking-call-in-async 1 -> 0 since {item.rows[0].at:%Y-%m-%d}",
    ]
    assert item.score_change == item.rows[-1].score - item.rows[0].score
    assert item.score_change > 0  # fewer findings, better score
    doc = item.to_dict()
    assert doc["scans"][0]["by_severity"] == {
        "critical": 0,
        "high": 1,
        "medium": 2,
        "low": 0,
        "info": 0,
    }
    assert doc["deltas"][0] == {
        "rule": "unwrap-density",
        "first": 226,
        "latest": 140,
        "change": -86,
        "since": item.rows[0].at.isoformat(),
    }


def test_limit_keeps_the_latest_scans(database: Database, tmp_path: Path) -> None:
    root = str(tmp_path)
    ids = [record_scan(database, result(root, _unwraps(n))) for n in (10, 20, 30, 40)]
    with database.session() as s:
        [project] = find_projects(s, "svc")
        item = project_history(s, project, limit=2)
    assert [r.scan_id for r in item.rows] == ids[2:]
    assert [(d.first, d.latest) for d in item.deltas] == [(30, 40)]


def test_single_scan_has_no_deltas(database: Database, tmp_path: Path) -> None:
    record_scan(database, result(str(tmp_path), _unwraps(5)))
    with database.session() as s:
        [item] = histories(s)
    assert len(item.rows) == 1
    assert item.deltas == [] and item.score_change is None


def test_projects_found_by_name_path_id_or_folder(database: Database, tmp_path: Path) -> None:
    root = str(tmp_path)
    record_scan(database, result(root, [], ("svc", "apps/web")))
    with database.session() as s:
        web = find_projects(s, "apps/web")[0]
        assert find_projects(s, "web")[0].id == web.id
        assert find_projects(s, str(web.id))[0].id == web.id
        assert find_projects(s, str(tmp_path / "apps" / "web"))[0].id == web.id
        assert [p.path for p in find_projects(s, None)] == ["svc", "apps/web"]
        with pytest.raises(NotFound, match="optimus scan --save"):
            find_projects(s, "missing")


def test_same_name_under_two_roots_gives_two_histories(database: Database, tmp_path: Path) -> None:
    record_scan(database, result(str(tmp_path / "a"), []))
    record_scan(database, result(str(tmp_path / "b"), []))
    with database.session() as s:
        assert sorted(h.root for h in histories(s, "svc")) == [
            str(tmp_path / "a"),
            str(tmp_path / "b"),
        ]


def test_limit_applies_per_project_when_listing_all(database: Database, tmp_path: Path) -> None:
    root = str(tmp_path)
    for n in (3, 2, 1):
        found = [finding(f"{i:016x}", project="web") for i in range(n)]
        record_scan(database, result(root, [*_unwraps(n * 10), *found], ("svc", "web")))
    with database.session() as s:
        items = {h.name: h for h in histories(s, None, limit=2)}
    assert [r.findings for r in items["svc"].rows] == [2, 2]
    assert [r.findings for r in items["web"].rows] == [2, 1]
    assert [(d.rule, d.first, d.latest) for d in items["svc"].deltas] == [
        ("unwrap-density", 20, 10)
    ]
