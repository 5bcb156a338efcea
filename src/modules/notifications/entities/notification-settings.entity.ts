import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

/**
 * A merchant's notification channels: a signed outbound webhook (URL + HMAC secret) and an email
 * address. One row per merchant, created by PUT /api/notifications/settings.
 */
@Entity('notification_settings')
@Index('uq_notification_settings_merchant', ['merchantId'], { unique: true })
export class NotificationSettings extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  webhookUrl: string | null;

  /** Signs every delivery (HMAC-SHA256); write-only through the API. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  webhookSecret: string | null;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  @Column({ type: 'boolean', default: true })
  lowStockAlerts: boolean;
}
