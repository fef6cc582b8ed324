"""Auth: each role allowed and denied per endpoint family; keys, tokens, revocation."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlalchemy import select

from optimus.store import users
from optimus.store.db import Database
from optimus.store.models import AuditLog
from tests.api.conftest import SECRET, Portfolio, bearer

# (method, path, json body, the least role that may call it, status when allowed)
ENDPOINTS = [
    ("GET", "/api/v1/projects", None, "viewer", 200),
    ("GET", "/api/v1/projects/{billing}", None, "viewer", 200),
    ("GET", "/api/v1/projects/{billing}/history", None, "viewer", 200),
    ("GET", "/api/v1/analysis/{billing}/quality", None, "viewer", 200),
    ("GET", "/api/v1/findings", None, "viewer", 200),
    ("GET", "/api/v1/scans", None, "viewer", 200),
    ("GET", "/api/v1/system/metrics", None, "viewer", 200),
    ("GET", "/metrics", None, "viewer", 200),
    # No root is configured in these apps, so an allowed scan request stops at the path
    # check (403 path_not_allowed) rather than starting a scan.
    ("POST", "/api/v1/scans", {"path": "/srv/x"}, "operator", 403),
    ("POST", "/api/v1/projects/{billing}/scan", None, "operator", 403),
    ("POST", "/api/v1/findings/1/suppress", {"reason": "ok"}, "operator", 200),
    ("GET", "/api/v1/users", None, "admin", 200),
    ("POST", "/api/v1/users", {"name": "newcomer"}, "admin", 201),
    ("GET", "/api/v1/keys", None, "admin", 200),
    ("POST", "/api/v1/keys", {"user": "viewer", "name": "extra"}, "admin", 201),
    ("GET", "/api/v1/audit", None, "admin", 200),
]
RANK = {"viewer": 0, "operator": 1, "admin": 2}


def _call(client, method: str, path: str, body, headers=None):
    return client.request(method, path, json=body, headers=headers or {})


@pytest.mark.parametrize(("method", "path", "body", "least", "ok"), ENDPOINTS)
@pytest.mark.parametrize("role", ["viewer", "operator", "admin"])
def test_role_matrix(api, portfolio: Portfolio, keys, role, method, path, body, least, ok) -> None:
    client = api(auth=True)
    url = path.format(billing=portfolio.projects["billing"])
    response = _call(client, method, url, body, bearer(keys[role]))
    if RANK[role] >= RANK[least]:
        assert response.status_code == ok, response.text
        if ok == 403:
            assert response.json()["error"]["code"] == "path_not_allowed"
    else:
        assert response.status_code == 403, response.text
        error = response.json()["error"]
        assert error["code"] == "forbidden"
        assert f"needs the {least} role" in error["message"]


@pytest.mark.parametrize(("method", "path", "body", "least", "ok"), ENDPOINTS)
def test_no_credentials_is_401(api, portfolio: Portfolio, method, path, body, least, ok) -> None:
    url = path.format(billing=portfolio.projects["billing"])
    response = _call(api(auth=True), method, url, body)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthorized"


def test_health_is_open_and_says_auth_is_on(api, portfolio: Portfolio) -> None:
    response = api(auth=True).get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["auth"] is True


def test_auth_is_on_by_default_beyond_loopback(api) -> None:
    assert api(host="0.0.0.0").get("/api/v1/projects").status_code == 401
    assert api(host="127.0.0.1").get("/api/v1/projects").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer opt_AAAAAAAA_" + "b" * 43},
        {"Authorization": "Bearer opt_short"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not.a.token"},
        {"X-API-Key": ""},
        {"X-API-Key": "opt_AAAAAAAA_" + "b" * 43},
    ],
)
def test_bad_credentials_are_401(api, portfolio: Portfolio, keys, headers) -> None:
    response = api(auth=True).get("/api/v1/projects", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_x_api_key_header_works(api, portfolio: Portfolio, keys) -> None:
    response = api(auth=True).get("/api/v1/projects", headers={"X-API-Key": keys["viewer"]})
    assert response.status_code == 200


def test_token_exchange_and_use(api, portfolio: Portfolio, keys, database: Database) -> None:
    client = api(auth=True)
    issued = client.post("/api/v1/auth/token", headers=bearer(keys["operator"]))
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 900
    token = body["access_token"]
    assert not token.startswith("opt_")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], issuer="optimus")
    assert claims["name"] == "operator" and claims["role"] == "operator"
    assert client.get("/api/v1/scans", headers=bearer(token)).status_code == 200
    assert client.get("/api/v1/users", headers=bearer(token)).status_code == 403
    with database.session() as s:
        entry = s.scalar(select(AuditLog).where(AuditLog.action == "auth.token"))
        assert (entry.actor, entry.detail) == ("operator", {"via": "api-key"})


def test_token_by_password(api, portfolio: Portfolio, database: Database) -> None:
    with database.session() as s:
        users.create_user(s, "carol", "viewer", password="correct horse")
    client = api(auth=True)
    good = client.post("/api/v1/auth/token", json={"name": "carol", "password": "correct horse"})
    assert good.status_code == 200
    token = good.json()["access_token"]
    assert client.get("/api/v1/projects", headers=bearer(token)).status_code == 200
    for name, password in [("carol", "wrong password"), ("nobody", "correct horse")]:
        bad = client.post("/api/v1/auth/token", json={"name": name, "password": password})
        assert bad.status_code == 401
    assert client.post("/api/v1/auth/token").status_code == 401


def _token(claims: dict, secret: str = SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def test_expired_forged_and_foreign_tokens_are_refused(api, portfolio: Portfolio, keys) -> None:
    client = api(auth=True)
    now = datetime.now(UTC)
    base = {"iss": "optimus", "sub": "3", "iat": now, "exp": now + timedelta(minutes=5)}
    assert client.get("/api/v1/users", headers=bearer(_token(base))).status_code == 200
    expired = {**base, "iat": now - timedelta(hours=2), "exp": now - timedelta(hours=1)}
    response = client.get("/api/v1/users", headers=bearer(_token(expired)))
    assert response.status_code == 401 and "expired" in response.json()["error"]["message"]
    forged = _token(base, secret="another-secret-" + "y" * 40)
    assert client.get("/api/v1/users", headers=bearer(forged)).status_code == 401
    foreign = _token({**base, "iss": "someone-else"})
    assert client.get("/api/v1/users", headers=bearer(foreign)).status_code == 401
    no_exp = _token({k: v for k, v in base.items() if k != "exp"})
    assert client.get("/api/v1/users", headers=bearer(no_exp)).status_code == 401
    ghost = _token({**base, "sub": "999"})
    assert client.get("/api/v1/users", headers=bearer(ghost)).status_code == 401
    none_alg = jwt.encode(base, None, algorithm="none")
    assert client.get("/api/v1/users", headers=bearer(none_alg)).status_code == 401


def test_revoked_key_and_disabled_user_stop_at_once(api, portfolio: Portfolio, keys) -> None:
    client = api(auth=True)
    admin = bearer(keys["admin"])
    token = client.post("/api/v1/auth/token", headers=bearer(keys["viewer"])).json()
    token_headers = bearer(token["access_token"])
    listed = client.get("/api/v1/keys?user=viewer", headers=admin).json()
    assert client.delete(f"/api/v1/keys/{listed[0]['id']}", headers=admin).status_code == 200
    assert client.get("/api/v1/projects", headers=bearer(keys["viewer"])).status_code == 401
    # The token outlives the key, but not the user: disabling cuts it off.
    assert client.get("/api/v1/projects", headers=token_headers).status_code == 200
    viewer_id = next(
        u["id"] for u in client.get("/api/v1/users", headers=admin).json() if u["name"] == "viewer"
    )
    patched = client.patch(f"/api/v1/users/{viewer_id}", json={"disabled": True}, headers=admin)
    assert patched.status_code == 200 and patched.json()["disabled"] is True
    assert client.get("/api/v1/projects", headers=token_headers).status_code == 401


def test_role_change_applies_to_live_tokens(api, portfolio: Portfolio, keys) -> None:
    client = api(auth=True)
    admin = bearer(keys["admin"])
    token = client.post("/api/v1/auth/token", headers=bearer(keys["viewer"])).json()
    headers = bearer(token["access_token"])
    assert client.get("/api/v1/users", headers=headers).status_code == 403
    viewer_id = next(
        u["id"] for u in client.get("/api/v1/users", headers=admin).json() if u["name"] == "viewer"
    )
    client.patch(f"/api/v1/users/{viewer_id}", json={"role": "admin"}, headers=admin)
    assert client.get("/api/v1/users", headers=headers).status_code == 200


def test_repeated_failed_logins_are_throttled(api, database: Database) -> None:
    with database.session() as s:
        users.create_user(s, "dave", "viewer", password="right password")
    client = api(auth=True)
    for _ in range(10):
        wrong = client.post("/api/v1/auth/token", json={"name": "dave", "password": "nope"})
        assert wrong.status_code == 401
    # From now on even the right password waits: no more password checks for a while.
    blocked = client.post("/api/v1/auth/token", json={"name": "dave", "password": "right password"})
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(blocked.headers["Retry-After"]) <= 61
    # API keys are not throttled: they cost a hash, not a password check.
    with database.session() as s:
        key = users.create_api_key(s, "dave", "k")[1]
    assert client.post("/api/v1/auth/token", headers=bearer(key)).status_code == 200


def test_login_throttle_forgets_old_failures() -> None:
    from optimus.api.auth import LoginThrottle

    throttle = LoginThrottle(failures=2, window_s=0.2)
    throttle.failed("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") is None
    throttle.failed("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") is not None
    assert throttle.retry_after("10.0.0.2") is None
    time.sleep(0.25)
    assert throttle.retry_after("10.0.0.1") is None


class _Clock:
    """Stands in for a PrincipalCache's monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> _Clock:
    return _Clock()


