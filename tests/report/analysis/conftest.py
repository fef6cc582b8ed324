"""Shared fixtures: one real scan of examples/portfolio per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimus.analyze.engine import ScanOptions, scan
from optimus.model import ScanResult

PORTFOLIO = Path(__file__).resolve().parents[3] / "examples" / "portfolio"


@pytest.fixture(scope="session")
def portfolio_scan(tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OPTIMUS_CACHE_DIR", str(cache))
        mp.delenv("OPTIMUS_OSV_DIR", raising=False)
        mp.delenv("OPTIMUS_NETWORK", raising=False)
        mp.chdir(PORTFOLIO.parent.parent)
        # With preview rules, so the count rule unwrap-density (preview) is in the report.
        return scan(["examples/portfolio"], ScanOptions({"preview": True}, use_cache=False))
