"""``optimus apikey``: a key printed once, listed by prefix, revoked; never stored in clear."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from optimus.store import users
from optimus.store.db import Database
from tests.cli.storecli import run_cli, url_of


def test_create_list_revoke(database: Database, capsys: pytest.CaptureFixture[str]) -> None:
    url = url_of(database)
    assert run_cli(capsys, "user", "create", "ci-bot", "--role", "operator", "--database", url)
    made = run_cli(
        capsys, "apikey", "create", "--user", "ci-bot", "--name", "ci", "--database", url
    )
    assert made.code == 0, made.err
    plaintext = made.out.strip()
    assert plaintext.startswith("opt_")
    assert "only time it is shown" in made.err
    with database.session() as s:
        assert users.verify_api_key(s, plaintext).name == "ci-bot"

    listed = json.loads(run_cli(capsys, "apikey", "list", "--json", "--database", url).out)
    [row] = listed
    assert (row["user"], row["name"], row["revoked_at"]) == ("ci-bot", "ci", None)
    assert plaintext.startswith(row["prefix"])
    assert plaintext not in json.dumps(listed)
    table = run_cli(capsys, "apikey", "list", "--database", url)
    assert row["prefix"] in table.out and plaintext not in table.out

    revoked = run_cli(capsys, "apikey", "revoke", str(row["id"]), "--database", url)
    assert revoked.code == 0 and f"Revoked key {row['id']}" in revoked.out
    with database.session() as s:
        assert users.verify_api_key(s, plaintext) is None
    again = run_cli(capsys, "apikey", "revoke", str(row["id"]), "--database", url)
    assert again.code == 2 and "already revoked" in again.err


def test_key_never_reaches_the_database_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    run_cli(capsys, "user", "create", "bot", "--database", url)
    plaintext = run_cli(capsys, "apikey", "create", "--user", "bot", "--database", url).out.strip()
    assert plaintext.startswith("opt_")
    Database(url).dispose()
    secret = plaintext.split("_", 2)[2].encode()
    files = list(tmp_path.glob("keys.db*"))
    assert files
    for path in files:
        assert secret not in path.read_bytes(), path.name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("apikey", "create", "--user", "ghost"), "no user named 'ghost'"),
        (("apikey", "revoke", "41"), "no API key with id 41"),
        (("apikey", "list", "--user", "ghost"), "no user named 'ghost'"),
    ],
)
def test_bad_input_exits_2(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    ran = run_cli(capsys, *args, "--database", url_of(sqlite_db))
    assert (ran.code, message in ran.err) == (2, True), ran.err


def test_revoke_needs_a_number(sqlite_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    ran = run_cli(capsys, "apikey", "revoke", "abc", "--database", url_of(sqlite_db))
    assert ran.code == 2
    assert "Invalid value for 'key_id'" in ran.err
