"""db-pool-config fix: pool_pre_ping=True added in the call's own layout."""

from __future__ import annotations

from pathlib import Path

from tests.fix.codemods.conftest import changed_lines, check_fixed, findings_of, propose, write

DB = '''\
"""Database engines."""

from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine

URL = "postgresql+psycopg://app@db/app"

engine = create_engine(URL, pool_size=5)  # main pool
reporting = create_engine(
    "mysql+pymysql://app@db/reports",
    pool_size=2,
    max_overflow=0,
)
jobs = create_async_engine(
    "postgresql+asyncpg://app@db/jobs",
    echo=False
)
'''


def test_pre_ping_added_in_each_layout(tree: Path) -> None:
    texts = check_fixed(tree, "db-pool-config", {"app/db.py": DB}, expect_fixes=3)
    removed, added = changed_lines(DB, texts["app/db.py"])
    assert removed == [
        "engine = create_engine(URL, pool_size=5)  # main pool\n",
        "    echo=False\n",
    ]
    assert added == [
        "engine = create_engine(URL, pool_size=5, pool_pre_ping=True)  # main pool\n",
        "    pool_pre_ping=True,\n",
        "    echo=False,\n",
        "    pool_pre_ping=True\n",
    ]


def test_single_argument_and_crlf(tree: Path) -> None:
    text = 'import sqlalchemy as sa\r\n\r\nengine = sa.create_engine("postgresql://x/y")\r\n'
    texts = check_fixed(tree, "db-pool-config", {"db.py": text.encode()})
    assert texts["db.py"] == text.replace(
        '"postgresql://x/y")', '"postgresql://x/y", pool_pre_ping=True)'
    )


def test_kwargs_call_is_refused(tree: Path) -> None:
    write(
        tree,
        {
            "db.py": "from sqlalchemy import create_engine\n\n"
            'engine = create_engine("postgresql://x/y")\n'
        },
    )
    [finding] = findings_of(tree, "db-pool-config")
    write(
        tree,
        {
            "db.py": "from sqlalchemy import create_engine\n\n"
            'engine = create_engine("postgresql://x/y", **OPTIONS)\n'
        },
    )
    assert propose(tree, finding) is None
