"""Cursors: opaque, round-trip, and anything else is a clear usage error."""

from __future__ import annotations

import pytest

from optimus.errors import UsageError
from optimus.store.queries.paging import decode_cursor, encode_cursor


@pytest.mark.parametrize("value", [0, 1, 42, 2**31 - 1, 10**17])
def test_round_trip(value: int) -> None:
    cursor = encode_cursor(value)
    assert "=" not in cursor and str(value) not in cursor
    assert decode_cursor(cursor) == value


@pytest.mark.parametrize(
    "cursor", ["", "!!!", "aWQ6", "aWQ6LTE", "eDox", "aWQ6MTIzNDU2Nzg5MDEyMzQ1Njc4OTA", "é"]
)
def test_foreign_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(UsageError, match="invalid cursor"):
        decode_cursor(cursor)
