"""Import forms: aliases and from-imports resolve to the blocking functions."""

import time as t
from subprocess import Popen
from time import sleep

from requests import get as fetch


async def handler() -> None:
    t.sleep(1)  # optimus-expect: blocking-call-in-async
    sleep(2)  # optimus-expect: blocking-call-in-async
    fetch("https://example.com", timeout=5)  # optimus-expect: blocking-call-in-async
    Popen(["ls"])  # optimus-expect: blocking-call-in-async


async def outer() -> None:
    async def inner() -> None:
        sleep(1)  # optimus-expect: blocking-call-in-async

    await inner()
