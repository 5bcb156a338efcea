import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig, REDIS_CLIENT } from '@app/common';

/**
 * A per-store homepage counter in Redis, bumped after the commit of every homepage change (like the
 * catalog version). The public page keys its ETag and its cached answer on it and on the catalog
 * version, so a storefront's revalidation is a 304 without SQL, and a change is seen by the next request.
 */
@Injectable()
export class HomepageVersionService {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(merchantId: string): string {
    return `${this.config.redis.queuePrefix}:homepage:version:${merchantId}`;
  }

  /** The current counter, or null when Redis cannot say (callers then skip the 304 and the cache). */
  async current(merchantId: string): Promise<string | null> {
    try {
      return (await this.redis.get(this.key(merchantId))) ?? '0';
    } catch {
      return null;
    }
  }

  /** After commit; a failed bump only costs a stale cache for the answer cache's TTL, never the write. */
  bump(merchantId: string): void {
    void this.redis.incr(this.key(merchantId)).catch(() => undefined);
  }
}
