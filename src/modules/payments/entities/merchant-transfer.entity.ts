import { Check, Column, Entity, Index } from 'typeorm';
import { BaseEntity, minorUnitsTransformer } from '@app/common';

/**
 * `scheduled`: waiting for available_on (refunds still reduce it); `processing`: amounts frozen and
 * sent to the provider (a retry sends exactly the same request); `paid`; `failed`: the provider
 * refused it; `cancelled`: refunded in full before the payout, nothing to transfer.
 */
export const TRANSFER_STATUSES = ['scheduled', 'processing', 'paid', 'failed', 'cancelled'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

/**
 * The merchant's share of one paid order, transferred to its connected account after the holding
 * delay (separate charges and transfers: the platform holds the money until then). Amounts are
 * minor units of `currency`: net = gross − refunded − platform fee, the fee being
 * platform_fee_bps of what the customer kept paid (gross − refunded).
 */
@Entity('merchant_transfers')
@Index('uq_merchant_transfers_payment', ['paymentId'], { unique: true })
@Index('idx_merchant_transfers_merchant_created', ['merchantId', 'createdAt'])
@Index('idx_merchant_transfers_due', ['status', 'availableOn'])
@Check(
  'ck_merchant_transfers_amounts',
  '"gross_amount" >= 0 AND "refunded_amount" >= 0 AND "platform_fee" >= 0 AND "net_amount" >= 0 AND "net_amount" = "gross_amount" - "refunded_amount" - "platform_fee"',
)
@Check('ck_merchant_transfers_fee_bps', '"platform_fee_bps" BETWEEN 0 AND 10000')
export class MerchantTransfer extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  @Column({ type: 'uuid' })
  orderId: string;

  @Column({ type: 'uuid' })
  paymentId: string;

  @Column({ type: 'varchar', length: 255 })
  connectedAccountId: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** What the customer paid (the payment's captured amount). */
  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  grossAmount: number;

  /** Refunded before the payout (after it, refunds come out of the platform's balance). */
  @Column({ type: 'bigint', default: 0, transformer: minorUnitsTransformer })
  refundedAmount: number;

  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  platformFee: number;

  @Column({ type: 'bigint', transformer: minorUnitsTransformer })
  netAmount: number;

  /** The fee rate applied, in basis points (1000 = 10.00 %): the merchant's own or the default at payment time. */
  @Column({ type: 'int' })
  platformFeeBps: number;

  @Column({ type: 'enum', enum: TRANSFER_STATUSES, enumName: 'merchant_transfer_status', default: 'scheduled' })
  status: TransferStatus;

  @Column({ type: 'int' })
  transferDelayDays: number;

  /** When the transfer becomes due: the payment time plus the delay. */
  @Column({ type: 'timestamptz' })
  availableOn: Date;

  /** The charge funding it (Stripe's source_transaction), fixed when the transfer is sent. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  sourceChargeId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  providerTransferId: string | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  failureMessage: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  paidAt: Date | null;
}
