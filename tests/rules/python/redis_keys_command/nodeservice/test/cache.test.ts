import Redis from "ioredis";
const redis = new Redis();
test("keys", async () => { expect(await redis.keys("*")).toEqual([]); });
