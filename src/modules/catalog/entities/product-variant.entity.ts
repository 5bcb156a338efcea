import { Column, Entity, Index, VirtualColumn } from 'typeorm';
import { BaseEntity, minorUnitsTransformer } from '@app/common';
import { PRODUCT_STATUSES, type ProductStatus } from './product.entity';

/**
 * What is actually sold and stocked. A product without explicit variants has one default variant
 * (`is_default`), so inventory and orders always work on variants.
 */
@Entity('product_variants')
@Index('idx_product_variants_product', ['productId', 'position'])
@Index('uq_product_variants_merchant_sku', ['merchantId', 'sku'], { unique: true, where: 'deleted_at IS NULL AND sku IS NOT NULL' })
@Index('idx_product_variants_attributes', { synchronize: false }) // GIN jsonb_path_ops, in the migration
@Index('idx_product_variants_sku_trgm', { synchronize: false }) // GIN trigram, in the migration
export class ProductVariant extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'uuid' })
  productId: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  sku: string | null;

  /** Null: the product's price. */
  @Column({ type: 'bigint', nullable: true, transformer: minorUnitsTransformer })
  price: number | null;

  /**
   * Units on hand over all stock locations. Read-only: stock lives in inventory_levels and changes
   * only through InventoryService (which writes the ledger); read in the same statement as the row.
   */
  @VirtualColumn({
    type: 'bigint',
    query: (alias) => `SELECT coalesce(sum(l.on_hand), 0) FROM inventory_levels l WHERE l.variant_id = ${alias}.id`,
    transformer: { from: (value: unknown) => Number(value ?? 0), to: (value: unknown) => value },
  })
  stock: number;

  @Column({ type: 'enum', enum: PRODUCT_STATUSES, enumName: 'product_status', default: 'active' })
  status: ProductStatus;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  attributes: Record<string, string>;

  @Column({ type: 'boolean', default: false })
  isDefault: boolean;

  @Column({ type: 'int', default: 0 })
  position: number;

  @Column({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}
