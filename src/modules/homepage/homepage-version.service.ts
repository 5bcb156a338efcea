import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig, REDIS_CLIENT, StoreVersionCounter } from '@app/common';

/**
 * The store's homepage counter, bumped after the commit of every homepage change. The public page
 * keys its ETag and cached answer on it and on the catalog version.
 */
@Injectable()
export class HomepageVersionService extends StoreVersionCounter {
  constructor(@Inject(REDIS_CLIENT) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    super(redis, `${config.redis.queuePrefix}:homepage:version`);
  }
}
