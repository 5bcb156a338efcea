import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity, minorUnitsTransformer } from '@app/common';

export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed', 'expired', 'canceled'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * The payment of one order at its provider: one per order, created with the checkout session.
 * `captured` and `refunded` are the money that actually moved; refunds never exceed captured
 * (CHECK), whatever arrives concurrently.
 */
@Entity('payments')
@Index('uq_payments_order', ['orderId'], { unique: true })
@Index('uq_payments_session', ['provider', 'sessionId'], { unique: true })
@Index('idx_payments_intent', ['paymentIntentId'])
@Check('ck_payments_refund_cap', '"refunded" >= 0 AND "refunded" <= "captured"')
export class Payment extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'uuid' })
  orderId: string;

  @Column({ type: 'varchar', length: 20 })
  provider: string;

  @Column({ type: 'varchar', length: 255 })
  sessionId: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  paymentIntentId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  chargeId: string | null;

  @Column({ type: 'enum', enum: PAYMENT_STATUSES, enumName: 'payment_status', default: 'pending' })
  status: PaymentStatus;

  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  amount: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'bigint', default: 0, transformer: minorUnitsTransformer })
  captured: number;

  @Column({ type: 'bigint', default: 0, transformer: minorUnitsTransformer })
  refunded: number;

  /** The platform's cut when the merchant has a connected account; null otherwise. */
  @Column({ type: 'bigint', nullable: true, transformer: minorUnitsTransformer })
  platformFee: number | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  connectedAccountId: string | null;

  @Column({ type: 'text', nullable: true })
  checkoutUrl: string | null;

  @Column({ type: 'text', nullable: true })
  clientSecret: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  paidAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  failureMessage: string | null;

  /** The verification job's last look at the provider. */
  @Column({ type: 'timestamptz', nullable: true })
  lastCheckedAt: Date | null;

  /** A chargeback was opened (charge.dispute.created): the merchant was notified; the money is held by the provider. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  disputeId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  disputedAt: Date | null;
}
