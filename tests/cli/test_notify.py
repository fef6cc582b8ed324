"""Telling API servers of the CLI's changes through Redis: quiet without it, a warning when
Redis does not answer, never a failed command."""

from __future__ import annotations

import pytest

from optimus.cli.notify import tell_servers
from optimus.store import users
from optimus.store.db import Database
from tests.cli.storecli import run_cli, url_of


def test_without_redis_nothing_is_said(monkeypatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("OPTIMUS_REDIS_URL", raising=False)
    tell_servers("auth")
    assert capsys.readouterr().err == ""


def test_a_redis_that_does_not_answer_is_a_warning_not_a_failure(
    sqlite_db: Database, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite_db.session() as s:
        key, _ = users.create_api_key(s, users.create_user(s, "ann", "viewer"), "k")
        key_id = key.id
    monkeypatch.setenv("OPTIMUS_REDIS_URL", "redis://127.0.0.1:1/0")
    revoked = run_cli(capsys, "apikey", "revoke", str(key_id), "--database", url_of(sqlite_db))
    assert revoked.code == 0 and f"Revoked key {key_id}" in revoked.out
    assert "could not tell the API servers through OPTIMUS_REDIS_URL" in revoked.err
    assert "catch up when their cached entries expire" in revoked.err
    assert "redis://" not in revoked.err  # the URL may hold a password


def test_a_url_that_is_not_redis_is_a_warning(
    monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPTIMUS_REDIS_URL", "postgres://user:secret@db/x")
    tell_servers("answers")
    err = capsys.readouterr().err
    assert "could not tell the API servers" in err and "not a Redis URL" in err
    assert "secret" not in err
