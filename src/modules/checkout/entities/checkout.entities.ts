import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

/**
 * A checkout's Idempotency-Key: inserted first in the checkout transaction, so a concurrent retry
 * waits on the unique index and then finds the order the first one created.
 */
@Entity('checkout_idempotency_keys')
@Index('uq_checkout_idempotency_keys', ['merchantId', 'key'], { unique: true })
export class CheckoutIdempotencyKey extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'varchar', length: 200 })
  key: string;

  @Column({ type: 'char', length: 64 })
  requestHash: string;

  @Column({ type: 'uuid' })
  orderId: string;
}

/**
 * A merchant's checkout policy: the flat shipping rate per currency (until a shipping module
 * calculator replaces it) and tax rates by destination country, inclusive or exclusive.
 */
@Entity('checkout_settings')
@Index('uq_checkout_settings_merchant', ['merchantId'], { unique: true })
export class CheckoutSettings extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  /** Currency code → minor units. A currency without an entry ships free. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  flatShippingRates: Record<string, number>;

  /** Currency code → minor units: orders with at least this subtotal ship free. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  freeShippingThresholds: Record<string, number>;

  @Column({ type: 'boolean', default: false })
  pricesIncludeTax: boolean;

  /** Applies to countries without their own rate. */
  @Column({ type: 'int', default: 0 })
  defaultTaxRateBps: number;

  /** ISO 3166-1 alpha-2 → basis points. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  taxRates: Record<string, number>;

  @Column({ type: 'boolean', default: true })
  taxShipping: boolean;
}
