"""Example code is skipped like tests."""

import time


async def main() -> None:
    time.sleep(1)
