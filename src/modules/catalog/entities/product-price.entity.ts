import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, minorUnitsTransformer } from '@app/common';

/**
 * An explicit price in a currency other than the product's own. Public routes answer in a
 * requested currency only from these rows: no exchange-rate arithmetic on money.
 * `variantId` null is the product-level price.
 */
@Entity('product_prices')
@Index('uq_product_prices', { synchronize: false }) // NULLS NOT DISTINCT, in the migration
@Index('idx_product_prices_product', ['productId'])
export class ProductPrice extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'uuid' })
  productId: string;

  @Column({ type: 'uuid', nullable: true })
  variantId: string | null;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  amount: number;

  @Column({ type: 'bigint', nullable: true, transformer: minorUnitsTransformer })
  originalAmount: number | null;
}
