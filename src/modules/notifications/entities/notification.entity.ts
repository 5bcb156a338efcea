import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

export const DELIVERY_STATUSES = ['none', 'pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * Something the platform told a merchant (GET /api/notifications), with how each channel's
 * delivery went. `dedupe_key` (the job id of the event that caused it) makes a retried job find
 * its notification instead of writing a second one.
 */
@Entity('notifications')
@Index('uq_notifications_dedupe', ['merchantId', 'dedupeKey'], { unique: true })
@Index('idx_notifications_merchant', ['merchantId', 'createdAt'])
export class Notification extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  /** e.g. inventory.low_stock */
  @Column({ type: 'varchar', length: 60 })
  type: string;

  @Column({ type: 'varchar', length: 200 })
  dedupeKey: string;

  @Column({ type: 'varchar', length: 300 })
  title: string;

  @Column({ type: 'text' })
  message: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  data: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, default: 'none' })
  webhookStatus: DeliveryStatus;

  @Column({ type: 'int', default: 0 })
  webhookAttempts: number;

  @Column({ type: 'timestamptz', nullable: true })
  webhookDeliveredAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  webhookLastError: string | null;

  @Column({ type: 'varchar', length: 16, default: 'none' })
  emailStatus: DeliveryStatus;

  @Column({ type: 'timestamptz', nullable: true })
  emailSentAt: Date | null;
}
