import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { APP_CONFIG, AppConfig, formatMinor, Jobs, Money, NotFoundError, OutboxService, Page, PageRequest, toPage } from '@app/common';
import { Merchant } from '../merchants/entities/merchant.entity';
import { bpsToPercentage, platformFeeBpsOf } from '../merchants/merchant-payouts';
import { Order } from '../orders/entities/order.entity';
import type { TransferDto, TransferSummaryDto } from './dto/transfers.dto';
import { MerchantTransfer, TransferStatus } from './entities/merchant-transfer.entity';
import { Payment } from './entities/payment.entity';
import { PAYMENT_PROVIDER, paymentIdempotencyKey, PaymentProvider, PaymentProviderError, transferGroupFor } from './providers/payment-provider';

const DAY_MS = 24 * 3600 * 1000;

/** A transfer stuck in `processing` this long (a crash after it was frozen) is sent again by the sweep. */
export const STALE_PROCESSING_MS = 10 * 60 * 1000;

/** The platform's cut of `amount`: `bps` basis points, half a minor unit rounded up. */
export function platformFeeOf(amountMinor: number, currency: string, bps: number): number {
  return Money.of(amountMinor, currency).percentage(bps, 'half-up').amount;
}

/** The amounts of a transfer once `refunded` of `gross` went back to the customer. */
export function transferAmounts(gross: number, refunded: number, currency: string, bps: number): { refundedAmount: number; platformFee: number; netAmount: number } {
  const kept = Math.max(0, gross - refunded);
  const platformFee = platformFeeOf(kept, currency, bps);
  return { refundedAmount: gross - kept, platformFee, netAmount: kept - platformFee };
}

export interface TransferFilter {
  status?: TransferStatus;
  /** YYYY-MM-DD, on created_at (UTC), inclusive. */
  startDate?: string;
  endDate?: string;
}

export type TransferOutcome = 'paid' | 'failed' | 'cancelled' | 'not_due' | 'postponed' | 'retry' | 'done';

