"""Who is asking and what they may do: API keys, short-lived JWTs, and the role ladder.

Credentials come as ``Authorization: Bearer <credential>`` or ``X-API-Key: <key>``. A bearer
credential that starts with ``opt_`` is an API key (checked against its stored hash); any
other bearer credential must be a token this server signed (HS256) and that has not expired.
Either way the user is read from the database, and what it gave is trusted for a few seconds
(``PrincipalCache``, ``--auth-cache-ttl``): a change made through this server (a key revoked,
a user disabled, a role changed) applies at once, one made elsewhere (the CLI, another worker
process) at once where they share Redis (it is published there) and otherwise within those
seconds; a token is never trusted past its expiry.

Roles form a ladder: viewer (read) < operator (scan, suppress) < admin (keys, users).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from fastapi import Request
from sqlalchemy.orm import Session

from optimus.api.errors import ApiError
from optimus.api.lru import ExpiringLru
from optimus.store import users
from optimus.store.models import ROLES, User

ISSUER = "optimus"
_ALGORITHM = "HS256"
_KEY_MARK = users.KEY_MARK
# last_used_at is written at most this often per key, so reads do not turn into writes.
_TOUCH_EVERY_S = 60.0


def role_rank(role: str) -> int:
    """viewer=0, operator=1, admin=2."""
    return ROLES.index(role)


@dataclass(frozen=True)
class Principal:
    """The caller: a user (through a key or token), or anyone when auth is off."""

    name: str
    role: str
    user_id: int | None
    via: str

    def allows(self, role: str) -> bool:
        """Whether this caller's role is at least ``role``."""
        return role_rank(self.role) >= role_rank(role)


ANONYMOUS = Principal(name="anonymous", role="admin", user_id=None, via="no-auth")


def unauthorized(message: str) -> ApiError:
    """A 401 that names the scheme to use."""
    return ApiError(401, message, headers={"WWW-Authenticate": 'Bearer realm="optimus"'})


def _read_credential(headers: list[tuple[bytes, bytes]]) -> tuple[str, str] | str | None:
    # (kind, value); a message when a header is malformed; None without one. Authorization
    # wins over X-API-Key, and the first of repeated headers counts, as for request.headers.
    found: dict[bytes, str] = {}
    for name, raw in headers:
        if name in (b"authorization", b"x-api-key") and name not in found:
            found[name] = raw.decode("latin-1")
    header = found.get(b"authorization")
    if header:
        scheme, _, value = header.strip().partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value:
            return "the Authorization header must be `Bearer <API key or token>`"
        return ("key" if value.startswith(_KEY_MARK) else "token", value)
    key = found.get(b"x-api-key")
    if key is not None:
        if not key.strip():
            return "the X-API-Key header is empty"
        return ("key", key.strip())
    return None


def credential(request: Request) -> tuple[str, str] | None:
    """``("key", value)`` or ``("token", value)`` from the request headers, or None; 401
    when a header is malformed."""
    read = _read_credential(request.scope["headers"])
    if isinstance(read, str):
        raise unauthorized(read)
    return read


