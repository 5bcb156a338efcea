import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Redis } from 'ioredis';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

// Fixed window per key, with an optional block once the limit is passed; one round trip.
const INCREMENT = `
local hits_key, block_key = KEYS[1], KEYS[2]
local ttl, limit, block = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local blocked_ms = redis.call('PTTL', block_key)
if blocked_ms > 0 then
  return { tonumber(redis.call('GET', hits_key) or limit + 1), redis.call('PTTL', hits_key), 1, blocked_ms }
end
local hits = redis.call('INCR', hits_key)
if hits == 1 then redis.call('PEXPIRE', hits_key, ttl) end
local ttl_left = redis.call('PTTL', hits_key)
if hits > limit then
  redis.call('SET', block_key, '1', 'PX', block)
  return { hits, ttl_left, 1, block }
end
return { hits, ttl_left, 0, 0 }
`;

const INCREMENT_SHA = createHash('sha1').update(INCREMENT).digest('hex');

/**
 * Rate-limit counters in Redis, so limits hold across API instances. When Redis is down the limiter
 * lets requests through (and says so in the log): losing rate limiting briefly is better than
 * losing the API.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private lastWarning = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const base = `${this.prefix}:throttle:${throttlerName}:${key}`;
    try {
      const args = [2, `${base}:hits`, `${base}:block`, ttl, limit, blockDuration || ttl] as const;
      // Every request runs this: by its SHA, so the script is not sent and hashed by Redis each time;
      // the whole script only once per Redis that does not know it yet (NOSCRIPT).
      const [totalHits, ttlMs, isBlocked, blockMs] = (await this.redis.evalsha(INCREMENT_SHA, ...args).catch((err: Error) => {
        if (!err.message.startsWith('NOSCRIPT')) throw err;
        return this.redis.eval(INCREMENT, ...args);
      })) as number[];
      return {
        totalHits,
        timeToExpire: Math.ceil(Math.max(ttlMs, 0) / 1000),
        isBlocked: isBlocked === 1,
        timeToBlockExpire: Math.ceil(Math.max(blockMs, 0) / 1000),
      };
    } catch (err) {
      if (Date.now() - this.lastWarning > 60_000) {
        this.lastWarning = Date.now();
        this.logger.warn({ err: (err as Error).message }, 'Rate limiter storage unavailable; allowing requests');
      }
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}
