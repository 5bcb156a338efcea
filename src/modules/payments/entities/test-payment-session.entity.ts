import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity, minorUnitsTransformer } from '@app/common';

export const TEST_PAYMENT_SESSION_STATUSES = ['pending', 'paid', 'failed', 'expired'] as const;
export type TestPaymentSessionStatus = (typeof TEST_PAYMENT_SESSION_STATUSES)[number];

/**
 * The test payment provider's checkout sessions (its session id is `test_cs_<id>`). Kept in
 * PostgreSQL, not in memory, because the API (the Pay / Fail page) and the worker (payment
 * verification) are separate processes that must see the same state.
 */
@Entity('test_payment_sessions')
@Index('uq_test_payment_sessions_idempotency_key', ['idempotencyKey'], { unique: true })
@Index('uq_test_payment_sessions_payment_intent', ['paymentIntentId'], { unique: true, where: 'payment_intent_id IS NOT NULL' })
@Index('idx_test_payment_sessions_order', ['orderId'])
@Check('ck_test_payment_sessions_refunded', '"refunded_minor" >= 0 AND "refunded_minor" <= "amount_minor"')
export class TestPaymentSession extends BaseEntity {
  @Column({ type: 'varchar', length: 255 })
  idempotencyKey: string;

  @Column({ type: 'uuid' })
  orderId: string;

  @Column({ type: 'varchar', length: 64 })
  orderNumber: string;

  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  amountMinor: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'enum', enum: TEST_PAYMENT_SESSION_STATUSES, enumName: 'test_payment_session_status', default: 'pending' })
  status: TestPaymentSessionStatus;

  /** Set when the customer pays or fails (as Stripe creates the PaymentIntent on the first attempt). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  paymentIntentId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  chargeId: string | null;

  @Column({ type: 'bigint', transformer: minorUnitsTransformer, default: 0 })
  refundedMinor: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  failureMessage: string | null;

  @Column({ type: 'varchar', length: 2000 })
  successUrl: string;

  @Column({ type: 'varchar', length: 2000 })
  cancelUrl: string;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  /** When it left `pending`. */
  @Column({ type: 'timestamptz', nullable: true })
  settledAt: Date | null;
}

/** A refund through the test provider (`test_re_<id>`); its idempotency key makes a retried refund return this row. */
@Entity('test_payment_refunds')
@Index('uq_test_payment_refunds_idempotency_key', ['idempotencyKey'], { unique: true })
@Index('idx_test_payment_refunds_session', ['sessionId'])
@Check('ck_test_payment_refunds_amount_positive', '"amount_minor" > 0')
export class TestPaymentRefund extends BaseEntity {
  @Column({ type: 'varchar', length: 255 })
  idempotencyKey: string;

  @Column({ type: 'uuid' })
  sessionId: string;

  @Column({ type: 'varchar', length: 64 })
  paymentIntentId: string;

  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  amountMinor: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'varchar', length: 40, nullable: true })
  reason: string | null;
}
