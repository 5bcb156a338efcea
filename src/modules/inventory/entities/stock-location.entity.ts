import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

/**
 * Where stock is kept. Every merchant has exactly one default location (created on first use, and
 * by the migration for existing stores); reservations draw from it unless a location is named.
 */
@Entity('stock_locations')
@Index('uq_stock_locations_merchant_name', ['merchantId', 'name'], { unique: true })
@Index('uq_stock_locations_merchant_default', ['merchantId'], { unique: true, where: 'is_default' })
export class StockLocation extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'boolean', default: false })
  isDefault: boolean;
}
