"""Server settings: loopback detection, the JWT secret, scan roots, refused combinations."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from optimus.api.settings import ApiSettings, is_loopback, load_jwt_secret, normalize_roots
from optimus.errors import ConfigError


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.4", False),
        ("example.org", False),
    ],
)
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert ApiSettings(host=host).auth_enabled is not loopback


def test_auth_can_be_forced_on_for_loopback() -> None:
    assert ApiSettings(host="127.0.0.1", auth=True).auth_enabled is True


def test_no_auth_beyond_loopback_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"refused when binding to 0\.0\.0\.0"):
        ApiSettings(host="0.0.0.0", auth=False).check()
    ApiSettings(host="127.0.0.1", auth=False).check()


@pytest.mark.parametrize("seconds", [-1, 301])
def test_the_auth_cache_ttl_is_bounded(seconds: float) -> None:
    with pytest.raises(ConfigError, match="0 to 300 seconds"):
        ApiSettings(auth_cache_ttl_seconds=seconds).check()
    ApiSettings(auth_cache_ttl_seconds=0).check()


def test_jwt_secret_is_generated_once_and_private(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("OPTIMUS_JWT_SECRET", raising=False)
    first = load_jwt_secret(tmp_path)
    assert len(first) >= 32 and load_jwt_secret(tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "jwt-secret").stat().st_mode)
    assert mode == 0o600


def test_jwt_secret_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OPTIMUS_JWT_SECRET", "s" * 40)
    assert load_jwt_secret(tmp_path) == "s" * 40
    assert not (tmp_path / "jwt-secret").exists()
    monkeypatch.setenv("OPTIMUS_JWT_SECRET", "short")
    with pytest.raises(ConfigError, match="too short"):
        load_jwt_secret(tmp_path)


def test_roots_are_resolved_and_slash_is_refused(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    resolved = str((tmp_path / "real").resolve())
    assert normalize_roots([str(tmp_path / "link"), str(tmp_path / "real")]) == (resolved,)
    with pytest.raises(ConfigError, match="cannot be a scan root"):
        normalize_roots(["/"])
    with pytest.raises(ConfigError, match="not a directory"):
        normalize_roots([str(tmp_path / "missing")])


def test_from_env_reads_database_and_redis(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPTIMUS_DATABASE_URL", "sqlite:////tmp/x.db")
    monkeypatch.setenv("OPTIMUS_REDIS_URL", "redis://127.0.0.1:6379/3")
    monkeypatch.setenv("OPTIMUS_JWT_SECRET", "k" * 40)
    settings = ApiSettings.from_env(roots=(str(tmp_path),))
    assert settings.database_url == "sqlite:////tmp/x.db"
    assert settings.redis_url == "redis://127.0.0.1:6379/3"
    assert settings.jwt_secret == "k" * 40
    explicit = ApiSettings.from_env(database_url="sqlite:////tmp/y.db")
    assert explicit.database_url == "sqlite:////tmp/y.db"


def test_worker_processes_rebuild_the_same_settings(monkeypatch, tmp_path: Path) -> None:
    # `optimus serve --workers N` hands its settings to each uvicorn worker this way.
    import json
    from dataclasses import asdict, replace

    from optimus.api.app import SETTINGS_ENV, create_app_from_env

    settings = ApiSettings(
        database_url=f"sqlite:///{tmp_path / 'h.db'}",
        roots=(str(tmp_path),),
        auth=True,
        jwt_secret="w" * 40,
        cache_ttl_seconds=5,
        auth_cache_ttl_seconds=0.5,
    )
    monkeypatch.setenv(
        SETTINGS_ENV, json.dumps(asdict(replace(settings, roots=list(settings.roots))))
    )
    app = create_app_from_env()
    assert app.state.optimus.settings == settings
    assert app.state.optimus.principals.ttl == 0.5
