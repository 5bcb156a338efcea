import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, minorUnitsTransformer } from '@app/common';

/**
 * Per merchant, UTC day (of the order's placement) and currency: what the order events added up
 * to. Kept by the order-events consumer, so the analytics routes read a few rows instead of
 * scanning orders.
 */
@Entity('merchant_daily_sales')
@Index('uq_merchant_daily_sales', ['merchantId', 'day', 'currency'], { unique: true })
@Index('idx_merchant_daily_sales_day', ['day', 'currency'])
export class MerchantDailySales extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'date' })
  day: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'int', default: 0 })
  ordersPlaced: number;

  @Column({ type: 'int', default: 0 })
  ordersPaid: number;

  @Column({ type: 'int', default: 0 })
  ordersCancelled: number;

  /** Paid orders that were then refunded in full (order.refunded): sales count paid − refunded orders. */
  @Column({ type: 'int', default: 0 })
  ordersRefunded: number;

  @Column({ type: 'int', default: 0 })
  itemsSold: number;

  @Column({ type: 'bigint', default: 0, transformer: minorUnitsTransformer })
  grossPaid: number;

  @Column({ type: 'bigint', default: 0, transformer: minorUnitsTransformer })
  refunded: number;
}
