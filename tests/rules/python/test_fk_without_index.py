"""fk-without-index: SQLAlchemy, SQLModel, Django, Alembic and SQL fixtures, plus parsing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from optimus.model import ScanResult
from optimus.registry import get_rule
from optimus.rules.python import fk_without_index
from optimus.rules.python._fk_python import read_python
from optimus.rules.python._fk_sql import is_down_migration, is_sql_migration, read_sql
from optimus.testing.harness import assert_rule_matches, scan_fixture

RULE = "fk-without-index"
FIXTURES = Path(__file__).parent / "fk_without_index"
PROJECTS = ["sqlalchemy_app", "django_app", "alembic_app", "sql_app", "sql_migrations_app"]


def assert_no_duplicates(result: ScanResult) -> None:
    """The harness compares sets: check that no place is reported twice."""
    places = [(f.path, f.line, f.message) for f in result.findings]
    assert len(places) == len(set(places)), places


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_projects(project: str) -> None:
    result = assert_rule_matches(str(FIXTURES / project), RULE)
    assert bool(result.findings) == (project != "alembic_app")
    assert_no_duplicates(result)


def test_alembic_migrations_are_read_but_not_reported() -> None:
    versions = FIXTURES / "alembic_app" / "migrations" / "versions"
    found = {}
    for path in sorted(versions.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        marked = {
            n for n, line in enumerate(text.splitlines(), start=1) if "read, not reported" in line
        }
        schema = read_python(ast.parse(text))
        found[path.name] = ({fk.line for fk in schema.unindexed()}, marked)
    for name, (lines, marked) in found.items():
        assert lines == marked, name
    assert sum(len(m) for _, m in found.values()) == 4


def test_sql_migration_histories_are_not_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Diesel, sqlx, Flyway, golang-migrate, db/migrate and goose files are history; only the
    schema files are reported. With migrations reported, the up files do fire (so the skip,
    not the parser, clears them), and down files still never do."""
    project = FIXTURES / "sql_migrations_app"
    quiet = {f.path for f in assert_rule_matches(str(project), RULE).findings}
    assert quiet == {"db/schema.sql", "db/init.sql"}
    monkeypatch.setattr(fk_without_index, "REPORT_MIGRATIONS", True)
    result = scan_fixture(str(project), [RULE])
    loud = {f.path for f in result.findings}
    assert loud == quiet | {
        "migrations/2022-09-08-102358_site_languages/up.sql",
        "migrations/20230101000000_sqlx_init.sql",
        "src/main/resources/db/migration/V1__init.sql",
        "db/sql/000001_votes.up.sql",
        "db/migrate/20240101_tags.sql",
        "goose/00002_follows.sql",
    }


@pytest.mark.parametrize(
    ("path", "migration", "down"),
    [
        ("migrations/2019-02-26-002946_create_user/up.sql", True, False),
        ("migrations/2019-02-26-002946_create_user/down.sql", True, True),
        ("db/000001_init.down.sql", True, True),
        ("sql/V1_2__init.sql", True, False),
        ("sql/U3__undo.sql", True, True),
        ("migrations/20230101_init.sql", True, False),
        ("prisma/migrations/20241009_init/migration.sql", True, False),
        ("db/migrate/20240101_tags.sql", True, False),
        ("db/schema.sql", False, False),
        ("init.sql", False, False),
        ("db/structure.sql", False, False),
        ("sql/0001_init.sql", False, False),
    ],
)
def test_migration_paths(path: str, migration: bool, down: bool) -> None:
    assert is_sql_migration(path) is migration
    assert is_down_migration(path) is down


def _messages(project: str) -> dict[tuple[str, int | None], str]:
    result = assert_rule_matches(str(FIXTURES / project), RULE)
    return {(f.path, f.line): f.message for f in result.findings}


def test_messages_per_source() -> None:
    orm = _messages("sqlalchemy_app")
    book = next(m for m in orm.values() if "`Book.author_id`" in m)
    assert "`author`" in book and "index=True" in book and "PostgreSQL" in book
    django = _messages("django_app")
    assert any("`Book.editor`" in m and "db_index=False" in m for m in django.values())
    sql = _messages("sql_app")
    assert any("CREATE INDEX ON book (author_id)" in m for m in sql.values())
    assert any(
        '`"Loan"."memberId"`' in m and 'CREATE INDEX ON "Loan" ("memberId")' in m
        for m in sql.values()
    )


def test_sql_reader() -> None:
    schema = read_sql(
        "CREATE TABLE a (id int PRIMARY KEY, b_id int REFERENCES b);\n"
        "CREATE TABLE c (x int, y int, PRIMARY KEY (x, y), FOREIGN KEY (y) REFERENCES d (id));\n"
        "CREATE UNIQUE INDEX ON a (b_id);"
    )
    assert ("a", "b_id") in schema.leading and ("c", "x") in schema.leading
    assert [(fk.table, fk.columns) for fk in schema.unindexed()] == [("c", ("y",))]
    assert schema.unindexed()[0].line == 2


def test_metadata() -> None:
    r = get_rule(RULE)
    assert r is not None and r.code == "PY011" and not r.preview
    assert "code" in r.kinds and "python" in r.kinds