def header_credential(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The key or token in raw ASGI headers, or None where there is none or it is malformed
    (for the answer sent before routing: the app then explains the 401)."""
    read = _read_credential(headers)
    return read[1] if isinstance(read, tuple) else None


class PrincipalCache:
    """Callers whose key or token was checked lately, for ``ttl_seconds``.

    Checking a credential reads the database (its key or its user), which cost most of a
    request's CPU under load. Entries are keyed by the SHA-256 of the credential, so no
    plaintext is kept; only credentials that passed are kept, so a guess always goes to the
    database. ``clear()`` (after a change to users or keys) drops every entry and bumps a
    generation, so a check that read the database before the change cannot store its
    outdated answer after it.
    """

    def __init__(self, ttl_seconds: float = 5.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.clock = time.monotonic
        self._lru: ExpiringLru[Principal] = ExpiringLru(max_entries, lambda: self.clock())

    @property
    def generation(self) -> int:
        """The generation a ``put`` must name to be kept now."""
        return self._lru.generation

    @staticmethod
    def _key(value: str) -> bytes:
        return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()

    def get(self, value: str) -> Principal | None:
        """The caller this credential was checked as, while that check is fresh."""
        if self.ttl <= 0:
            return None
        return self._lru.get(self._key(value))

    def put(
        self, value: str, principal: Principal, generation: int, expires_at: float | None = None
    ) -> None:
        """Remember a check made at ``generation``; ``expires_at`` (epoch seconds) caps it."""
        if self.ttl <= 0:
            return
        lifetime = self.ttl
        if expires_at is not None:
            lifetime = min(lifetime, expires_at - time.time())
        if lifetime > 0:
            self._lru.put(self._key(value), principal, lifetime, generation)

    def clear(self) -> None:
        """Forget every check: users or keys changed."""
        self._lru.clear()


class KeyTouches:
    """Remembers when each key's last use was written, so it is written once a minute."""

    def __init__(self) -> None:
        self._at: dict[str, float] = {}
        self._lock = threading.Lock()

    def due(self, plaintext: str) -> bool:
        prefix = plaintext[: len(_KEY_MARK) + 8]
        now = time.monotonic()
        with self._lock:
            if now - self._at.get(prefix, -_TOUCH_EVERY_S) < _TOUCH_EVERY_S:
                return False
            self._at[prefix] = now
            return True


class LoginThrottle:
    """Refuses password logins from an address after repeated failures, for a while.

    A password check costs tens of milliseconds of scrypt on purpose; without a limit, anyone
    who can reach the server could spend its CPU (and guess passwords) as fast as they like.
    """

    def __init__(self, failures: int = 10, window_s: float = 60.0) -> None:
        self.failures = failures
        self.window_s = window_s
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._seen.setdefault(address, deque())
        while times and now - times[0] > self.window_s:
            times.popleft()
        return times

    def retry_after(self, address: str) -> int | None:
        """Seconds to wait when ``address`` has failed too often, else None."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(address, now)
            if len(times) < self.failures:
                return None
            return max(1, int(self.window_s - (now - times[0])) + 1)

    def failed(self, address: str) -> None:
        """Count one failed login from ``address``."""
        now = time.monotonic()
        with self._lock:
            self._recent(address, now).append(now)
            if len(self._seen) > 10_000:
                # Bounded memory: forget addresses whose failures have all expired.
                for key in [k for k, v in self._seen.items() if not self._recent(k, now)]:
                    del self._seen[key]


def user_from_key(session: Session, plaintext: str, touches: KeyTouches) -> User:
    """The user a live API key belongs to, or 401."""
    user = users.verify_api_key(session, plaintext, touch=False)
    if user is None:
        raise unauthorized("invalid, revoked or disabled API key")
    # Only live keys are remembered (invalid ones would grow the table without bound); the
    # second check, about once a minute per key, is the one that writes last_used_at.
    if touches.due(plaintext):
        users.verify_api_key(session, plaintext, touch=True)
    return user


def issue_token(user: User, secret: str, ttl_seconds: int) -> dict[str, object]:
    """A signed, short-lived access token for ``user``."""
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "sub": str(user.id),
        "name": user.name,
        "role": user.role,
        "iat": now,
        "exp": now + timedelta(seconds=ttl_seconds),
    }
    return {
        "access_token": jwt.encode(claims, secret, algorithm=_ALGORITHM),
        "token_type": "bearer",
        "expires_in": ttl_seconds,
    }


def user_from_token(session: Session, token: str, secret: str) -> tuple[User, float]:
    """The enabled user a valid token names and when the token expires (epoch), or 401."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
        user_id = int(claims["sub"])
        expires_at = float(claims["exp"])
    except jwt.ExpiredSignatureError:
        raise unauthorized("token expired: ask for a new one at POST /api/v1/auth/token") from None
    except (jwt.InvalidTokenError, ValueError, TypeError):
        raise unauthorized("invalid token") from None
    user = session.get(User, user_id)
    if user is None or user.disabled:
        raise unauthorized("the token's user no longer exists or is disabled")
    return user, expires_at


def principal_of(user: User, via: str) -> Principal:
    """The caller as the routes see it."""
    return Principal(name=user.name, role=user.role, user_id=user.id, via=via)
