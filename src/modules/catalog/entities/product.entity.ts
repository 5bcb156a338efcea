import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, minorUnitsTransformer } from '@app/common';

export const PRODUCT_STATUSES = ['active', 'inactive', 'draft', 'archived'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

/**
 * A product of one merchant. Money is integer minor units in `currency` (the merchant's default
 * currency at creation); weight and dimensions are integers in grams and millimetres, shown in
 * kg and cm by the API. Soft-deleted rows keep their id for order history.
 */
@Entity('products')
@Index('uq_products_merchant_handle', ['merchantId', 'handle'], { unique: true, where: 'deleted_at IS NULL' })
// Live products of a store by status, newest first (the storefront's and the merchant's default
// order, id breaking ties): the page is read in index order, and its COUNT is an index-only scan.
@Index('idx_products_live_merchant_status', ['merchantId', 'status', 'createdAt', 'id'], { where: 'deleted_at IS NULL' })
@Index('idx_products_tags', { synchronize: false }) // GIN, created in the migration
@Index('idx_products_search', { synchronize: false }) // GIN full-text (product_search_document), in the migration
@Index('idx_products_name_trgm', { synchronize: false }) // GIN trigram for partial words, in the migration
export class Product extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'varchar', length: 150 })
  handle: string;

  @Column({ type: 'varchar', length: 300 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  price: number;

  @Column({ type: 'bigint', nullable: true, transformer: minorUnitsTransformer })
  originalPrice: number | null;

  /** What the merchant paid; never shown on public routes. */
  @Column({ type: 'bigint', nullable: true, transformer: minorUnitsTransformer })
  costPrice: number | null;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'enum', enum: PRODUCT_STATUSES, enumName: 'product_status', default: 'draft' })
  status: ProductStatus;

  @Column({ type: 'uuid', nullable: true })
  categoryId: string | null;

  @Column({ type: 'int', nullable: true })
  weightGrams: number | null;

  @Column({ type: 'int', nullable: true })
  lengthMm: number | null;

  @Column({ type: 'int', nullable: true })
  widthMm: number | null;

  @Column({ type: 'int', nullable: true })
  heightMm: number | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  hsCode: string | null;

  @Column({ type: 'char', length: 2, nullable: true })
  countryOfOrigin: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  customsDescription: string | null;

  @Column({ type: 'boolean', default: true })
  requiresShipping: boolean;

  @Column({ type: 'boolean', default: true })
  trackInventory: boolean;

  @Column({ type: 'int', nullable: true })
  lowStockThreshold: number | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'varchar', length: 300, nullable: true })
  metaTitle: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  metaDescription: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}
