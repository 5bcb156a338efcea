import { Column, Entity, Index } from 'typeorm';
import { BaseEntity, minorUnitsTransformer } from '@app/common';

/**
 * Per merchant, UTC month (of the transfer's creation, i.e. of the payment), currency and status:
 * the sums of merchant_transfers. Transfers change in place (refunds shrink them, payouts move their
 * status) in several services, so this table is kept by a row trigger on merchant_transfers
 * (`analytics_merchant_transfers_rollup`, see the AnalyticsRollups migration): every insert,
 * update or delete subtracts the old row and adds the new one in the same transaction.
 * `npm run cli -- analytics:rebuild` recomputes it from merchant_transfers.
 */
@Entity('merchant_monthly_transfers')
@Index('uq_merchant_monthly_transfers', ['merchantId', 'month', 'currency', 'status'], { unique: true })
@Index('idx_merchant_monthly_transfers_month', ['month', 'currency'])
export class MerchantMonthlyTransfers extends BaseEntity {
  @Column({ type: 'uuid' })
  merchantId: string;

  /** First day of the month. */
  @Column({ type: 'date' })
  month: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** merchant_transfers.status (scheduled, processing, paid, failed, cancelled). */
  @Column({ type: 'varchar', length: 20 })
  status: string;

  @Column({ type: 'int', default: 0 })
  transferCount: number;

  @Column({ type: 'bigint', default: 0, transformer: minorUnitsTransformer })
  grossAmount: number;

  @Column({ type: 'bigint', default: 0, transformer: minorUnitsTransformer })
  refundedAmount: number;

  @Column({ type: 'bigint', default: 0, transformer: minorUnitsTransformer })
  platformFee: number;

  @Column({ type: 'bigint', default: 0, transformer: minorUnitsTransformer })
  netAmount: number;
}
