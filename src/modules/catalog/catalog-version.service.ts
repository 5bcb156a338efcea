import { Inject, Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig, Jobs, OnJob, ProductEventPayload, REDIS_CLIENT, StoreVersionCounter } from '@app/common';

/**
 * A per-merchant catalog version in Redis, bumped by the product events. Public catalog responses
 * put it in their ETag, so a storefront's revalidation is answered 304 without touching Postgres
 * until something in that store changes.
 */
@Injectable()
export class CatalogVersionService extends StoreVersionCounter {
  private readonly logger = new Logger(CatalogVersionService.name);

  constructor(@Inject(REDIS_CLIENT) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    super(redis, `${config.redis.queuePrefix}:catalog:version`);
  }

  // One handler per event; each only needs "something in this store changed".
  @OnJob(Jobs.ProductCreated)
  async onProductCreated(payload: ProductEventPayload): Promise<void> {
    await this.bump(payload.merchant_id);
  }

  @OnJob(Jobs.ProductUpdated)
  async onProductUpdated(payload: ProductEventPayload): Promise<void> {
    await this.bump(payload.merchant_id);
  }

  @OnJob(Jobs.ProductDeleted)
  async onProductDeleted(payload: ProductEventPayload): Promise<void> {
    await this.bump(payload.merchant_id);
    this.logger.debug({ product_id: payload.product_id }, 'Product deleted; catalog version bumped');
  }
}
