"""Blocking work moved off the event loop, and awaited async APIs: no findings here."""

import asyncio
import functools
import time
from pathlib import Path

import anyio.to_thread
import httpx
import requests
from starlette.concurrency import run_in_threadpool

URL = "https://example.com"


async def offloaded() -> list:
    await asyncio.to_thread(time.sleep, 1)
    loop = asyncio.get_running_loop()
    first = await loop.run_in_executor(None, requests.get, URL)
    second = await loop.run_in_executor(None, lambda: requests.get(URL, timeout=5))
    third = await anyio.to_thread.run_sync(functools.partial(requests.get, URL, timeout=5))
    text = await run_in_threadpool(Path("a.txt").read_text)
    return [first, second, third, text]


async def awaited() -> str:
    await asyncio.sleep(1)
    async with httpx.AsyncClient() as client:
        response = await client.get(URL)
        await client.post(URL, json={})
    process = await asyncio.create_subprocess_exec("ls")
    await process.wait()
    return response.text


async def shadowed(time: object, requests: object) -> None:
    # Parameters named like the modules are not the modules.
    time.sleep(1)
    requests.get(URL)


def sync_helper() -> str:
    time.sleep(1)
    return requests.get(URL, timeout=5).text
