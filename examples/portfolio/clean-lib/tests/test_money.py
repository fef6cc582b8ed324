import asyncio

import pytest

from cleanlib import Money, allocate, retry_async


def test_parse_and_format():
    assert str(Money.parse("19.99", "eur")) == "19.99 EUR"
    assert str(Money.parse("-0.5", "EUR")) == "-0.50 EUR"


def test_cannot_mix_currencies():
    with pytest.raises(ValueError):
        Money(100, "EUR") + Money(100, "USD")


def test_allocate_adds_up():
    parts = allocate(Money(1000, "EUR"), [1, 1, 1])
    assert [p.minor for p in parts] == [334, 333, 333]
    assert sum(p.minor for p in parts) == 1000


def test_retry_async_eventually_succeeds():
    calls = []

    async def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("reset")
        return "ok"

    assert asyncio.run(retry_async(flaky, attempts=3, base_delay=0)) == "ok"
    assert len(calls) == 3
