"""``optimus db``: current, downgrade to empty, upgrade back."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect

from optimus.store.db import Database
from tests.cli.storecli import run_cli, url_of


def test_current_downgrade_upgrade(postgres_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = Database(postgres_url)
    url = url_of(db)
    before = json.loads(run_cli(capsys, "db", "current", "--json", "--database", url).out)
    assert before["current"] is None and before["head"]
    assert "127.0.0.1" in before["database"]
    up = run_cli(capsys, "db", "upgrade", "--database", url)
    assert up.code == 0 and f"at revision {before['head']}" in up.out
    assert "up to date" in run_cli(capsys, "db", "current", "--database", url).out
    down = run_cli(capsys, "db", "downgrade", "base", "--yes", "--database", url)
    assert down.code == 0 and "base (empty)" in down.out
    assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
    db.dispose()


def test_unknown_revision_exits_2(sqlite_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    ran = run_cli(capsys, "db", "upgrade", "nope", "--database", url_of(sqlite_db))
    assert ran.code == 2
    assert "migration failed" in ran.err


def test_downgrade_to_base_asks_first(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("n\n"))
    ran = run_cli(capsys, "db", "downgrade", "base", "--database", url_of(sqlite_db))
    assert ran.code == 1  # aborted
    assert sqlite_db.current() == sqlite_db.head()
