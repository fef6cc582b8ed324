"""Users over the API (admin): create, errors, role changes."""

from __future__ import annotations

from tests.api.conftest import bearer


def test_user_errors(api, keys) -> None:
    client = api(auth=True)
    admin = bearer(keys["admin"])
    taken = client.post("/api/v1/users", json={"name": "viewer"}, headers=admin)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "conflict"
    bad_name = client.post("/api/v1/users", json={"name": "no spaces"}, headers=admin)
    assert bad_name.status_code == 400 and "bad user name" in bad_name.json()["error"]["message"]
    bad_role = client.post("/api/v1/users", json={"name": "eve", "role": "root"}, headers=admin)
    assert bad_role.status_code == 422
    assert (
        client.patch("/api/v1/users/9999", json={"role": "admin"}, headers=admin).status_code == 404
    )
    assert client.post("/api/v1/keys", json={"user": "nobody"}, headers=admin).status_code == 404
