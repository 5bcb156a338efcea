import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity, minorUnitsTransformer } from '@app/common';

/**
 * `pending`: the amount is reserved against the payment and the provider has not (yet) confirmed
 * it; `succeeded`: the money went back; `failed`: the provider refused it (the reservation is
 * released). Only rows in `pending` change, and only with their payment row locked.
 */
export const REFUND_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** Stripe's refund reasons, the contract's `reason`. */
export const REFUND_REASONS = ['requested_by_customer', 'duplicate', 'fraudulent'] as const;
export type RefundReasonValue = (typeof REFUND_REASONS)[number];

/**
 * Who asked: `api` (POST /api/refunds/create), `order_cancel` (a paid order was cancelled),
 * `late_payment` (a payment that arrived for an order already cancelled), `provider` (made at the
 * provider, e.g. from the Stripe dashboard, and learnt from its charge.refunded event).
 */
export const REFUND_SOURCES = ['api', 'order_cancel', 'late_payment', 'provider'] as const;
export type RefundSource = (typeof REFUND_SOURCES)[number];

/**
 * One refund of a payment. The sum of succeeded and pending refunds of a payment never exceeds
 * what it captured: a refund is reserved (inserted `pending`) with the payment row locked and
 * checked against captured − refunded − pending, before the provider is asked.
 */
@Entity('refunds')
@Index('idx_refunds_payment_status', ['paymentId', 'status'])
@Index('idx_refunds_merchant_created', ['merchantId', 'createdAt'])
@Index('idx_refunds_order', ['orderId'])
@Index('uq_refunds_provider_refund', ['providerRefundId'], { unique: true })
@Index('uq_refunds_idempotency_key', ['idempotencyKey'], { unique: true })
@Check('ck_refunds_amount', '"amount" > 0')
export class Refund extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'uuid' })
  orderId: string;

  @Column({ type: 'uuid' })
  paymentId: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  paymentIntentId: string | null;

  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  amount: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** Sent to the provider; null for refunds we did not ask for, and for late payments (no Stripe reason fits). */
  @Column({ type: 'enum', enum: REFUND_REASONS, enumName: 'refund_reason', nullable: true })
  reason: RefundReasonValue | null;

  @Column({ type: 'enum', enum: REFUND_STATUSES, enumName: 'refund_status', default: 'pending' })
  status: RefundStatus;

  @Column({ type: 'enum', enum: REFUND_SOURCES, enumName: 'refund_source' })
  source: RefundSource;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  /** The key every provider call for this refund carries (null for provider-made refunds): retries never refund twice. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  idempotencyKey: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  providerRefundId: string | null;

  /** The provider event a provider-made refund was learnt from. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  providerEventId: string | null;

  /** Provider calls made so far (the request's, then the jobs'). */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** Why it failed, or the last retryable error while still pending. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  failureMessage: string | null;

  /** User, API key, or the system process that asked. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  requestedBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  succeededAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  failedAt: Date | null;
}