def _revoke_outside_the_server(database: Database, user: str) -> None:
    # What `optimus apikey revoke` does from its own process.
    with database.session() as s:
        for key, _ in users.list_api_keys(s, user):
            users.revoke_api_key(s, key.id)


def test_a_change_made_outside_the_server_applies_within_the_auth_cache_ttl(
    api, portfolio: Portfolio, keys, database: Database, clock: _Clock
) -> None:
    client = api(auth=True, auth_cache_ttl_seconds=5.0)
    client.app.state.optimus.principals.clock = clock
    headers = bearer(keys["viewer"])
    assert client.get("/api/v1/scans", headers=headers).status_code == 200
    _revoke_outside_the_server(database, "viewer")
    clock.now += 4.9
    assert client.get("/api/v1/scans", headers=headers).status_code == 200
    clock.now += 0.2
    assert client.get("/api/v1/scans", headers=headers).status_code == 401


def test_an_auth_cache_ttl_of_zero_reads_the_key_on_every_request(
    api, portfolio: Portfolio, keys, database: Database
) -> None:
    client = api(auth=True, auth_cache_ttl_seconds=0)
    headers = bearer(keys["viewer"])
    assert client.get("/api/v1/projects", headers=headers).status_code == 200
    _revoke_outside_the_server(database, "viewer")
    # Not even the cached answer is sent: no caller is trusted without a check.
    assert client.get("/api/v1/projects", headers=headers).status_code == 401


