import Redis from "ioredis";
import { createClient } from "redis";

const redis = new Redis(process.env.REDIS_URL);
const client = await createClient({ url: process.env.REDIS_URL }).connect();
const map = new Map<string, number>();

export async function clearSessions(userId: string): Promise<void> {
  const keys = await redis.keys(`session:${userId}:*`); // optimus-expect: redis-keys-command
  await redis.del(...keys);
}

export async function nodeRedis(): Promise<string[]> {
  await client.sendCommand(["KEYS", "job:*"]); // optimus-expect: redis-keys-command
  return client.KEYS("job:*"); // optimus-expect: redis-keys-command
}

export function fine(): void {
  for (const k of map.keys()) console.log(k);
  console.log(Object.keys({ a: 1 }));
  const stream = redis.scanStream({ match: "session:*" });
  stream.on("data", (keys: string[]) => console.log(keys));
}

class Store {
  private cache = new Redis();

  async purge(): Promise<void> {
    const keys = await this.cache.keys("tmp:*"); // optimus-expect: redis-keys-command
    await this.cache.call("KEYS", "x*"); // optimus-expect: redis-keys-command
    await this.cache.call("GET", "x");
  }
}
