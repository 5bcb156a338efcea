import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, minorUnitsTransformer } from '@app/common';

/**
 * Per merchant, currency, UTC day (of the order's placement) and product: what its paid orders sold
 * of that product, less the orders refunded in full. Kept by the order-events consumer (order.paid
 * adds the order's lines, order.refunded takes them back), so top products reads a few rows per
 * product and day instead of scanning order_items.
 */
@Entity('merchant_daily_product_sales')
@Index('uq_merchant_daily_product_sales', ['merchantId', 'currency', 'day', 'productId'], { unique: true })
export class MerchantDailyProductSales extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'date' })
  day: string;

  @Column({ type: 'uuid' })
  productId: string;

  /** The name on the latest order line counted (order lines are snapshots; the product may be renamed or deleted since). */
  @Column({ type: 'varchar', length: 300 })
  productName: string;

  @Column({ type: 'int', default: 0 })
  quantitySold: number;

  /** Sum of the line totals (unit price × quantity, before shipping and order-level tax). */
  @Column({ type: 'bigint', default: 0, transformer: minorUnitsTransformer })
  revenue: number;

  /** Orders with at least one line of this product. */
  @Column({ type: 'int', default: 0 })
  orderCount: number;
}
