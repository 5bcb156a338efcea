import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, AppConfig, REDIS_CLIENT } from '@app/common';

/**
 * Answers of the reports built from the consumer's rollups (sales, top products, customers), in this
 * process's memory, keyed by everything they depend on and by the store's analytics version: a
 * per-store counter in Redis that the rollup consumer bumps after each commit that changed the
 * store's figures (and analytics:rebuild after its own; a rebuild of every store bumps a global
 * epoch that is part of every version). An entry is therefore never served once its data changed.
 * The TTL only bounds the life of an entry whose bump was lost (Redis down at that moment); when
 * Redis cannot answer, nothing is cached or served from the cache.
 */
@Injectable()
export class AnalyticsAnswerCache {
  private readonly entries = new LRUCache<string, object>({ max: 500, ttl: 60_000 });
  private readonly prefix: string;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.prefix = `${config.redis.queuePrefix}:analytics:version`;
  }

  /** `<epoch>.<store version>`, or null when Redis cannot say. */
  private async version(merchantId: string): Promise<string | null> {
    try {
      const [epoch, store] = await this.redis.mget(`${this.prefix}:all`, `${this.prefix}:${merchantId}`);
      return `${epoch ?? 0}.${store ?? 0}`;
    } catch {
      return null;
    }
  }

  /** After a commit that changed a store's rollups (or every store's, without an id). */
  async bump(merchantId?: string): Promise<void> {
    try {
      await this.redis.incr(`${this.prefix}:${merchantId ?? 'all'}`);
    } catch {
      // The TTL bounds how long the old answers live.
    }
  }

  async through<T extends object>(merchantId: string, request: string, compute: () => Promise<T>): Promise<T> {
    const version = await this.version(merchantId);
    if (version === null) return compute();
    const key = `${merchantId}:${version}:${request}`;
    const hit = this.entries.get(key);
    if (hit) return hit as T;
    const answer = await compute();
    this.entries.set(key, answer);
    return answer;
  }
}
