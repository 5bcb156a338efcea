import { Inject, Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig, Jobs, OnJob, ProductEventPayload, REDIS_CLIENT } from '@app/common';

/**
 * A per-merchant catalog version in Redis, bumped by the product events. Public catalog responses
 * put it in their ETag, so a storefront's revalidation is answered 304 without touching Postgres
 * until something in that store changes.
 */
@Injectable()
export class CatalogVersionService {
  private readonly logger = new Logger(CatalogVersionService.name);

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(merchantId: string): string {
    return `${this.config.redis.queuePrefix}:catalog:version:${merchantId}`;
  }

  /** The current version, or null when Redis cannot say (callers then skip the 304 shortcut). */
  async current(merchantId: string): Promise<string | null> {
    try {
      return (await this.redis.get(this.key(merchantId))) ?? '0';
    } catch {
      return null;
    }
  }

  async bump(merchantId: string): Promise<number> {
    return this.redis.incr(this.key(merchantId));
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
