"""db-pool-config: server engines without pre-ping or recycle, and the engines that are fine."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from optimus.registry import get_rule
from optimus.rules.python.db_pool_config import find_engines
from optimus.testing.harness import assert_rule_matches

RULE = "db-pool-config"
FIXTURES = Path(__file__).parent / "db_pool_config"


def test_fixture_project() -> None:
    result = assert_rule_matches(str(FIXTURES / "service"), RULE)
    assert not [d for d in result.diagnostics if "internal error" in d.message]
    assert {f.path for f in result.findings} == {"app/db.py"}  # not env.py, not tests


def test_messages_name_the_database_and_both_remedies() -> None:
    result = assert_rule_matches(str(FIXTURES / "service"), RULE)
    by_line = {f.line: f.message for f in result.findings}
    assert "a PostgreSQL database" in by_line[12]
    assert "a MySQL database" in by_line[16]
    assert "a SQL Server database" in by_line[17]
    assert "a server database" in by_line[20]  # known only from pool_size
    assert "`sqlmodel_engine(...)`" in by_line[21]
    for message in by_line.values():
        assert "pool_pre_ping=True" in message and "pool_recycle" in message


def _kinds(code: str) -> list[str]:
    return [kind for _, kind in find_engines(ast.parse(code))]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("from sqlalchemy import create_engine\ncreate_engine('postgres://x')", ["postgres"]),
        ("import sqlalchemy as sa\nsa.create_engine('mariadb+mariadbconnector://x')", ["mariadb"]),
        (
            "import sqlalchemy\nsqlalchemy.create_engine('oracle+oracledb://x', pool_recycle=-1)",
            ["oracle"],
        ),
        (
            "from sqlalchemy import create_engine\ncreate_engine('postgresql://{}'.format(h))",
            ["postgresql"],
        ),
        (
            "from sqlalchemy import create_engine\ncreate_engine('postgresql://' + host)",
            ["postgresql"],
        ),
        ("from sqlalchemy import create_engine\ncreate_engine(url, max_overflow=5)", ["server"]),
        ("from sqlalchemy import create_engine\ncreate_engine('duckdb:///x.db')", []),
        ("from sqlalchemy import create_engine\ncreate_engine(url)", []),
        ("def create_engine(u): ...\ncreate_engine('postgresql://x')", []),
        (
            "from sqlalchemy import create_engine\nfrom sqlalchemy.pool import QueuePool\n"
            "create_engine('postgresql://x', poolclass=QueuePool)",
            ["postgresql"],
        ),
        (
            "from sqlalchemy import create_engine\n"
            "create_engine('postgresql://x', poolclass=StaticPool)",
            [],
        ),
        (
            "from sqlalchemy import create_engine\nURL = 'postgresql://a'\nURL = 'sqlite://'\n"
            "create_engine(URL)",
            [],  # two values: unknown
        ),
    ],
)
def test_url_and_option_reading(code: str, expected: list[str]) -> None:
    assert _kinds(code) == expected


def test_rule_metadata() -> None:
    rule = get_rule(RULE)
    assert rule is not None and rule.code == "PY005" and not rule.preview
    urls = {r.url for r in rule.references}
    assert "https://docs.sqlalchemy.org/en/20/core/pooling.html#dealing-with-disconnects" in urls
    assert "https://www.postgresql.org/docs/current/runtime-config-connection.html" in urls
