"""bench/build_corpus.py is stdlib-only, so it keeps its own copy of the folders Optimus skips.

The corpus figures ("of which in folders Optimus skips") are only right while that copy
matches the walk's list.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from optimus.discover.walk import SKIP_DIRS

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "build_corpus.py"


def test_build_corpus_skips_the_folders_the_walk_skips() -> None:
    spec = importlib.util.spec_from_file_location("build_corpus", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert set(SKIP_DIRS) == module.OPTIMUS_SKIP_DIRS
