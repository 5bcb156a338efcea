import type { Redis } from 'ioredis';

/**
 * A per-store counter in Redis (`<namespace>:<merchant id>`), bumped after a commit that changes
 * what some public answer shows. Answers put it in their ETag and cache key, so a revalidation is
 * a 304 without SQL and a change is seen by the next request.
 */
export class StoreVersionCounter {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
  ) {}

  /** The current value, or null when Redis cannot say (callers then skip the 304 and the cache). */
  async current(merchantId: string): Promise<string | null> {
    try {
      return (await this.redis.get(`${this.namespace}:${merchantId}`)) ?? '0';
    } catch {
      return null;
    }
  }

  bump(merchantId: string): Promise<number> {
    return this.redis.incr(`${this.namespace}:${merchantId}`);
  }
}
