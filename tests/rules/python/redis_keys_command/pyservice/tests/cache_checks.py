import redis

r = redis.Redis()


def test_keys() -> None:
    assert r.keys("*") == []
