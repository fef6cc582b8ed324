"""The PostgreSQL fixtures' policy: skip when the server is unreachable, fail under CI=true."""

from __future__ import annotations

import pytest

from tests.store.dbfixtures import _unreachable


def test_unreachable_server_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="unreachable \\(connection refused\\)"):
        _unreachable("connection refused")


def test_unreachable_server_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true requires it"):
        _unreachable("connection refused")
