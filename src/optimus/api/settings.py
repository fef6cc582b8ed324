"""What the API server runs with: database, scan roots, address, auth, secrets, cache.

``ApiSettings`` is plain data; ``ApiSettings.from_env`` fills what the caller left out from
``OPTIMUS_*`` variables. Nothing here connects anywhere. The JWT secret comes from
``OPTIMUS_JWT_SECRET`` or is generated once and kept (mode 0600) in the user data dir, so
tokens survive a restart without the secret ever being printed.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from optimus.api.cache import DEFAULT_PREFIX
from optimus.errors import ConfigError

JWT_SECRET_ENV = "OPTIMUS_JWT_SECRET"
REDIS_URL_ENV = "OPTIMUS_REDIS_URL"
DATABASE_URL_ENV = "OPTIMUS_DATABASE_URL"
_MIN_SECRET_BYTES = 32


def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        # A name other than localhost may resolve to anything: treat it as public.
        return False


def _data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("optimus"))


def load_jwt_secret(data_dir: Path | None = None) -> str:
    """The signing secret: the environment's, else the persisted one, else a new persisted one."""
    from_env = os.environ.get(JWT_SECRET_ENV)
    if from_env is not None:
        if len(from_env.encode()) < _MIN_SECRET_BYTES:
            raise ConfigError(
                JWT_SECRET_ENV,
                None,
                f"too short: use at least {_MIN_SECRET_BYTES} random bytes, for example "
                '`python -c "import secrets; print(secrets.token_urlsafe(48))"`',
            )
        return from_env
    folder = data_dir or _data_dir()
    path = folder / "jwt-secret"
    try:
        text = path.read_text(encoding="ascii").strip()
        if len(text) >= _MIN_SECRET_BYTES:
            return text
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise ConfigError(str(path), None, f"cannot read the JWT secret: {exc.strerror}") from None
    value = secrets.token_urlsafe(48)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # Created 0600 in one step so the secret is never readable by others, even briefly.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(value + "\n")
    except OSError as exc:
        raise ConfigError(
            str(path), None, f"cannot store the JWT secret: {exc.strerror}; set {JWT_SECRET_ENV}"
        ) from None
    return value


def normalize_roots(roots: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Resolve the configured scan roots; refuse a root that would open the whole machine."""
    resolved: list[str] = []
    for given in roots:
        if not given or "\x00" in given:
            raise ConfigError("--root", None, f"not a usable path: {given!r}")
        real = os.path.realpath(os.path.expanduser(given))
        if real == os.path.realpath(os.sep):
            raise ConfigError("--root", None, "`/` cannot be a scan root: name a projects folder")
        if not os.path.isdir(real):
            raise ConfigError("--root", None, f"{given}: not a directory")
        if real not in resolved:
            resolved.append(real)
    return tuple(resolved)


@dataclass(frozen=True)
class ApiSettings:
    """Everything ``create_app`` needs. ``auth=None`` means: on unless bound to loopback."""

    database_url: str | None = None
    roots: tuple[str, ...] = ()
    host: str = "127.0.0.1"
    port: int = 8000
    auth: bool | None = None
    jwt_secret: str | None = None
    redis_url: str | None = None
    scan_workers: int = 2
    token_ttl_seconds: int = 900
    cache_ttl_seconds: float = 30.0
    auth_cache_ttl_seconds: float = 5.0
    migrate: bool = True
    cache_prefix: str = DEFAULT_PREFIX

    @property
    def auth_enabled(self) -> bool:
        """Whether requests must carry a key or token."""
        return self.auth if self.auth is not None else not is_loopback(self.host)

    @classmethod
    def from_env(cls, **values: object) -> ApiSettings:
        """Settings from keyword values, completed from the environment and the data dir."""
        settings = cls(**values)  # type: ignore[arg-type]
        updates: dict[str, object] = {}
        if settings.database_url is None and os.environ.get(DATABASE_URL_ENV):
            updates["database_url"] = os.environ[DATABASE_URL_ENV]
        if settings.redis_url is None and os.environ.get(REDIS_URL_ENV):
            updates["redis_url"] = os.environ[REDIS_URL_ENV]
        if settings.jwt_secret is None:
            updates["jwt_secret"] = load_jwt_secret()
        updates["roots"] = normalize_roots(settings.roots)
        return replace(settings, **updates)

    def check(self) -> None:
        """Refuse combinations that would expose the API without auth."""
        if self.auth is False and not is_loopback(self.host):
            raise ConfigError(
                "--no-auth",
                None,
                f"refused when binding to {self.host}: anyone who can reach it could scan and "
                "change data. Bind to 127.0.0.1, or keep auth on and create a key with "
                "`optimus apikey create`",
            )
        if self.scan_workers < 1:
            raise ConfigError("--scan-workers", None, "must be at least 1")
        if not 0 <= self.auth_cache_ttl_seconds <= 300:
            raise ConfigError(
                "--auth-cache-ttl", None, "must be 0 to 300 seconds (0: check every request)"
            )
        if not 1 <= self.port <= 65535:
            raise ConfigError("--port", None, f"{self.port} is not a TCP port (1-65535)")
