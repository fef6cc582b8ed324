"""``optimus user``: create, list, set-role, set-password, disable; errors exit 2."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from optimus.store import users
from optimus.store.db import Database
from optimus.store.models import AuditLog
from tests.cli.storecli import run_cli, url_of


def test_user_lifecycle(database: Database, capsys: pytest.CaptureFixture[str]) -> None:
    url = url_of(database)
    made = run_cli(capsys, "user", "create", "alice", "--role", "admin", "--database", url)
    assert made.code == 0, made.err
    assert "Created user alice (admin)" in made.out
    assert run_cli(capsys, "user", "create", "bob", "--database", url).code == 0
    moved = run_cli(capsys, "user", "set-role", "bob", "operator", "--database", url)
    assert moved.out.strip() == "bob: viewer -> operator"
    assert run_cli(capsys, "user", "disable", "alice", "--database", url).code == 0
    listed = run_cli(capsys, "user", "list", "--json", "--database", url)
    rows = {row["name"]: row for row in json.loads(listed.out)}
    assert (rows["alice"]["role"], rows["alice"]["disabled"]) == ("admin", True)
    assert (rows["bob"]["role"], rows["bob"]["disabled"]) == ("operator", False)
    table = run_cli(capsys, "user", "list", "--database", url)
    assert "alice" in table.out and "disabled" in table.out
    with database.session() as s:
        actions = [e.action for e in s.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert actions == ["user.create", "user.create", "user.set_role", "user.disable"]


def test_password_is_prompted_and_hashed(
    database: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = url_of(database)
    monkeypatch.setattr("typer.prompt", lambda *a, **k: "long enough secret")
    made = run_cli(capsys, "user", "create", "carol", "--password", "--database", url)
    assert made.code == 0, made.err
    assert "long enough secret" not in made.out + made.err
    with database.session() as s:
        carol = users.get_user(s, "carol")
        assert users.verify_password(carol, "long enough secret")
        entry = s.scalar(select(AuditLog))
        assert "long enough secret" not in json.dumps(entry.detail)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("user", "create", "dave", "--role", "root"), "unknown role 'root'"),
        (("user", "set-role", "nobody", "admin"), "no user named 'nobody'"),
        (("user", "disable", "nobody"), "no user named 'nobody'"),
        (("user", "create", "bad name"), "bad user name"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    ran = run_cli(capsys, *args, "--database", url_of(sqlite_db))
    assert ran.code == 2
    assert message in ran.err
    assert "Traceback" not in ran.err


def test_duplicate_user_exits_2(sqlite_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    url = url_of(sqlite_db)
    assert run_cli(capsys, "user", "create", "erin", "--database", url).code == 0
    again = run_cli(capsys, "user", "create", "erin", "--database", url)
    assert again.code == 2
    assert "already exists" in again.err
