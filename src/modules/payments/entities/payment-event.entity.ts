import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '@app/common';

export const PAYMENT_EVENT_STATUSES = ['received', 'processed', 'ignored', 'failed'] as const;
export type PaymentEventStatus = (typeof PAYMENT_EVENT_STATUSES)[number];

/** Where an event came from: a verified Stripe webhook, the test checkout page, or the verification job asking the provider. */
export const PAYMENT_EVENT_SOURCES = ['webhook', 'test_checkout', 'verification'] as const;
export type PaymentEventSource = (typeof PAYMENT_EVENT_SOURCES)[number];

/**
 * The processed-event store of provider events. The provider's event id is unique, so a
 * redelivered webhook (or a second click on Pay) finds its row and changes nothing. Written in
 * the transaction that publishes its `payment.event` job; the worker applies it and records the
 * outcome here: `processed` (it changed something), `ignored` (nothing to do: a duplicate success,
 * a failure after success, an unhandled type), or `failed` (gave up after its retries; `last_error`
 * says why). `received` = not applied yet, including while it waits for its order to commit.
 */
@Entity('payment_events')
@Index('uq_payment_events_event_id', ['eventId'], { unique: true })
@Index('idx_payment_events_order', ['orderId', 'createdAt'])
@Index('idx_payment_events_status', ['status', 'createdAt'])
export class PaymentEvent extends BaseEntity {
  /** The provider's event id (evt_…, test_evt_…), or `verify:<session>:<state>` for what the verification job found. */
  @Column({ type: 'varchar', length: 255 })
  eventId: string;

  @Column({ type: 'varchar', length: 20 })
  provider: string;

  @Column({ type: 'varchar', length: 20 })
  source: PaymentEventSource;

  /** e.g. checkout.session.completed, payment_intent.payment_failed, charge.refunded */
  @Column({ type: 'varchar', length: 100 })
  type: string;

  /** From the event's metadata when it names one; otherwise found through the session or payment intent. */
  @Column({ type: 'uuid', nullable: true })
  orderId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  sessionId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  paymentIntentId: string | null;

  /** The event's data.object as the provider sent it (after its signature was verified). */
  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  /** When the provider says the event happened. */
  @Column({ type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'enum', enum: PAYMENT_EVENT_STATUSES, enumName: 'payment_event_status', default: 'received' })
  status: PaymentEventStatus;

  /** Processing attempts that ended (applied, ignored or failed). */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  lastError: string | null;

  /** What processing did, in words (e.g. "order paid", "ignored: payment already succeeded"). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  outcome: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  processedAt: Date | null;
}
