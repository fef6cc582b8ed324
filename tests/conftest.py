"""Shared test set-up: every test gets its own Optimus cache folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPTIMUS_CACHE_DIR", str(tmp_path_factory.mktemp("optimus-cache")))


# Fixture projects hold files named like tests (tests/test_*.py) that belong to the scanned
# projects, not to this suite.
collect_ignore_glob = ["rules/*/*/*", "engines/fixtures/*"]


@pytest.fixture(autouse=True)
def _no_user_data_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    # An OSV export or network opt-in in the developer's environment would add findings.
    monkeypatch.delenv("OPTIMUS_OSV_DIR", raising=False)
    monkeypatch.delenv("OPTIMUS_NETWORK", raising=False)


# Database fixtures (SQLite and PostgreSQL) for storage, API and CLI tests.
pytest_plugins = ("tests.store.dbfixtures",)
