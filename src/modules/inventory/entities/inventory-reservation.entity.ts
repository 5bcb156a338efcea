import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

export const RESERVATION_STATUSES = ['active', 'committed', 'released', 'expired'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/**
 * A hold on stock for one order (its `reference`, unique per merchant): all of its lines or none.
 * `active` until committed (sold, on payment), released (cancelled) or expired (TTL ran out).
 */
@Entity('inventory_reservations')
@Index('uq_inventory_reservations_reference', ['merchantId', 'reference'], { unique: true })
@Index('idx_inventory_reservations_expiry', ['expiresAt'], { where: `status = 'active'` })
export class InventoryReservation extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'varchar', length: 200 })
  reference: string;

  @Column({ type: 'enum', enum: RESERVATION_STATUSES, enumName: 'inventory_reservation_status', default: 'active' })
  status: ReservationStatus;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  /** When it left `active` (committed, released or expired). */
  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;
}

/** One variant of a reservation; duplicate lines of a request are summed into one. */
@Entity('inventory_reservation_lines')
@Index('idx_inventory_reservation_lines_reservation', ['reservationId'])
@Check('ck_inventory_reservation_lines_quantity_positive', '"quantity" > 0')
export class InventoryReservationLine extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'uuid' })
  reservationId: string;

  @Column({ type: 'uuid' })
  productId: string;

  @Column({ type: 'uuid' })
  variantId: string;

  /** Null for variants that do not track inventory: they are always available and hold nothing. */
  @Column({ type: 'uuid', nullable: true })
  levelId: string | null;

  @Column({ type: 'uuid', nullable: true })
  locationId: string | null;

  @Column({ type: 'int' })
  quantity: number;
}
