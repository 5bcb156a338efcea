import { Redis } from 'ioredis';
import { hostname } from 'node:os';

const STALE_AFTER_MS = 30_000;
export const HEARTBEAT_INTERVAL_MS = 10_000;

const key = (prefix: string) => `${prefix}:workers:heartbeat`;

export function workerId(): string {
  return `${hostname()}:${process.pid}`;
}

/** The worker stamps itself in a sorted set (score = time) so the API can tell it is alive. */
export async function beat(redis: Redis, prefix: string, id = workerId()): Promise<void> {
  await redis.multi().zadd(key(prefix), Date.now(), id).zremrangebyscore(key(prefix), 0, Date.now() - STALE_AFTER_MS).exec();
}

export async function removeBeat(redis: Redis, prefix: string, id = workerId()): Promise<void> {
  await redis.zrem(key(prefix), id);
}

export async function liveWorkers(redis: Redis, prefix: string): Promise<{ id: string; last_seen: string }[]> {
  const entries = await redis.zrangebyscore(key(prefix), Date.now() - STALE_AFTER_MS, '+inf', 'WITHSCORES');
  const workers: { id: string; last_seen: string }[] = [];
  for (let i = 0; i < entries.length; i += 2) {
    workers.push({ id: entries[i], last_seen: new Date(Number(entries[i + 1])).toISOString() });
  }
  return workers;
}
