"""Test code may block: the rule skips tests/."""

import time

import requests


async def wait_for_server() -> None:
    time.sleep(1)
    requests.get("http://localhost:8000/health", timeout=5)
