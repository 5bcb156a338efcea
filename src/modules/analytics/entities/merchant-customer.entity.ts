import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, minorUnitsTransformer } from '@app/common';

/**
 * Per merchant, currency and customer (the order's email, lower-cased: guests have no account):
 * their paid orders in that currency. Kept by the order-events consumer: order.paid counts the
 * order and moves first/last_order_at (the placement times), order.refunded takes the refunded
 * amount off total_spent. A customer "with an order in the last N days" is then
 * `last_order_at >= start`, as the window always ends now.
 */
@Entity('merchant_customers')
@Index('uq_merchant_customers', ['merchantId', 'currency', 'customerEmail'], { unique: true })
@Index('idx_merchant_customers_last_order', ['merchantId', 'currency', 'lastOrderAt'])
@Index('idx_merchant_customers_first_order', ['merchantId', 'currency', 'firstOrderAt'])
@Index('idx_merchant_customers_spent', ['merchantId', 'currency', 'totalSpent'])
export class MerchantCustomer extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'varchar', length: 320 })
  customerEmail: string;

  @Column({ type: 'timestamptz' })
  firstOrderAt: Date;

  @Column({ type: 'timestamptz' })
  lastOrderAt: Date;

  /** Paid orders, including ones refunded later (the customer did order). */
  @Column({ type: 'int', default: 0 })
  orderCount: number;

  /** What the paid orders came to, less full refunds. */
  @Column({ type: 'bigint', default: 0, transformer: minorUnitsTransformer })
  totalSpent: number;
}
