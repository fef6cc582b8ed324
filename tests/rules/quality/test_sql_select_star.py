"""sql-select-star: Python strings and .sql files, with sqlfluff-AM04-like negatives."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.model import ScanResult
from optimus.registry import get_rule
from optimus.rules.quality.sql_select_star import find_in_sql, looks_like_query
from optimus.testing.harness import assert_rule_matches

RULE = "sql-select-star"
FIXTURE = Path(__file__).parent / "sql_select_star" / "app"


def assert_no_duplicates(result: ScanResult) -> None:
    """The harness compares sets: check that no place is reported twice."""
    places = [(f.path, f.line, f.message) for f in result.findings]
    assert len(places) == len(set(places)), places


def test_fixture_project() -> None:
    result = assert_rule_matches(str(FIXTURE), RULE)
    assert_no_duplicates(result)
    by_path = {(f.path, f.line): f.message for f in result.findings}
    msg = by_path["db/queries/report.sql", 2]
    assert "`invoices`" in msg and "list the columns" in msg
    joined = next(
        m for (p, _), m in by_path.items() if p == "db/queries/report.sql" and "customers" in m
    )
    assert "`invoices`, `customers`" in joined
    assert {f.severity.value for f in result.findings} == {"low"}


@pytest.mark.parametrize(
    ("sql", "stars"),
    [
        ("SELECT * FROM users", 1),
        ("select distinct * from t", 1),
        ("SELECT TOP 10 * FROM dbo.t", 1),
        ("SELECT id FROM a UNION ALL SELECT * FROM b", 1),
        ("SELECT u.*, o.id FROM users u JOIN orders o ON o.user_id = u.id", 1),
        ("WITH a AS (SELECT * FROM users) SELECT * FROM a", 1),
        ("SELECT count(*) FROM t", 0),
        ("SELECT 1 WHERE EXISTS (SELECT * FROM t)", 0),
        ("SELECT a * b FROM t", 0),
        ("WITH a AS (SELECT id FROM users) SELECT * FROM a", 0),
        ("WITH a (x, y) AS (SELECT * FROM users) SELECT * FROM a", 0),
        ("SELECT * FROM generate_series(1, 3)", 0),
        ("SELECT * FROM pg_catalog.pg_tables", 0),
        ("SELECT '*', x FROM t -- SELECT * FROM y", 0),
        ("INSERT INTO t SELECT * FROM s", 0),
        ("SELECT * FROM alembic_version", 0),
        ("SELECT * FROM public.schema_migrations ORDER BY version", 0),
        ('SELECT * FROM "__diesel_schema_migrations"', 0),
        ("SELECT * FROM flyway_schema_history", 0),
        ("SELECT * FROM alembic_versions", 1),
    ],
)
def test_outermost_wildcards(sql: str, stars: int) -> None:
    assert len(list(find_in_sql(sql))) == stars


def test_looks_like_query() -> None:
    assert looks_like_query("  SELECT id FROM t")
    assert looks_like_query("WITH x AS (SELECT 1) SELECT * FROM x")
    assert not looks_like_query("With regards from the team")
    assert not looks_like_query("SELECT an option")


def test_metadata() -> None:
    r = get_rule(RULE)
    assert r is not None and r.code == "MT003" and r.preview
    assert all(r.doc.get(s) for s in ("What it finds", "Why", "Example", "Instead", "When not to"))
