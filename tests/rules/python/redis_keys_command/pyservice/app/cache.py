import redis
import redis.asyncio as aioredis
from redis import Redis

r = redis.Redis.from_url("redis://localhost:6379/0")
cluster = redis.cluster.RedisCluster(host="localhost")
settings = {"a": 1}


def clear_sessions(user_id: int) -> None:
    for key in r.keys(f"session:{user_id}:*"):  # optimus-expect: redis-keys-command
        r.delete(key)


def all_keys() -> list[bytes]:
    return r.keys()  # optimus-expect: redis-keys-command


def cluster_keys() -> list[bytes]:
    return cluster.keys("user:*")  # optimus-expect: redis-keys-command


def pipelined() -> None:
    pipe = r.pipeline()
    pipe.keys("a*")  # optimus-expect: redis-keys-command
    pipe.execute()


def raw() -> None:
    r.execute_command("KEYS", "job:*")  # optimus-expect: redis-keys-command


def typed(client: Redis, other: "dict[str, int]") -> None:
    client.keys("x*")  # optimus-expect: redis-keys-command
    other.keys()


async def async_keys() -> None:
    client = aioredis.from_url("redis://localhost")
    await client.keys("lock:*")  # optimus-expect: redis-keys-command
    async for key in client.scan_iter(match="lock:*"):
        await client.delete(key)


class Store:
    def __init__(self, url: str) -> None:
        self.redis = Redis.from_url(url)
        self.conn = redis.StrictRedis()
        self.options = {"x": 1}

    def purge(self) -> None:
        keys = self.conn.keys(  # optimus-expect: redis-keys-command
            "tmp:*"
        )
        self.conn.delete(*keys)

    def fine(self) -> None:
        # dict.keys() takes no argument and these are not Redis clients
        for k in self.options.keys():
            print(k)
        print(settings.keys())
        for key in self.redis.scan_iter(match="tmp:*"):
            self.redis.delete(key)
        self.redis.execute_command("SCAN", 0)


def named_like_redis(app) -> None:
    app.state.redis_client.keys("rate:*")  # optimus-expect: redis-keys-command
    app.state.redis_config.keys()


def via_helper(make_pipeline) -> None:
    pipe = make_pipeline()
    pipe.keys("stale:*")  # optimus-expect: redis-keys-command
