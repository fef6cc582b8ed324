"""Measure recording scans into the history database, and EXPLAIN the served queries.

    python bench/store_bench.py                                   # SQLite in a temp folder
    python bench/store_bench.py --database postgresql://postgres@127.0.0.1/scratch --explain

Builds a synthetic portfolio (default 1,000 projects x 100 findings = 100,000 findings),
then times ``record_scan`` three times: the first scan (every finding new), the same scan
again (every finding seen again) and a scan where 10% of the findings were fixed and as many
are new. With ``--explain`` (PostgreSQL) it runs ANALYZE and prints the plans of the queries
the API and ``optimus history`` serve, to check that the indexes are used. The database must
be empty or disposable: the schema is dropped and recreated.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from optimus.model import (
    Category,
    Confidence,
    Finding,
    LanguageStats,
    Project,
    ScanResult,
    ScanStats,
    Severity,
    Stack,
)
from optimus.store.db import Database, redact
from optimus.store.record import record_scan

RULES = [
    ("unwrap-density", Category.RELIABILITY, Severity.MEDIUM, True),
    ("blocking-call-in-async", Category.PERFORMANCE, Severity.HIGH, False),
    ("large-file", Category.MAINTAINABILITY, Severity.LOW, True),
    ("docker-no-healthcheck", Category.RELIABILITY, Severity.LOW, False),
    ("n-plus-one-query", Category.PERFORMANCE, Severity.HIGH, False),
    ("unpinned-dependency", Category.DEPENDENCIES, Severity.MEDIUM, False),
    ("hardcoded-secret", Category.SECURITY, Severity.CRITICAL, False),
    ("ci-no-timeout", Category.COST, Severity.INFO, False),
]

QUERIES = {
    "projects by score (list page)": (
        "SELECT * FROM projects ORDER BY score ASC NULLS LAST, id LIMIT 50"
    ),
    "one project's open high findings": (
        "SELECT * FROM findings WHERE project_id = :pid AND state = 'open' "
        "AND severity IN ('critical', 'high') ORDER BY id LIMIT 51"
    ),
    "one project's findings of a rule": (
        "SELECT * FROM findings WHERE project_id = :pid AND rule = 'unwrap-density' "
        "ORDER BY id LIMIT 51"
    ),
    "one project's findings page with its total (the API's one statement)": (
        "SELECT id, rule, severity, state, message, path, line, first_seen, "
        "(SELECT count(*) FROM findings WHERE project_id = :pid) AS total "
        "FROM findings WHERE project_id = :pid ORDER BY id LIMIT 51"
    ),
    "one project's findings page (count)": (
        "SELECT count(*) FROM findings WHERE project_id = :pid AND state = 'open'"
    ),
    "findings of a rule, portfolio-wide": (
        "SELECT * FROM findings WHERE rule = 'hardcoded-secret' AND state = 'open' "
        "ORDER BY id LIMIT 51"
    ),
    "findings, first page of the whole list": "SELECT * FROM findings ORDER BY id LIMIT 51",
    "latest metrics of a project": (
        "SELECT * FROM project_metrics WHERE project_id = :pid ORDER BY scan_id DESC LIMIT 1"
    ),
    "queued and running scans": (
        "SELECT * FROM scans WHERE status IN ('queued', 'running') ORDER BY requested_at, id"
    ),
    "a project's trend (optimus history)": (
        "SELECT m.*, s.finished_at FROM project_metrics m JOIN scans s ON s.id = m.scan_id "
        "WHERE m.project_id = :pid ORDER BY m.scan_id DESC LIMIT 20"
    ),
}


def portfolio(projects: int, per_project: int, seed: int, churn: float = 0.0) -> ScanResult:
    """A synthetic scan: ``projects`` projects with ``per_project`` findings each.

    ``churn`` replaces that share of each project's findings with new ones (fixed + new).
    """
    rng = random.Random(seed)
    found: list[Finding] = []
    projs: list[Project] = []
    for p in range(projects):
        path = f"team{p % 20}/svc{p:04d}"
        stack = Stack(languages={"Python": LanguageStats(files=120, lines=15_000)})
        projs.append(Project(path=path, name=f"svc{p:04d}", stack=stack))
        for i in range(per_project):
            generation = 1 if rng.random() < churn else 0
            rule, category, severity, counted = RULES[i % len(RULES)]
            found.append(
                Finding(
                    rule=rule,
                    code="X001",
                    category=category,
                    severity=severity,
                    confidence=Confidence.HIGH,
                    message=f"{rule} in module {i}",
                    path=f"{path}/pkg/mod{i}.py",
                    line=i + 1,
                    end_line=i + 1,
                    project=path,
                    fingerprint=f"{p:05d}{i:05d}{generation:06d}",
                    count=rng.randint(1, 40) if counted else None,
                )
            )
    stats = ScanStats(files=projects * 120, lines=projects * 15_000, seconds=1.0)
    return ScanResult("/bench/portfolio", projs, found, [], stats)


def timed(label: str, action) -> float:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    print(f"  {label:<44} {seconds:8.2f} s")
    return seconds


def explain(db: Database) -> None:
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
        pid = connection.execute(text("SELECT id FROM projects ORDER BY id LIMIT 1 OFFSET 500"))
        project_id = pid.scalar_one()
        for label, sql in QUERIES.items():
            print(f"\n-- {label}\n   {sql}")
            plan = connection.execute(
                text(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING ON) {sql}"), {"pid": project_id}
            )
            for (line,) in plan:
                print(f"   {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="URL (default: SQLite in a temporary folder)")
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--findings", type=int, default=100, help="per project")
    parser.add_argument("--explain", action="store_true", help="print query plans")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="optimus-store-bench-")
    db = Database(args.database or f"sqlite:///{Path(folder) / 'bench.db'}")
    print(f"database: {redact(db.url)}")
    print(f"portfolio: {args.projects} projects x {args.findings} findings")
    db.downgrade("base")
    db.upgrade()
    first = portfolio(args.projects, args.findings, seed=1)
    churned = portfolio(args.projects, args.findings, seed=1, churn=0.10)
    times = [
        timed("record first scan (all new)", lambda: record_scan(db, first)),
        timed("record the same scan again (all seen)", lambda: record_scan(db, first)),
        timed("record a scan with 10% fixed, 10% new", lambda: record_scan(db, churned)),
    ]
    total = args.projects * args.findings
    print(f"  findings per second (median run): {total / statistics.median(times):,.0f}")
    if args.explain:
        if db.backend != "postgresql":
            print("--explain needs PostgreSQL", file=sys.stderr)
            return 2
        explain(db)
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
