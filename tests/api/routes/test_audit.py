"""GET /api/v1/audit: the writes, newest first, filtered; readable by admins only."""

from __future__ import annotations

from tests.api.conftest import Portfolio, bearer


def test_writes_show_in_the_audit_log(api, portfolio: Portfolio, keys) -> None:
    client = api(auth=True)
    operator, admin = bearer(keys["operator"]), bearer(keys["admin"])
    client.post("/api/v1/findings/1/suppress", json={"reason": "vendored"}, headers=operator)
    client.post("/api/v1/users", json={"name": "erin"}, headers=admin)
    page = client.get("/api/v1/audit", headers=admin).json()
    assert page["total"] == 2
    assert [(e["actor"], e["action"], e["target"]) for e in page["items"]] == [
        ("admin", "user.create", "user:erin"),
        ("operator", "finding.suppress", "finding:1"),
    ]
    assert page["items"][1]["detail"]["reason"] == "vendored"
    assert page["items"][1]["remote_addr"] == "testclient"
    only = client.get("/api/v1/audit?actor=operator&action=finding.suppress", headers=admin)
    assert only.json()["total"] == 1
    assert client.get("/api/v1/audit?target=user:nobody", headers=admin).json()["items"] == []
