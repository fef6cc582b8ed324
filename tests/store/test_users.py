"""Users, roles, API keys (hashed, shown once, revocable) and the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from optimus.errors import UsageError
from optimus.store import users
from optimus.store.db import Database
from optimus.store.errors import Conflict, NotFound
from optimus.store.models import ApiKey, AuditLog


def test_create_list_set_role_disable(database: Database) -> None:
    with database.session() as s:
        users.create_user(s, "bob", "viewer")
        users.create_user(s, "alice", "admin")
    with database.session() as s:
        assert [(u.name, u.role) for u in users.list_users(s)] == [
            ("alice", "admin"),
            ("bob", "viewer"),
        ]
        assert users.set_role(s, "bob", "operator").role == "operator"
        assert users.disable_user(s, "alice").disabled is True
    with database.session() as s:
        assert users.get_user(s, "bob").role == "operator"
        assert users.get_user(s, "alice").disabled


def test_user_errors_are_clear(database: Database) -> None:
    with database.session() as s:
        users.create_user(s, "bob")
        with pytest.raises(Conflict, match="already exists"):
            users.create_user(s, "bob")
        with pytest.raises(UsageError, match="unknown role 'root'"):
            users.create_user(s, "carol", "root")
        with pytest.raises(UsageError, match="bad user name"):
            users.create_user(s, "has space")
        with pytest.raises(NotFound, match="optimus user list"):
            users.set_role(s, "nobody", "admin")


def test_api_key_round_trip(database: Database) -> None:
    with database.session() as s:
        user = users.create_user(s, "bot", "operator")
        key, plaintext = users.create_api_key(s, user, "ci")
        key_id = key.id
    assert plaintext.startswith("opt_")
    assert plaintext.startswith(key.prefix + "_")
    assert len(plaintext) == 4 + 8 + 1 + 43
    with database.session() as s:
        found = users.verify_api_key(s, plaintext)
        assert found is not None and found.name == "bot"
        assert s.get(ApiKey, key_id).last_used_at is not None
        # One character off, a key of the right shape that was never issued, garbage.
        wrong = plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")
        assert users.verify_api_key(s, wrong) is None
        assert users.verify_api_key(s, key.prefix + "_" + "x" * 43) is None
        assert users.verify_api_key(s, "Bearer nonsense") is None
        assert users.verify_api_key(s, "") is None


def test_revoked_keys_and_disabled_users_are_refused(database: Database) -> None:
    with database.session() as s:
        users.create_user(s, "bot", "operator")
        users.create_user(s, "gone", "viewer")
        key, kept = users.create_api_key(s, "bot", "one")
        _, other = users.create_api_key(s, "bot", "two")
        _, disabled = users.create_api_key(s, "gone")
        key_id = key.id
    with database.session() as s:
        users.revoke_api_key(s, key_id)
        users.disable_user(s, "gone")
    with database.session() as s:
        assert users.verify_api_key(s, kept) is None
        assert users.verify_api_key(s, other) is not None
        assert users.verify_api_key(s, disabled) is None
        with pytest.raises(Conflict, match="already revoked"):
            users.revoke_api_key(s, key_id)
        with pytest.raises(NotFound):
            users.revoke_api_key(s, 9999)
        with pytest.raises(Conflict, match="disabled"):
            users.create_api_key(s, "gone")
        listed = users.list_api_keys(s, "bot")
        assert [k.name for k, _ in listed] == ["two", "one"]
        assert [k.revoked_at is not None for k, _ in listed] == [False, True]


def test_plaintext_key_is_never_stored(sqlite_db: Database, tmp_path: Path) -> None:
    with sqlite_db.session() as s:
        user = users.create_user(s, "bot", "admin")
        _, plaintext = users.create_api_key(s, user, "ci")
        users.audit(s, "cli", "apikey.create", "bot", {"key": plaintext, "note": plaintext})
    with sqlite_db.session() as s:
        stored = s.scalar(select(ApiKey))
        assert stored.key_hash == users.key_hash(plaintext)
        assert plaintext not in stored.key_hash
    sqlite_db.dispose()  # checkpoint the WAL into the file before reading its bytes
    secret_part = plaintext.split("_", 2)[2].encode()
    for path in tmp_path.glob("history.db*"):
        assert secret_part not in path.read_bytes(), path.name


def test_passwords_are_salted_scrypt(database: Database) -> None:
    with database.session() as s:
        user = users.create_user(s, "alice", "admin", password="correct horse")
        other = users.create_user(s, "bob", "admin", password="correct horse")
        assert user.password_hash.startswith("scrypt$")
        assert user.password_hash != other.password_hash
        assert "correct horse" not in user.password_hash
        assert users.verify_password(user, "correct horse")
        assert not users.verify_password(user, "wrong horse")
        with pytest.raises(UsageError, match="too short"):
            users.set_password(s, "alice", "short")
        users.disable_user(s, "alice")
        assert not users.verify_password(user, "correct horse")


def test_audit_records_who_what_where_and_scrubs_secrets(database: Database) -> None:
    with database.session() as s:
        users.audit(
            s,
            "alice",
            "finding.suppress",
            "finding:7",
            {"reason": "vendored", "password": "hunter22", "nested": {"api_key": "x"}},
            "10.0.0.5",
        )
    with database.session() as s:
        entry = s.scalar(select(AuditLog))
        assert (entry.actor, entry.action, entry.target, entry.remote_addr) == (
            "alice",
            "finding.suppress",
            "finding:7",
            "10.0.0.5",
        )
        assert entry.detail == {
            "reason": "vendored",
            "password": "***",
            "nested": {"api_key": "***"},
        }
        assert entry.at.tzinfo is not None
