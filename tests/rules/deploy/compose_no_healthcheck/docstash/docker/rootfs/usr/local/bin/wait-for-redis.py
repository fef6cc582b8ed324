#!/usr/bin/env python3
"""Ping the Redis broker named in the environment until it answers."""

import os
import sys
import time

from redis import Redis


def main() -> None:
    client = Redis.from_url(os.getenv("DOCSTASH_REDIS", "redis://localhost:6379"))
    for attempt in range(5):
        try:
            client.ping()
            sys.exit(0)
        except Exception as exc:
            print(f"Redis ping #{attempt} failed: {exc}; waiting 5s")
            time.sleep(5)
    sys.exit(1)


if __name__ == "__main__":
    main()
