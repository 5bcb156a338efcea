import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { claimEvent, Jobs, OnJob, OrderEventPayload, PayloadOf, preparedQuery } from '@app/common';
import { AnalyticsRollupService } from '../analytics/analytics-rollup.service';
import { EMAIL_TRANSPORT, EmailTransport } from '../notifications/email-transport';
import { NotificationsService } from '../notifications/notifications.service';
import { customerEmailFor, merchantMessageFor } from './order-emails';
import { OrdersService } from './orders.service';

/**
 * The worker's consumers of order events. Each event: (1) the analytics rollup, (2) the
 * customer's email, (3) the merchant's notification (recorded, then the signed webhook and email).
 * Steps 1 and 2 claim the event id first, so a retry (say the merchant's webhook was down) does
 * not count or mail twice; step 3 is keyed by the event id in the notifications table.
 */
@Injectable()
export class OrderEventsHandler {
  private readonly logger = new Logger(OrderEventsHandler.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly orders: OrdersService,
    private readonly notifications: NotificationsService,
    private readonly rollup: AnalyticsRollupService,
    @Inject(EMAIL_TRANSPORT) private readonly email: EmailTransport,
  ) {}

  @OnJob(Jobs.OrderCreated) created(p: OrderEventPayload, job: Job) { return this.consume(Jobs.OrderCreated.name, p, job); }
  @OnJob(Jobs.OrderPaid) paid(p: OrderEventPayload, job: Job) { return this.consume(Jobs.OrderPaid.name, p, job); }
  @OnJob(Jobs.OrderShipped) shipped(p: OrderEventPayload, job: Job) { return this.consume(Jobs.OrderShipped.name, p, job); }
  @OnJob(Jobs.OrderDelivered) delivered(p: OrderEventPayload, job: Job) { return this.consume(Jobs.OrderDelivered.name, p, job); }
  @OnJob(Jobs.OrderCompleted) completed(p: OrderEventPayload, job: Job) { return this.consume(Jobs.OrderCompleted.name, p, job); }
  @OnJob(Jobs.OrderCancelled) cancelled(p: OrderEventPayload, job: Job) { return this.consume(Jobs.OrderCancelled.name, p, job); }
  @OnJob(Jobs.OrderRefunded) refunded(p: OrderEventPayload, job: Job) { return this.consume(Jobs.OrderRefunded.name, p, job); }

  /** An unpaid order's hold ran out: cancel the order (a paid or already cancelled one is left alone). */
  @OnJob(Jobs.ReservationExpired)
  async reservationExpired(payload: PayloadOf<typeof Jobs.ReservationExpired>): Promise<{ cancelled: boolean }> {
    const order = await this.orders.expireUnpaid(payload.reference, payload.merchant_id);
    if (order) this.logger.log({ order_id: order.id, order_number: order.orderNumber }, 'Unpaid order expired');
    return { cancelled: order !== null };
  }

  private async consume(event: string, payload: OrderEventPayload, job: Job): Promise<{ notification_id: string }> {
    const eventId = String(job.id);
    await this.rollup.consume(eventId, event, payload);
    const mail = customerEmailFor(event, payload);
    if (mail) {
      // Claimed after sending: a crash in between mails twice rather than never.
      const sent = await preparedQuery(this.dataSource.manager, `SELECT 1 FROM processed_events WHERE consumer = 'orders.customer-email' AND event_id = $1`, [eventId]);
      if (!sent.length) {
        await this.email.send(mail);
        await claimEvent(this.dataSource.manager, 'orders.customer-email', eventId, event);
      }
    }
    const { title, message } = merchantMessageFor(event, payload);
    const notification = await this.notifications.notify(
      payload.merchant_id,
      { type: event, dedupeKey: `order-event:${eventId}`, title, message, data: { ...payload } },
      { finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) },
    );
    return { notification_id: notification.id };
  }
}
