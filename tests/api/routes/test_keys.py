"""API keys over the API (admin): the key shown once, never stored, always audited."""

from __future__ import annotations

from sqlalchemy import select

from optimus.store.db import Database
from optimus.store.models import ApiKey, AuditLog
from tests.api.conftest import bearer


def test_create_user_and_key_then_use_it(api, keys, database: Database) -> None:
    client = api(auth=True)
    admin = bearer(keys["admin"])
    made = client.post("/api/v1/users", json={"name": "dora", "role": "operator"}, headers=admin)
    assert made.status_code == 201 and made.json()["role"] == "operator"
    created = client.post("/api/v1/keys", json={"user": "dora", "name": "ci"}, headers=admin)
    assert created.status_code == 201, created.text
    body = created.json()
    plaintext = body["key"]
    assert plaintext.startswith(body["prefix"] + "_") and body["user"] == "dora"
    assert client.get("/api/v1/scans", headers=bearer(plaintext)).status_code == 200

    listed = client.get("/api/v1/keys", headers=admin).text
    assert plaintext not in listed and body["prefix"] in listed
    with database.session() as s:
        stored = s.get(ApiKey, body["id"])
        assert stored.key_hash != plaintext and plaintext not in stored.key_hash
        audit = s.scalars(select(AuditLog).order_by(AuditLog.id)).all()
        assert [a.action for a in audit] == ["user.create", "apikey.create"]
        assert all(plaintext not in repr(a.detail) for a in audit)
        assert audit[1].actor == "admin" and audit[1].target == f"apikey:{body['id']}"


def test_revoking_twice_is_a_conflict(api, keys) -> None:
    client = api(auth=True)
    admin = bearer(keys["admin"])
    key_id = client.get("/api/v1/keys?user=operator", headers=admin).json()[0]["id"]
    first = client.delete(f"/api/v1/keys/{key_id}", headers=admin)
    assert first.status_code == 200 and first.json()["revoked_at"]
    assert client.delete(f"/api/v1/keys/{key_id}", headers=admin).status_code == 409
    assert client.delete("/api/v1/keys/777", headers=admin).status_code == 404


def test_no_key_or_token_reaches_the_logs(api, keys, caplog) -> None:
    client = api(auth=True)
    with caplog.at_level("DEBUG"):
        created = client.post(
            "/api/v1/keys", json={"user": "viewer", "name": "ci"}, headers=bearer(keys["admin"])
        ).json()["key"]
        token = client.post("/api/v1/auth/token", headers=bearer(created)).json()["access_token"]
        client.get("/api/v1/projects", headers=bearer(token))
        client.get("/api/v1/projects", headers={"X-API-Key": created + "x"})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (created, token, keys["admin"]):
        assert secret not in logged


def test_last_use_is_recorded_for_live_keys_only(api, keys, database) -> None:
    from optimus.store.models import ApiKey

    client = api(auth=True)
    app_state = client.app.state.optimus
    for _ in range(3):
        client.get("/api/v1/projects", headers=bearer(keys["viewer"]))
    client.get("/api/v1/projects", headers=bearer("opt_AAAAAAAA_" + "c" * 43))
    with database.session() as s:
        used = {k.name: k.last_used_at for k in s.query(ApiKey)}
    assert used["viewer key"] is not None and used["admin key"] is None
    assert list(app_state.touches._at) == [keys["viewer"][:12]]