def test_the_principal_cache_expires_and_refuses_outdated_checks(clock: _Clock) -> None:
    from optimus.api.auth import Principal, PrincipalCache

    cache = PrincipalCache(ttl_seconds=5.0, max_entries=2)
    cache.clock = clock
    ann = Principal("ann", "viewer", 1, "api-key")
    before = cache.generation
    cache.put("opt_a", ann, before)
    assert cache.get("opt_a") == ann and cache.get("opt_b") is None
    clock.now += 5.0
    assert cache.get("opt_a") is None
    # A check that read the database before a change cannot store its answer after it.
    cache.clear()
    cache.put("opt_a", ann, before)
    assert cache.get("opt_a") is None
    # Bounded: the least recently used goes first.
    for name in ("opt_a", "opt_b", "opt_c"):
        cache.put(name, ann, cache.generation)
    assert [cache.get(n) is not None for n in ("opt_a", "opt_b", "opt_c")] == [False, True, True]
    # Only digests are kept, never the credential itself.
    assert all(isinstance(k, bytes) and len(k) == 32 for k in cache._lru.entries)
    assert PrincipalCache(ttl_seconds=0).get("opt_a") is None


def test_a_token_is_not_trusted_past_its_expiry(clock: _Clock) -> None:
    from optimus.api.auth import Principal, PrincipalCache

    cache = PrincipalCache(ttl_seconds=5.0)
    cache.clock = clock
    bob = Principal("bob", "admin", 2, "token")
    cache.put("expired", bob, cache.generation, expires_at=time.time() - 1)
    assert cache.get("expired") is None
    cache.put("soon", bob, cache.generation, expires_at=time.time() + 2)
    clock.now += 1.9
    assert cache.get("soon") == bob
    clock.now += 0.2
    assert cache.get("soon") is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([(b"authorization", b"Bearer  opt_x ")], "opt_x"),
        ([(b"authorization", b"bearer tok.en")], "tok.en"),
        ([(b"x-api-key", b" opt_y")], "opt_y"),
        ([(b"host", b"h")], None),
        ([(b"authorization", b"Basic dXNlcg==")], None),
        ([(b"authorization", b"Bearer ")], None),
        ([(b"x-api-key", b"opt_y"), (b"x-api-key", b"opt_z")], "opt_y"),
        ([(b"x-api-key", b"opt_y"), (b"authorization", b"Bearer opt_x")], "opt_x"),
        ([(b"x-api-key", b" ")], None),
    ],
)
def test_the_credential_read_before_routing(headers, expected) -> None:
    from optimus.api.auth import header_credential

    assert header_credential(headers) == expected
