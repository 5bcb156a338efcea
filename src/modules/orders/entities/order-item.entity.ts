import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity, minorUnitsTransformer } from '@app/common';

/** An immutable snapshot of what was bought: later catalog edits never change a placed order. */
@Entity('order_items')
@Index('idx_order_items_order', ['orderId', 'position'])
@Index('idx_order_items_merchant_product', ['merchantId', 'productId'])
@Check('ck_order_items_quantity_positive', '"quantity" > 0')
export class OrderItem extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'uuid' })
  orderId: string;

  @Column({ type: 'int' })
  position: number;

  @Column({ type: 'uuid' })
  productId: string;

  @Column({ type: 'uuid' })
  variantId: string;

  @Column({ type: 'varchar', length: 300 })
  productName: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  sku: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  variantAttributes: Record<string, string>;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  imageUrl: string | null;

  @Column({ type: 'int' })
  quantity: number;

  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  unitPrice: number;

  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  total: number;
}
