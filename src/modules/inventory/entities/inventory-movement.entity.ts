import { Column, Entity, Generated, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

export const MOVEMENT_TYPES = ['adjustment', 'reservation', 'release', 'sale', 'return', 'sync', 'import'] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];

/**
 * The ledger: one row per change of a level, never updated or deleted (a trigger refuses both).
 * `on_hand_delta` and `reserved_delta` are what the change did to the level, `*_after` what the
 * level became; so for every level `on_hand = sum(on_hand_delta)` and
 * `reserved = sum(reserved_delta)` — the invariant the concurrency tests check. `quantity` is the
 * quantity as the caller gave it (a signed delta for adjustments, the units for the others).
 * `seq` orders the ledger (ids are random, timestamps tie within a transaction).
 */
@Entity('inventory_movements')
@Index('idx_inventory_movements_level', ['levelId', 'seq'])
@Index('idx_inventory_movements_product', ['merchantId', 'productId', 'seq'])
@Index('idx_inventory_movements_reservation', ['reservationId'], { where: 'reservation_id IS NOT NULL' })
export class InventoryMovement extends BaseEntity {
  @Column({ type: 'bigint' })
  @Generated('increment')
  seq: string;

  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'uuid' })
  productId: string;

  @Column({ type: 'uuid' })
  variantId: string;

  @Column({ type: 'uuid' })
  locationId: string;

  @Column({ type: 'uuid' })
  levelId: string;

  @Column({ type: 'enum', enum: MOVEMENT_TYPES, enumName: 'inventory_movement_type' })
  type: MovementType;

  @Column({ type: 'int' })
  quantity: number;

  @Column({ type: 'int' })
  onHandDelta: number;

  @Column({ type: 'int' })
  reservedDelta: number;

  @Column({ type: 'int' })
  onHandAfter: number;

  @Column({ type: 'int' })
  reservedAfter: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reason: string | null;

  /** user | api_key | system */
  @Column({ type: 'varchar', length: 16 })
  actorType: string;

  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  /** The order (or other reference) a reservation, release or sale belongs to. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  reference: string | null;

  @Column({ type: 'uuid', nullable: true })
  reservationId: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  requestId: string | null;
}
