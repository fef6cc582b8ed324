"""The served queries use the indexes on PostgreSQL (EXPLAIN on a loaded table, not a guess).

20,000 findings over 1,000 projects, analyzed; each query the API runs for one project's
findings, a rule's findings and their counts must reach the findings table by an index.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import Select, insert, text
from sqlalchemy.orm import Session

from optimus.store.db import Database
from optimus.store.models import Finding, Project
from optimus.store.queries.findings import FindingFilter, list_findings
from optimus.store.queries.paging import count

PROJECTS, PER_PROJECT = 1000, 20


@pytest.fixture
def loaded(postgres_db: Database) -> Database:
    now = datetime.now(UTC)
    rules = ["unwrap-density", "large-file", "http-no-timeout", "docker-root-user"]
    with postgres_db.engine.begin() as conn:
        conn.execute(
            insert(Project),
            [
                {
                    "id": i,
                    "root": "/r",
                    "path": f"p{i}",
                    "name": f"p{i}",
                    "open_findings": 0,
                    "first_seen": now,
                    "last_seen": now,
                }
                for i in range(1, PROJECTS + 1)
            ],
        )
        conn.execute(
            insert(Finding),
            [
                {
                    "project_id": n % PROJECTS + 1,
                    "fingerprint": f"{n:x}",
                    "rule": rules[n % len(rules)],
                    "code": "X",
                    "category": "reliability",
                    "severity": "medium",
                    "confidence": "high",
                    "message": "m",
                    "path": "a.py",
                    "state": "open",
                    "first_seen": now,
                    "last_seen": now,
                }
                for n in range(PROJECTS * PER_PROJECT)
            ],
        )
    with postgres_db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    return postgres_db


def plan(session: Session, query: Select, params: dict | None = None) -> dict:
    if params:
        query = query.params(params)
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    raw = session.execute(text(f"EXPLAIN (FORMAT JSON) {compiled}")).scalar_one()
    return (raw if isinstance(raw, list) else json.loads(raw))[0]["Plan"]


def all_nodes(node: dict) -> list[dict]:
    nodes, stack = [], [node]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("Plans", []))
    return nodes


def plan_nodes(session: Session, query: Select, params: dict | None = None) -> list[dict]:
    return [
        n for n in all_nodes(plan(session, query, params)) if n.get("Relation Name") == "findings"
    ]


def assert_indexed(session: Session, query: Select, params: dict | None = None) -> None:
    scans = plan_nodes(session, query, params)
    assert scans, "the plan does not read the findings table"
    kinds = {n["Node Type"] for n in scans}
    assert kinds <= {"Index Scan", "Index Only Scan", "Bitmap Heap Scan"}, kinds


def _captured(session: Session, filters: FindingFilter, **kw) -> list[tuple[Select, dict]]:
    seen: list[tuple[Select, dict]] = []
    real_execute, real_scalars, real_scalar = session.execute, session.scalars, session.scalar

    def spy(real):
        def call(statement, params=None, *a, **k):
            seen.append((statement, params or {}))
            return real(statement, params, *a, **k)

        return call

    session.execute, session.scalars, session.scalar = (
        spy(real_execute),
        spy(real_scalars),
        spy(real_scalar),
    )
    try:
        list_findings(session, filters, **kw)
    finally:
        session.execute, session.scalars, session.scalar = real_execute, real_scalars, real_scalar
    return seen


@pytest.mark.parametrize(
    ("filters", "sort"),
    [
        (FindingFilter(project_id=17), "id"),
        (FindingFilter(project_id=17, state=("open",), severity=("high",)), "severity"),
        (FindingFilter(project_id=17, rule=("large-file",)), "id"),
    ],
)
def test_a_projects_findings_page_and_total_use_an_index(
    loaded: Database, filters: FindingFilter, sort: str
) -> None:
    with loaded.session() as session:
        statements = _captured(session, filters, sort=sort, limit=50)
        assert len(statements) == 1  # the page, its total a subquery of the same statement
        for statement, params in statements:
            assert_indexed(session, statement, params)
            # Both the page and the total read findings, and both by an index.
            assert len(plan_nodes(session, statement, params)) == 2


def test_past_the_last_page_the_total_is_counted_apart_by_an_index(loaded: Database) -> None:
    with loaded.session() as session:
        statements = _captured(session, FindingFilter(project_id=17), offset=500, limit=50)
        assert len(statements) == 2  # the empty page, then the count
        for statement, params in statements:
            assert_indexed(session, statement, params)


@pytest.mark.parametrize("sort", ["id", "-id"])
def test_a_projects_page_in_id_order_needs_no_sort(loaded: Database, sort: str) -> None:
    # The (project_id, id) index hands the rows over in order: the page stops at its limit
    # instead of reading and sorting every finding of the project.
    with loaded.session() as session:
        ((statement, params),) = _captured(
            session, FindingFilter(project_id=17), sort=sort, limit=5
        )
        nodes = all_nodes(plan(session, statement, params))
        assert not [n for n in nodes if n["Node Type"] == "Sort"], nodes
        page = [n for n in nodes if n.get("Relation Name") == "findings" and "Sort" not in n]
        assert any(n.get("Index Name") == "ix_findings_project_id_id" for n in page), page


def test_the_count_helper_keeps_the_filter(loaded: Database) -> None:
    from sqlalchemy import select

    with loaded.session() as session:
        query = select(Finding).where(Finding.project_id == 3)
        assert count(session, query) == PER_PROJECT
        assert_indexed(session, query)


@pytest.mark.parametrize("sort", ["id", "-id"])
def test_on_sqlite_a_projects_page_comes_in_order_from_the_index(
    sqlite_db: Database, sort: str
) -> None:
    with sqlite_db.session() as session:
        ((statement, params),) = _captured(session, FindingFilter(project_id=3), sort=sort)
        compiled = statement.params(params).compile(
            session.get_bind(), compile_kwargs={"literal_binds": True}
        )
        steps = [row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
    assert any("ix_findings_project_id_id" in step for step in steps), steps
    assert not any("TEMP B-TREE" in step for step in steps), steps  # no sort
