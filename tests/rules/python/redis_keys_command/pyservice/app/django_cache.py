from django.core.cache import cache, caches
from django_redis import get_redis_connection


def invalidate(prefix: str) -> None:
    for key in cache.keys(f"{prefix}*"):  # optimus-expect: redis-keys-command
        cache.delete(key)
    caches["sessions"].keys("s:*")  # optimus-expect: redis-keys-command
    cache.delete_pattern(f"{prefix}*")
    for key in cache.iter_keys(f"{prefix}*"):
        print(key)


def raw_connection() -> None:
    con = get_redis_connection("default")
    con.keys("*")  # optimus-expect: redis-keys-command
