"""Users, roles, API keys and the audit log.

An API key is ``opt_`` + 8 random characters (the prefix, stored and shown) + ``_`` + 43
random characters: 256 bits of secret. Only its SHA-256 is stored; a key that high in entropy
needs no slow hash, and SHA-256 lets a request be checked in microseconds. The plaintext is
returned once, by :func:`create_api_key`, and never written anywhere.

Passwords (optional, for the API's token login) are hashed with scrypt from the standard
library. Every function takes the caller's session and leaves committing to it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from optimus.errors import UsageError
from optimus.store.errors import Conflict, NotFound
from optimus.store.models import ROLES, ApiKey, AuditLog, User, utcnow

KEY_MARK = "opt_"
_PREFIX_CHARS = 8
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
_KEY = re.compile(r"^opt_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})$")
_KEY_ANYWHERE = re.compile(r"opt_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}")
_ALPHANUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_SECRET_WORDS = ("password", "secret", "token", "key", "authorization", "cookie")
# scrypt cost: n=2**14, r=8 takes ~50 ms and 16 MiB, the figure OWASP gives for interactive use.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def check_role(role: str) -> str:
    """The role, or a UsageError naming the roles there are."""
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return role


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise UsageError(
            f"bad user name {name!r}: 1-64 characters, letters, digits and _ . @ -, "
            "starting with a letter or digit"
        )
    return name


def get_user(session: Session, name: str) -> User:
    """The user called ``name``, or NotFound."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound(f"no user named {name!r} (see `optimus user list`)")
    return user


def create_user(
    session: Session, name: str, role: str = "viewer", password: str | None = None
) -> User:
    """Add a user; the name must be free."""
    _check_name(name)
    check_role(role)
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise Conflict(f"a user named {name!r} already exists")
    user = User(name=name, role=role, disabled=False, created_at=utcnow())
    if password is not None:
        user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    return user


def set_role(session: Session, name: str, role: str) -> User:
    """Change a user's role."""
    check_role(role)
    user = get_user(session, name)
    user.role = role
    session.flush()
    return user


def disable_user(session: Session, name: str) -> User:
    """Disable a user: their keys and passwords stop working; the history keeps their name."""
    user = get_user(session, name)
    user.disabled = True
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.scalars(select(User).order_by(User.name)))


def hash_password(password: str) -> str:
    """A salted scrypt hash, self-describing: ``scrypt$n$r$p$salt$hash``."""
    if len(password) < 8:
        raise UsageError("password too short: use at least 8 characters")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "$".join(
        [
            "scrypt",
            str(_SCRYPT["n"]),
            str(_SCRYPT["r"]),
            str(_SCRYPT["p"]),
            base64.b64encode(salt).decode(),
            base64.b64encode(digest).decode(),
        ]
    )


def verify_password(user: User, password: str) -> bool:
    """True when ``password`` matches and the user is enabled (constant-time compare)."""
    if user.disabled or not user.password_hash:
        return False
    try:
        scheme, n, r, p, salt, digest = user.password_hash.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return scheme == "scrypt" and hmac.compare_digest(actual, expected)


def set_password(session: Session, name: str, password: str) -> User:
    """Set (or replace) a user's password."""
    user = get_user(session, name)
    user.password_hash = hash_password(password)
    session.flush()
    return user


def key_hash(plaintext: str) -> str:
    """The stored form of a key: its SHA-256, hex."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_api_key(session: Session, user: User | str, name: str = "default") -> tuple[ApiKey, str]:
    """A new key for ``user``: the stored row and the plaintext, which is shown only once."""
    owner = get_user(session, user) if isinstance(user, str) else user
    if owner.disabled:
        raise Conflict(f"user {owner.name!r} is disabled: enable or recreate it first")
    if not name.strip() or len(name) > 255:
        raise UsageError("key name must be 1-255 characters")
    prefix = KEY_MARK + "".join(secrets.choice(_ALPHANUM) for _ in range(_PREFIX_CHARS))
    plaintext = f"{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        user_id=owner.id,
        name=name,
        prefix=prefix,
        key_hash=key_hash(plaintext),
        created_at=utcnow(),
    )
    session.add(key)
    session.flush()
    return key, plaintext


def verify_api_key(
    session: Session, plaintext: str, *, touch: bool = True, now: datetime | None = None
) -> User | None:
    """The enabled user a live key belongs to, else None.

    The key is looked up by its prefix and its hash compared in constant time, so timing tells
    nothing about how much of a guess was right. ``touch`` records ``last_used_at``.
    """
    match = _KEY.match(plaintext.strip())
    if match is None:
        return None
    prefix = KEY_MARK + match.group(1)
    wanted = key_hash(plaintext.strip())
    found: ApiKey | None = None
    for candidate in session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)):
        if hmac.compare_digest(candidate.key_hash, wanted):
            found = candidate
    if found is None or found.revoked_at is not None:
        return None
    user = session.get(User, found.user_id)
    if user is None or user.disabled:
        return None
    if touch:
        found.last_used_at = now or utcnow()
        session.flush()
    return user


def revoke_api_key(session: Session, key_id: int) -> ApiKey:
    """Revoke a key for good; revoking twice is an error that says when it was revoked."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"no API key with id {key_id} (see `optimus apikey list`)")
    if key.revoked_at is not None:
        raise Conflict(f"API key {key_id} was already revoked at {key.revoked_at:%Y-%m-%d %H:%M}")
    key.revoked_at = utcnow()
    session.flush()
    return key


def list_api_keys(session: Session, user: str | None = None) -> list[tuple[ApiKey, User]]:
    """Keys with their owners, newest first; only ``user``'s when given."""
    query = select(ApiKey, User).join(User, ApiKey.user_id == User.id)
    if user is not None:
        query = query.where(User.name == get_user(session, user).name)
    rows = session.execute(query.order_by(ApiKey.created_at.desc(), ApiKey.id.desc()))
    return [(key, owner) for key, owner in rows]


def scrub(detail: Any) -> Any:
    """A copy of ``detail`` with the values of secret-sounding keys replaced by ``***``."""
    if isinstance(detail, Mapping):
        return {
            str(k): "***" if any(w in str(k).lower() for w in _SECRET_WORDS) else scrub(v)
            for k, v in detail.items()
        }
    if isinstance(detail, list | tuple):
        return [scrub(v) for v in detail]
    if isinstance(detail, str):
        return _KEY_ANYWHERE.sub("opt_***", detail)
    return detail


def audit(
    session: Session,
    actor: str,
    action: str,
    target: str | None = None,
    detail: Mapping[str, Any] | None = None,
    remote_addr: str | None = None,
) -> AuditLog:
    """Record one write: who (``actor``), what (``action`` on ``target``), from where."""
    entry = AuditLog(
        at=utcnow(),
        actor=actor[:255],
        action=action[:64],
        target=target,
        detail=scrub(dict(detail)) if detail is not None else None,
        remote_addr=remote_addr[:64] if remote_addr else None,
    )
    session.add(entry)
    session.flush()
    return entry
