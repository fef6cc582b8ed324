"""An asyncio worker without a web framework."""

import asyncio
import time


def backoff(attempt: int) -> None:
    time.sleep(2**attempt)


async def poll(queue: asyncio.Queue) -> None:
    attempt = 0
    while True:
        item = await queue.get()
        if item is None:
            backoff(attempt)  # a sync helper: not followed (documented limit)
            attempt += 1
            continue
        # optimus-expect-next: blocking-call-in-async
        time.sleep(
            0.1,
        )
        results = [time.sleep(0) for _ in range(3)]  # optimus-expect: blocking-call-in-async
        print(results)
