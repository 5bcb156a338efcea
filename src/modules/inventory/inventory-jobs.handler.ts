import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { Jobs, OnJob, PayloadOf } from '@app/common';
import { NotificationsService } from '../notifications/notifications.service';
import { InventoryService } from './inventory.service';

/** The inventory's worker jobs: the expiry sweep and low-stock alerts (the orders module consumes reservation-expired). */
@Injectable()
export class InventoryJobsHandler {
  private readonly logger = new Logger(InventoryJobsHandler.name);

  constructor(
    private readonly inventory: InventoryService,
    private readonly notifications: NotificationsService,
  ) {}

  /** Repeatable (every INVENTORY_EXPIRY_SWEEP_SECONDS, scheduled by the worker): releases expired holds. */
  @OnJob(Jobs.InventoryExpireReservations)
  async expire(payload: PayloadOf<typeof Jobs.InventoryExpireReservations>): Promise<{ expired: number }> {
    const result = await this.inventory.expireDue(payload?.limit ?? 500);
    if (result.expired) this.logger.log(result, 'Released expired reservations');
    return result;
  }

  /**
   * One alert per crossing (the outbox row is written only when a level crosses its threshold):
   * recorded as a notification and delivered to the merchant's channels. The notification is keyed
   * by the job id, so a retry (delivery failed) delivers the same notification again, never a second.
   */
  @OnJob(Jobs.LowStockAlert)
  async lowStock(payload: PayloadOf<typeof Jobs.LowStockAlert>, job: Job): Promise<{ notification_id: string }> {
    const label = payload.sku ? `SKU ${payload.sku}` : `variant ${payload.variant_id}`;
    const notification = await this.notifications.notify(
      payload.merchant_id,
      {
        type: 'inventory.low_stock',
        dedupeKey: `low-stock:${job.id}`,
        title: `Low stock: ${label}`,
        message: `${label} has ${payload.available} available (threshold ${payload.threshold}).`,
        data: { ...payload },
      },
      { finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) },
    );
    return { notification_id: notification.id };
  }
}