export function transferView(t: MerchantTransfer): TransferDto {
  const money = (minor: number) => formatMinor(minor, t.currency);
  return {
    id: t.id,
    merchant_id: t.merchantId,
    order_id: t.orderId,
    payment_id: t.paymentId,
    status: t.status,
    currency: t.currency,
    gross_amount: money(t.grossAmount),
    refunded_amount: money(t.refundedAmount),
    platform_fee: money(t.platformFee),
    net_amount: money(t.netAmount),
    platform_fee_percentage: bpsToPercentage(t.platformFeeBps),
    transfer_delay_days: t.transferDelayDays,
    available_on: t.availableOn.toISOString(),
    connected_account_id: t.connectedAccountId,
    provider_transfer_id: t.providerTransferId,
    failure_message: t.failureMessage,
    paid_at: t.paidAt?.toISOString() ?? null,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}

/**
 * Marketplace payouts (separate charges and transfers): when a connected merchant's payment
 * succeeds, its share is recorded as a scheduled transfer; after STRIPE_TRANSFER_DELAY_DAYS a job
 * pays it with createTransfer. Until then refunds reduce it (to cancelled when refunded in full).
 *
 * Locks: the payment row before the transfer row, always, as the refunds do.
 */
@Injectable()
export class TransfersService {
  private readonly logger = new Logger(TransfersService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly outbox: OutboxService,
  ) {}

  /**
   * What a checkout session carries for a connected merchant (metadata only: the charge stays on
   * the platform). Pass the merchant when the caller has just read it.
   */
  async checkoutTerms(merchantOrId: string | Pick<Merchant, 'connectedAccountId' | 'platformFeePercentage'>, amountMinor: number, currency: string): Promise<{ connectedAccountId: string | null; applicationFeeMinor: number | null }> {
    const merchant = typeof merchantOrId === 'string' ? await this.dataSource.manager.findOneBy(Merchant, { id: merchantOrId }) : merchantOrId;
    if (!merchant?.connectedAccountId) return { connectedAccountId: null, applicationFeeMinor: null };
    return { connectedAccountId: merchant.connectedAccountId, applicationFeeMinor: platformFeeOf(amountMinor, currency, this.feeBpsOf(merchant)) };
  }

  /**
   * A payment succeeded (call it in that transaction, after the payments row has its captured
   * amount): for a merchant with a connected account, records the scheduled transfer of its share,
   * publishes the job that pays it when due, and fills payment.platformFee/connectedAccountId (on
   * the row and on the object passed). Idempotent: one transfer per payment. Null when the merchant
   * has no connected account (the platform keeps the sale; nothing to transfer).
   */
  async recordForPayment(manager: EntityManager, payment: Payment, order: Order): Promise<MerchantTransfer | null> {
    const row = await this.lockPayment(manager, payment.id);
    if (row.captured <= 0) throw new Error(`recordForPayment: payment ${payment.id} has no captured amount yet; save it first`);
    const existing = await manager.findOneBy(MerchantTransfer, { paymentId: row.id });
    if (existing) return existing;
    const merchant = await manager.findOneBy(Merchant, { id: row.merchantId });
    const account = row.connectedAccountId ?? merchant?.connectedAccountId ?? null;
    if (!account) return null;

    const bps = this.feeBpsOf(merchant);
    const amounts = transferAmounts(row.captured, row.refunded, row.currency, bps);
    const delayDays = this.config.payments.transferDelayDays;
    const availableOn = new Date((row.paidAt ?? order.paidAt ?? new Date()).getTime() + delayDays * DAY_MS);
    const transfer = await manager.save(
      manager.create(MerchantTransfer, {
        merchantId: row.merchantId,
        orderId: order.id,
        paymentId: row.id,
        connectedAccountId: account,
        currency: row.currency,
        grossAmount: row.captured,
        ...amounts,
        platformFeeBps: bps,
        status: amounts.netAmount > 0 ? 'scheduled' : 'cancelled',
        transferDelayDays: delayDays,
        availableOn,
      }),
    );
    await manager.update(Payment, { id: row.id }, { platformFee: amounts.platformFee, connectedAccountId: account });
    Object.assign(payment, { platformFee: amounts.platformFee, connectedAccountId: account });
    if (transfer.status === 'scheduled') {
      await this.outbox.publish(manager, Jobs.TransferPay, { transfer_id: transfer.id, merchant_id: transfer.merchantId }, { delayMs: Math.max(0, availableOn.getTime() - Date.now()) });
    }
    return transfer;
  }

  /**
   * The payment's refunded total changed (with the payment row locked by the caller): a transfer
   * not yet sent is recomputed on what the customer kept, and cancelled when nothing is left.
   * Sent or paid transfers are left alone: later refunds come out of the platform's balance.
   */
  async applyRefunds(manager: EntityManager, payment: Pick<Payment, 'id' | 'captured' | 'refunded' | 'currency'>): Promise<MerchantTransfer | null> {
    const transfer = await manager.createQueryBuilder(MerchantTransfer, 't').where('t.payment_id = :id', { id: payment.id }).setLock('pessimistic_write').getOne();
    if (!transfer || transfer.status !== 'scheduled') return transfer;
    const amounts = transferAmounts(transfer.grossAmount, Math.min(payment.refunded, transfer.grossAmount), transfer.currency, transfer.platformFeeBps);
    const changes: Partial<MerchantTransfer> = { ...amounts, ...(amounts.netAmount === 0 ? { status: 'cancelled' as const } : {}) };
    await manager.update(MerchantTransfer, { id: transfer.id }, changes);
    await manager.update(Payment, { id: payment.id }, { platformFee: amounts.platformFee });
    return Object.assign(transfer, changes);
  }

  /**
   * Pays a due transfer: freezes its amounts (`processing`) and commits, then asks the provider
   * with the key paymentIdempotencyKey('transfer', id) outside any transaction, then records the
   * outcome. A retried call (the job's retries, the sweep) sends exactly the same request, so the
   * merchant is paid once. `retryable` errors leave it processing; `throwRetryable` rethrows them
   * for the job's backoff.
   */
  async pay(transferId: string, options: { throwRetryable?: boolean } = {}): Promise<{ outcome: TransferOutcome; transfer: MerchantTransfer }> {
    const prepared = await this.dataSource.transaction(async (manager) => {
      const found = await manager.findOneBy(MerchantTransfer, { id: transferId });
      if (!found) throw new NotFoundError('Transfer', transferId);
      const payment = await this.lockPayment(manager, found.paymentId);
      const transfer = await manager.createQueryBuilder(MerchantTransfer, 't').where('t.id = :id', { id: transferId }).setLock('pessimistic_write').getOneOrFail();
      if (transfer.status !== 'scheduled' && transfer.status !== 'processing') return { outcome: 'done' as const, transfer };
      if (transfer.status === 'scheduled') {
        if (transfer.availableOn.getTime() > Date.now()) return { outcome: 'not_due' as const, transfer };
        // A refund in flight could still reduce what the merchant is owed: wait until it settles.
        const [{ pending }] = await manager.query(`SELECT count(*)::int AS pending FROM refunds WHERE payment_id = $1 AND status = 'pending'`, [payment.id]);
        if (pending > 0) return { outcome: 'postponed' as const, transfer };
        const amounts = transferAmounts(transfer.grossAmount, Math.min(payment.refunded, transfer.grossAmount), transfer.currency, transfer.platformFeeBps);
        if (amounts.netAmount === 0) {
          await manager.update(MerchantTransfer, { id: transfer.id }, { ...amounts, status: 'cancelled' });
          return { outcome: 'cancelled' as const, transfer: Object.assign(transfer, amounts, { status: 'cancelled' as const }) };
        }
        Object.assign(transfer, amounts, { status: 'processing' as const, sourceChargeId: payment.chargeId });
      }
      transfer.attempts += 1;
      await manager.update(MerchantTransfer, { id: transfer.id }, {
        refundedAmount: transfer.refundedAmount,
        platformFee: transfer.platformFee,
        netAmount: transfer.netAmount,
        status: transfer.status,
        sourceChargeId: transfer.sourceChargeId,
        attempts: transfer.attempts,
      });
      return { outcome: 'send' as const, transfer };
    });
    if (prepared.outcome !== 'send') return prepared;

    const transfer = prepared.transfer;
    let result: { transferId: string } | null = null;
    let error: unknown = null;
    try {
      result = await this.provider.createTransfer({
        amountMinor: transfer.netAmount,
        currency: transfer.currency,
        destinationAccountId: transfer.connectedAccountId,
        transferGroup: transferGroupFor(transfer.orderId),
        sourceChargeId: transfer.sourceChargeId,
        idempotencyKey: paymentIdempotencyKey('transfer', transfer.id),
      });
    } catch (err) {
      error = err;
    }
    const refused = error instanceof PaymentProviderError && !error.retryable;
    const changes: Partial<MerchantTransfer> = result
      ? { status: 'paid', providerTransferId: result.transferId, paidAt: new Date(), failureMessage: null }
      : refused
        ? { status: 'failed', failureMessage: String((error as Error).message).slice(0, 500) }
        : { failureMessage: String((error as Error)?.message ?? error).slice(0, 500) };
    await this.dataSource.manager.update(MerchantTransfer, { id: transfer.id, status: 'processing' }, changes);
    Object.assign(transfer, changes);
    if (result) return { outcome: 'paid', transfer };
    if (refused) {
      this.logger.warn({ transfer_id: transfer.id, err: (error as Error).message }, 'The provider refused a merchant transfer');
      return { outcome: 'failed', transfer };
    }
    if (options.throwRetryable) throw error;
    return { outcome: 'retry', transfer };
  }

  /** Transfers the sweep should (re)try: scheduled and due, or stuck in processing. */
  async dueIds(limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM merchant_transfers
        WHERE (status = 'scheduled' AND available_on <= now()) OR (status = 'processing' AND updated_at <= now() - make_interval(secs => $2))
        ORDER BY available_on LIMIT $1`,
      [limit, STALE_PROCESSING_MS / 1000],
    );
    return rows.map((r) => r.id);
  }

  /** A merchant's transfers (admins: all, or one merchant), newest first. */
  async list(merchantId: string | undefined, filter: TransferFilter, page: PageRequest): Promise<Page<TransferDto>> {
    const qb = this.dataSource.getRepository(MerchantTransfer).createQueryBuilder('t');
    this.applyFilter(qb, merchantId, filter);
    const [rows, total] = await qb.orderBy('t.createdAt', 'DESC').addOrderBy('t.id', 'DESC').skip(page.offset).take(page.limit).getManyAndCount();
    return toPage(rows.map(transferView), total, page);
  }

  /** Totals per currency and status (seed 004's financial figures come from these). */
  async summary(merchantId: string | undefined, filter: TransferFilter): Promise<TransferSummaryDto> {
    const qb = this.dataSource.getRepository(MerchantTransfer).createQueryBuilder('t');
    this.applyFilter(qb, merchantId, filter);
    const rows: { currency: string; status: TransferStatus; count: number; gross: string; refunded: string; fee: string; net: string }[] = await qb
      .select('t.currency', 'currency')
      .addSelect('t.status', 'status')
      .addSelect('count(*)::int', 'count')
      .addSelect('sum(t.gross_amount)', 'gross')
      .addSelect('sum(t.refunded_amount)', 'refunded')
      .addSelect('sum(t.platform_fee)', 'fee')
      .addSelect('sum(t.net_amount)', 'net')
      .groupBy('t.currency')
      .addGroupBy('t.status')
      .orderBy('t.currency')
      .addOrderBy('t.status')
      .getRawMany();
    const byCurrency = new Map<string, typeof rows>();
    for (const row of rows) byCurrency.set(row.currency, [...(byCurrency.get(row.currency) ?? []), row]);
    return {
      merchant_id: merchantId ?? null,
      currencies: [...byCurrency.entries()].map(([currency, statuses]) => {
        const money = (minor: number) => formatMinor(minor, currency);
        const sum = (pick: (r: (typeof rows)[number]) => string, only?: TransferStatus[]) =>
          statuses.filter((r) => !only || only.includes(r.status)).reduce((total, r) => total + Number(pick(r)), 0);
        return {
          currency,
          transfer_count: statuses.reduce((n, r) => n + r.count, 0),
          gross_amount: money(sum((r) => r.gross)),
          refunded_amount: money(sum((r) => r.refunded)),
          platform_fee: money(sum((r) => r.fee)),
          net_amount: money(sum((r) => r.net)),
          pending_amount: money(sum((r) => r.net, ['scheduled', 'processing'])),
          paid_amount: money(sum((r) => r.net, ['paid'])),
          by_status: statuses.map((r) => ({
            status: r.status,
            count: r.count,
            gross_amount: money(Number(r.gross)),
            refunded_amount: money(Number(r.refunded)),
            platform_fee: money(Number(r.fee)),
            net_amount: money(Number(r.net)),
          })),
        };
      }),
    };
  }

  private applyFilter(qb: SelectQueryBuilder<MerchantTransfer>, merchantId: string | undefined, filter: TransferFilter): void {
    if (merchantId !== undefined) qb.andWhere('t.merchant_id = :merchantId', { merchantId });
    if (filter.status) qb.andWhere('t.status = :status', { status: filter.status });
    if (filter.startDate) qb.andWhere(`t.created_at >= (:start::date AT TIME ZONE 'UTC')`, { start: filter.startDate });
    if (filter.endDate) qb.andWhere(`t.created_at < ((:end::date + 1) AT TIME ZONE 'UTC')`, { end: filter.endDate });
  }

  private feeBpsOf(merchant: Pick<Merchant, 'platformFeePercentage'> | null): number {
    return platformFeeBpsOf(merchant, this.config.payments.platformFeePercentage);
  }

  private lockPayment(manager: EntityManager, paymentId: string): Promise<Payment> {
    return manager.createQueryBuilder(Payment, 'p').where('p.id = :paymentId', { paymentId }).setLock('pessimistic_write').getOneOrFail();
  }
}
