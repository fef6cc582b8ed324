"""The public door: optimus.__all__ is sorted and every name in it exists."""

from __future__ import annotations

import optimus


def test_all_is_sorted_and_importable() -> None:
    assert optimus.__all__ == sorted(optimus.__all__)
    for name in optimus.__all__:
        assert hasattr(optimus, name), name


def test_version_matches_distribution_metadata() -> None:
    from importlib.metadata import version

    assert optimus.__version__ == version("optimus-bot")
