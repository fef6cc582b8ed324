"""Cached answers computed once per key, on a few reader threads."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from optimus.api.cache import AnswerTag, MemoryCache
from optimus.api.deps import READER_THREADS, _single_flight

TAG = AnswerTag(route="/api/v1/things", role="viewer")


def _app() -> SimpleNamespace:
    return SimpleNamespace(
        cache=MemoryCache(),
        inflight={},
        readers=ThreadPoolExecutor(READER_THREADS, "optimus-read"),
    )


def test_misses_run_on_the_reader_threads_a_few_at_a_time() -> None:
    app = _app()
    running = 0
    most = 0
    names: set[str] = set()
    lock = threading.Lock()

    def build() -> bytes:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            names.add(threading.current_thread().name)
        time.sleep(0.01)
        with lock:
            running -= 1
        return b"{}"

    async def many() -> list[tuple[bytes, str]]:
        return await asyncio.gather(
            *(_single_flight(app, f"k{i}", build, 0, TAG) for i in range(3 * READER_THREADS))
        )

    answers = asyncio.run(many())
    app.readers.shutdown()
    assert answers == [(b"{}", "miss")] * (3 * READER_THREADS)
    assert most == READER_THREADS
    assert all(name.startswith("optimus-read") for name in names)
    assert app.cache.peek("k0") == (b"{}", TAG)


def test_identical_misses_share_one_computation() -> None:
    app = _app()
    calls = []

    def build() -> bytes:
        calls.append(1)
        time.sleep(0.02)
        return b"[]"

    async def same() -> list[tuple[bytes, str]]:
        return await asyncio.gather(*(_single_flight(app, "k", build, 0, TAG) for _ in range(5)))

    answers = asyncio.run(same())
    app.readers.shutdown()
    assert len(calls) == 1
    assert sorted(outcome for _, outcome in answers) == ["miss"] + ["shared"] * 4
