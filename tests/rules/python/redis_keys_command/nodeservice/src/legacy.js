const { redisClient } = require("./connections");

function stale(prefix) {
  return redisClient.keys(prefix + "*"); // optimus-expect: redis-keys-command
}

function fine(obj) {
  return Object.keys(obj).concat(Array.from(new Set([1]).keys()));
}

module.exports = { stale, fine };

const Redis = require("ioredis");

function empty(queue) {
  const multi = queue.multi();
  multi.lrange("wait", 0, -1);
  multi.keys(queue.toKey("*:limited")); // optimus-expect: redis-keys-command
  return multi.exec();
}

module.exports.empty = empty;
module.exports.Redis = Redis;
