"""Block until the cache answers, so that the first requests find it."""

import os
import time

import redis

client = redis.Redis.from_url(os.environ["CACHE_URL"])
while True:
    try:
        client.ping()
        break
    except redis.ConnectionError:
        time.sleep(2)
