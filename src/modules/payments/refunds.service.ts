import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  AppException,
  formatMinor,
  isUuid,
  Jobs,
  MoneyError,
  NotFoundError,
  OutboxService,
  Page,
  PageRequest,
  parseMoney,
  RequestContext,
  toPage,
  ValidationError,
} from '@app/common';
import { AuditService } from '../audit/audit.service';
import { Order } from '../orders/entities/order.entity';
import { canTransition } from '../orders/order-state-machine';
import { OrdersService } from '../orders/orders.service';
import type { RefundDto } from './dto/refunds.dto';
import { Payment } from './entities/payment.entity';
import { Refund, RefundReasonValue, RefundSource, RefundStatus } from './entities/refund.entity';
import { derivedUuid, PAYMENT_PROVIDER, paymentIdempotencyKey, PaymentProvider, PaymentProviderError, ProviderRefund } from './providers/payment-provider';
import { TransfersService } from './transfers.service';

/**
 * The request sends its refund at once; this job, published with the reservation, sends it again
 * if the process died between the commit and the provider's answer (same idempotency key).
 */
export const REFUND_RECOVERY_DELAY_MS = 60_000;

/** A refund still pending this long without a provider answer is sent again by the sweep. */
export const STALE_PENDING_REFUND_MS = 10 * 60_000;

export class RefundExceedsCapturedError extends AppException {
  constructor(message: string, detail: Record<string, unknown>) {
    super('ERR_REFUND_EXCEEDS_CAPTURED', message, HttpStatus.CONFLICT, detail);
  }
}

export class PaymentNotRefundableError extends AppException {
  constructor(message: string, detail: Record<string, unknown>) {
    super('ERR_PAYMENT_NOT_REFUNDABLE', message, HttpStatus.CONFLICT, detail);
  }
}

/** One refund as the provider reports it (a charge.refunded event's refund list). */
export interface ProviderRefundReport {
  id: string;
  amountMinor: number;
  status: ProviderRefund['status'];
  /** Our refund id when the provider echoes it (we send it as metadata.refund_id). */
  refundId?: string | null;
}

export interface ProviderRefundReconciliation {
  orderId: string;
  paymentIntentId: string | null;
  chargeId: string | null;
  /** The provider's total refunded on the charge (Stripe's amount_refunded): the truth about money that went back. */
  refundedMinor: number;
  /** The refunds the event lists; may be empty (Stripe omits charge.refunds unless expanded). */
  providerRefunds: ProviderRefundReport[];
  eventId: string;
}

export interface ReconcileResult {
  /** Provider-made refunds recorded now (source 'provider'). */
  recorded: number;
  /** Our own pending refunds the provider confirmed (or refused). */
  confirmed: number;
  failed: number;
  /** payment.refunded after the reconciliation, minor units. */
  refundedMinor: number;
  orderRefunded: boolean;
}

type SendOutcome = { kind: 'answered'; result: ProviderRefund } | { kind: 'refused'; error: PaymentProviderError } | { kind: 'retry'; error: unknown };

interface ReserveOptions {
  id: string;
  /** Null: everything not refunded or reserved yet. */
  amount: number | null;
  reason: RefundReasonValue | null;
  source: RefundSource;
  idempotencyKey: string;
  requestedBy: string | null;
  note: string | null;
  /** The RefundSend job's delay; null publishes none (the caller is that job). */
  sendDelayMs: number | null;
  /** Return null instead of a 409 when nothing is left to refund. */
  skipWhenNothingLeft?: boolean;
}

const actorOf = (ctx: RequestContext | null): string | null => {
  const p = ctx?.principal;
  if (!p) return null;
  return p.kind === 'api_key' ? `api_key:${p.apiKeyId}` : p.userId;
};

const messageOf = (err: unknown): string => String(err instanceof Error ? err.message : err).slice(0, 500);

export function refundView(r: Refund): RefundDto {
  return {
    id: r.id,
    merchant_id: r.merchantId,
    order_id: r.orderId,
    payment_id: r.paymentId,
    payment_intent_id: r.paymentIntentId,
    amount: formatMinor(r.amount, r.currency),
    currency: r.currency,
    reason: r.reason,
    status: r.status,
    source: r.source,
    note: r.note,
    provider_refund_id: r.providerRefundId,
    failure_message: r.failureMessage,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
    succeeded_at: r.succeededAt?.toISOString() ?? null,
  };
}

/**
 * Refunds, full and partial, never more than was captured, even when asked concurrently.
 *
 * 1. Reserve: with the payment row locked (FOR UPDATE), check captured − refunded − pending ≥ the
 *    amount, insert the refund `pending` (pending refunds are the reservation) and an outbox job
 *    that sends it later if nothing else does; commit.
 * 2. Send: ask the provider outside any transaction, with the refund's own idempotency key.
 * 3. Settle: with the order and payment locked, record the answer: succeeded → payment.refunded and
 *    order.refundedAmount grow (the order becomes `refunded` when nothing is left), the scheduled
 *    transfer shrinks; refused → failed, the reservation is released; unreachable → still pending,
 *    and a job sends it again with the same key.
 *
 * Locks, always in this order: order, payment, refund, transfer.
 */
@Injectable()
export class RefundsService {
  private readonly logger = new Logger(RefundsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly orders: OrdersService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly transfers: TransfersService,
  ) {}

  // --- requests -------------------------------------------------------------------------------

  /**
   * POST /api/refunds/create: reserves, sends and settles one refund. Answers the refund, `pending`
   * when the provider could not be reached (the worker retries it); throws when the amount does
   * not fit (409 ERR_REFUND_EXCEEDS_CAPTURED) or the provider refuses (the refund is then failed).
   */
  async create(ctx: RequestContext, merchantId: string | undefined, input: { paymentIntentId: string; amount?: string | number | null; reason: RefundReasonValue }): Promise<Refund> {
    const payment = await this.findPaymentByIntent(merchantId, input.paymentIntentId);
    const amount = input.amount === undefined || input.amount === null ? null : this.parseAmount(input.amount, payment.currency);
    const reserved = await this.dataSource.transaction(async (manager) => {
      const locked = await this.lockPayment(manager, payment.id);
      const id = randomUUID();
      const refund = (await this.reserve(manager, locked, {
        id,
        amount,
        reason: input.reason,
        source: 'api',
        idempotencyKey: paymentIdempotencyKey('refund', id),
        requestedBy: actorOf(ctx),
        note: null,
        sendDelayMs: REFUND_RECOVERY_DELAY_MS,
      }))!;
      await this.audit.record(manager, ctx, {
        action: 'refund.create',
        entityType: 'refund',
        entityId: refund.id,
        merchantId: refund.merchantId,
        after: { order_id: refund.orderId, payment_intent_id: refund.paymentIntentId, amount: formatMinor(refund.amount, refund.currency), currency: refund.currency, reason: refund.reason },
      });
      return refund;
    });
    const { refund, error } = await this.send(reserved.id, 'request');
    if (error instanceof PaymentProviderError && !error.retryable) {
      if (error.kind === 'refund_exceeds_captured') {
        throw new RefundExceedsCapturedError('The payment provider refused the refund: it exceeds what is left of the captured amount', {
          refund_id: refund.id,
          provider_code: error.providerCode,
        });
      }
      throw error;
    }
    return refund;
  }

  async get(merchantId: string | undefined, id: string): Promise<Refund> {
    const refund = isUuid(id) ? await this.dataSource.manager.findOneBy(Refund, { id, ...(merchantId !== undefined ? { merchantId } : {}) }) : null;
    if (!refund) throw new NotFoundError('Refund', id);
    return refund;
  }

  async list(merchantId: string | undefined, filter: { orderId?: string; paymentIntentId?: string; status?: RefundStatus }, page: PageRequest): Promise<Page<Refund>> {
    const qb = this.dataSource.getRepository(Refund).createQueryBuilder('r');
    if (merchantId !== undefined) qb.andWhere('r.merchant_id = :merchantId', { merchantId });
    if (filter.orderId) qb.andWhere('r.order_id = :orderId', { orderId: filter.orderId });
    if (filter.paymentIntentId) qb.andWhere('r.payment_intent_id = :intent', { intent: filter.paymentIntentId });
    if (filter.status) qb.andWhere('r.status = :status', { status: filter.status });
    const [items, total] = await qb.orderBy('r.createdAt', 'DESC').addOrderBy('r.id', 'DESC').skip(page.offset).take(page.limit).getManyAndCount();
    return toPage(items, total, page);
  }

  // --- for the payments module and the jobs ---------------------------------------------------

  /**
   * A paid order was cancelled (the RefundCancelledOrder job): refunds what is left of its
   * captured payment in full. The refund's id and idempotency key derive from the order id, so a
   * repeated job finds and re-sends the same refund. Throws a retryable provider error (the job
   * retries); null when nothing is left to refund.
   */
  async refundCancelledOrder(orderId: string, merchantId: string): Promise<Refund | null> {
    const id = derivedUuid('order-cancel-refund', orderId);
    const reserved = await this.dataSource.transaction(async (manager) => {
      const order = await this.orders.lock(manager, orderId, { merchantId });
      const existing = await manager.findOneBy(Refund, { id });
      if (existing) return existing;
      const payment = await this.lockPaymentOfOrder(manager, order.id);
      if (!payment || payment.captured <= 0) return null;
      return this.reserve(manager, payment, {
        id,
        amount: null,
        reason: 'requested_by_customer',
        source: 'order_cancel',
        idempotencyKey: paymentIdempotencyKey('refund', 'order-cancel', order.id),
        requestedBy: 'system:order-cancel',
        note: `Order ${order.orderNumber} was cancelled`.slice(0, 500),
        sendDelayMs: null,
        skipWhenNothingLeft: true,
      });
    });
    return reserved ? this.sendFromJob(reserved.id) : null;
  }

  /**
   * A payment succeeded for an order that was already cancelled or expired (call it in the
   * transaction that records that payment, after its captured amount is saved): records a full
   * refund, pending, and publishes the job that sends it after the commit. Idempotent (one such
   * refund per payment); null when nothing is left to refund.
   */
  async refundLatePayment(manager: EntityManager, order: Order, payment: Payment, reason: string): Promise<Refund | null> {
    const locked = await this.lockPayment(manager, payment.id);
    if (locked.orderId !== order.id) throw new Error(`refundLatePayment: payment ${payment.id} is not order ${order.id}'s`);
    if (locked.captured <= 0) throw new Error(`refundLatePayment: payment ${payment.id} has no captured amount yet; save it first`);
    const id = derivedUuid('late-payment-refund', locked.id);
    const existing = await manager.findOneBy(Refund, { id });
    if (existing) return existing;
    return this.reserve(manager, locked, {
      id,
      amount: null,
      reason: null,
      source: 'late_payment',
      idempotencyKey: paymentIdempotencyKey('refund', id),
      requestedBy: 'system:late-payment',
      note: reason.slice(0, 500),
      sendDelayMs: 0,
      skipWhenNothingLeft: true,
    });
  }

  /**
   * A charge.refunded event (refunds made at the provider, e.g. from the Stripe dashboard, and
   * confirmations of ours), in the event's transaction. Our refunds are matched by provider refund
   * id (or the refund id the provider echoes); others are recorded with source `provider`.
   * payment.refunded becomes the provider's total (never above captured, never lower than before:
   * events may arrive out of order); the order becomes `refunded` when nothing is left.
   * Idempotent: a repeated event records nothing new.
   */
  async reconcileProviderRefund(manager: EntityManager, input: ProviderRefundReconciliation): Promise<ReconcileResult> {
    const order = await this.orders.lock(manager, input.orderId);
    const payment = await this.lockPaymentOfOrder(manager, order.id);
    if (!payment) throw new NotFoundError('Payment of order', order.id);
    if (input.chargeId && !payment.chargeId) {
      await manager.update(Payment, { id: payment.id }, { chargeId: input.chargeId });
      payment.chargeId = input.chargeId;
    }
    const result: ReconcileResult = { recorded: 0, confirmed: 0, failed: 0, refundedMinor: payment.refunded, orderRefunded: false };
    for (const reported of input.providerRefunds) {
      const ours = await this.matchOwnRefund(manager, payment, reported);
      const done = reported.status === 'succeeded';
      const refused = reported.status === 'failed' || reported.status === 'canceled';
      if (ours) {
        if (ours.status !== 'pending') continue;
        if (done) {
          await manager.update(Refund, { id: ours.id }, { status: 'succeeded', providerRefundId: reported.id, succeededAt: new Date(), failureMessage: null });
          result.confirmed++;
        } else if (refused) {
          await manager.update(Refund, { id: ours.id }, { status: 'failed', providerRefundId: reported.id, failedAt: new Date(), failureMessage: `The provider reports the refund ${reported.status}` });
          result.failed++;
        } else if (!ours.providerRefundId) {
          await manager.update(Refund, { id: ours.id }, { providerRefundId: reported.id });
        }
        continue;
      }
      if (refused || reported.amountMinor <= 0) continue; // no money moved
      // Stripe counts pending refunds in amount_refunded: so do we, for refunds it made on its own.
      const inserted = await this.insertProviderRefund(manager, payment, reported.amountMinor, reported.id, input.eventId);
      if (inserted) result.recorded++;
    }
    // A total beyond what the list explains (Stripe's events omit the list unless expanded): one
    // more provider refund for the difference, leaving room for our pending ones it may include.
    const { succeeded, pending } = await this.sums(manager, payment.id);
    const unexplained = Math.min(payment.captured, input.refundedMinor) - succeeded - pending;
    if (unexplained > 0 && (await this.insertProviderRefund(manager, payment, unexplained, null, input.eventId))) result.recorded++;
    const wasRefunded = order.status === 'refunded';
    await this.syncTotals(manager, order, payment, { providerTotal: input.refundedMinor, actorId: input.eventId });
    result.refundedMinor = payment.refunded;
    result.orderRefunded = !wasRefunded && order.status === 'refunded';
    return result;
  }

  /** The RefundSend job: sends a pending refund; rethrows retryable provider errors for the job's backoff. */
  async sendFromJob(refundId: string): Promise<Refund> {
    const { refund, error } = await this.send(refundId, 'job');
    if (error && !(error instanceof PaymentProviderError && !error.retryable)) throw error;
    return refund;
  }

  /** Pending refunds the provider never answered (jobs ran out of retries, or the process died): the sweep sends them again. */
  async stalePendingIds(limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM refunds
        WHERE status = 'pending' AND provider_refund_id IS NULL AND idempotency_key IS NOT NULL AND updated_at <= now() - make_interval(secs => $2)
        ORDER BY created_at LIMIT $1`,
      [limit, STALE_PENDING_REFUND_MS / 1000],
    );
    return rows.map((r) => r.id);
  }

  // --- the three steps ------------------------------------------------------------------------

  /** With the payment row locked by the caller: checks the amount fits and inserts the refund `pending`. */
  private async reserve(manager: EntityManager, payment: Payment, options: ReserveOptions): Promise<Refund | null> {
    const money = (minor: number) => formatMinor(minor, payment.currency);
    if (payment.captured <= 0 || !payment.paymentIntentId) {
      if (options.skipWhenNothingLeft) return null;
      throw new PaymentNotRefundableError('This payment has not captured any money yet', { payment_intent_id: payment.paymentIntentId, status: payment.status });
    }
    const { pending } = await this.sums(manager, payment.id);
    const refundable = payment.captured - payment.refunded - pending;
    const amount = options.amount ?? refundable;
    if (amount <= 0 || amount > refundable) {
      if (options.skipWhenNothingLeft && refundable <= 0) return null;
      throw new RefundExceedsCapturedError(
        refundable <= 0
          ? 'Nothing is left to refund on this payment'
          : `The refund of ${money(amount)} ${payment.currency} exceeds what is left to refund (${money(refundable)} ${payment.currency})`,
        {
          payment_intent_id: payment.paymentIntentId,
          currency: payment.currency,
          requested: money(Math.max(amount, 0)),
          captured: money(payment.captured),
          refunded: money(payment.refunded),
          pending: money(pending),
          refundable: money(Math.max(refundable, 0)),
        },
      );
    }
    const refund = manager.create(Refund, {
      id: options.id,
      merchantId: payment.merchantId,
      orderId: payment.orderId,
      paymentId: payment.id,
      paymentIntentId: payment.paymentIntentId,
      amount,
      currency: payment.currency,
      reason: options.reason,
      status: 'pending',
      source: options.source,
      note: options.note,
      idempotencyKey: options.idempotencyKey,
      requestedBy: options.requestedBy,
    });
    await manager.insert(Refund, refund);
    if (options.sendDelayMs !== null) {
      await this.outbox.publish(manager, Jobs.RefundSend, { refund_id: refund.id, merchant_id: refund.merchantId }, { delayMs: options.sendDelayMs });
    }
    return manager.findOneByOrFail(Refund, { id: refund.id });
  }

  /** Asks the provider (no transaction open), then settles. Returns the error for the caller to act on. */
  private async send(refundId: string, via: 'request' | 'job'): Promise<{ refund: Refund; error: unknown }> {
    const refund = await this.dataSource.manager.findOneBy(Refund, { id: refundId });
    if (!refund) throw new NotFoundError('Refund', refundId);
    // Settled, or accepted by the provider and waiting for its confirmation (charge.refunded).
    if (refund.status !== 'pending' || refund.providerRefundId || !refund.idempotencyKey || !refund.paymentIntentId) return { refund, error: null };
    let outcome: SendOutcome;
    try {
      const result = await this.provider.refund({
        paymentIntentId: refund.paymentIntentId,
        amountMinor: refund.amount,
        currency: refund.currency,
        ...(refund.reason ? { reason: refund.reason } : {}),
        idempotencyKey: refund.idempotencyKey,
        metadata: { refund_id: refund.id, order_id: refund.orderId },
      });
      outcome = { kind: 'answered', result };
    } catch (err) {
      outcome = err instanceof PaymentProviderError && !err.retryable ? { kind: 'refused', error: err } : { kind: 'retry', error: err };
      this.logger.warn({ refund_id: refund.id, via, err: messageOf(err) }, outcome.kind === 'refused' ? 'The provider refused a refund' : 'Refund not sent yet; it will be retried');
    }
    const settled = await this.dataSource.transaction((manager) => this.settle(manager, refundId, outcome, via));
    return { refund: settled, error: outcome.kind === 'answered' ? null : outcome.error };
  }

  private async settle(manager: EntityManager, refundId: string, outcome: SendOutcome, via: 'request' | 'job'): Promise<Refund> {
    const found = await manager.findOneByOrFail(Refund, { id: refundId });
    const order = await this.orders.lock(manager, found.orderId);
    const payment = await this.lockPayment(manager, found.paymentId);
    const refund = await manager.createQueryBuilder(Refund, 'r').where('r.id = :id', { id: refundId }).setLock('pessimistic_write').getOneOrFail();
    refund.attempts += 1;
    await manager.update(Refund, { id: refund.id }, { attempts: refund.attempts });
    if (refund.status !== 'pending') return refund; // settled meanwhile (the other path, or a charge.refunded event)

    if (outcome.kind === 'answered') {
      const answer = outcome.result;
      await this.adoptProviderRefundId(manager, refund, answer.refundId);
      if (answer.status === 'failed' || answer.status === 'canceled') {
        await this.fail(manager, refund, `The provider reports the refund ${answer.status}`);
      } else if (answer.status === 'succeeded') {
        Object.assign(refund, { status: 'succeeded', succeededAt: new Date(), failureMessage: null });
        await manager.update(Refund, { id: refund.id }, { status: refund.status, succeededAt: refund.succeededAt, failureMessage: null });
        await this.syncTotals(manager, order, payment, { actorId: `refund:${refund.id}` });
      }
      // pending at the provider: the reservation holds until its charge.refunded event confirms it.
    } else if (outcome.kind === 'refused') {
      await this.fail(manager, refund, messageOf(outcome.error));
    } else {
      refund.failureMessage = messageOf(outcome.error);
      await manager.update(Refund, { id: refund.id }, { failureMessage: refund.failureMessage });
      // The job published with the reservation waits a minute for crashes; try again now instead.
      if (via === 'request') await this.outbox.publish(manager, Jobs.RefundSend, { refund_id: refund.id, merchant_id: refund.merchantId });
    }
    return manager.findOneByOrFail(Refund, { id: refund.id });
  }

  /**
   * payment.refunded and order.refundedAmount from the succeeded refunds (and the provider's own
   * total when an event names it), capped by captured and never going down; the scheduled transfer
   * follows; the order becomes `refunded` (order.refunded) when nothing is left.
   */
  private async syncTotals(manager: EntityManager, order: Order, payment: Payment, options: { providerTotal?: number; actorId: string }): Promise<void> {
    const { succeeded } = await this.sums(manager, payment.id);
    const refunded = Math.max(payment.refunded, Math.min(payment.captured, Math.max(succeeded, options.providerTotal ?? 0)));
    if (refunded !== payment.refunded) {
      await manager.update(Payment, { id: payment.id }, { refunded });
      payment.refunded = refunded;
    }
    await this.transfers.applyRefunds(manager, payment);
    const full = payment.captured > 0 && refunded >= payment.captured;
    if (full && order.status !== 'refunded' && canTransition(order.status, 'refunded', 'payment')) {
      await this.orders.transition(manager, null, order, 'refunded', 'payment', {
        actorId: options.actorId,
        note: `Refunded in full: ${formatMinor(refunded, payment.currency)} ${payment.currency}`,
        patch: { refundedAmount: refunded },
      });
    } else if (order.refundedAmount !== refunded) {
      await manager.update(Order, { id: order.id }, { refundedAmount: refunded });
      order.refundedAmount = refunded;
    }
  }

  // --- helpers --------------------------------------------------------------------------------

  private async fail(manager: EntityManager, refund: Refund, message: string): Promise<void> {
    Object.assign(refund, { status: 'failed', failedAt: new Date(), failureMessage: message.slice(0, 500) });
    await manager.update(Refund, { id: refund.id }, { status: refund.status, failedAt: refund.failedAt, failureMessage: refund.failureMessage });
  }

  /**
   * Records the provider's id on our refund. A charge.refunded event may have come first and,
   * not knowing it was ours, recorded it as a provider refund: that row gives way to ours (the
   * provider's total already counted it once, and ours now stands for it).
   */
  private async adoptProviderRefundId(manager: EntityManager, refund: Refund, providerRefundId: string): Promise<void> {
    await manager.delete(Refund, { providerRefundId, source: 'provider', paymentId: refund.paymentId });
    refund.providerRefundId = providerRefundId;
    await manager.update(Refund, { id: refund.id }, { providerRefundId });
  }

  /** Our refund a reported one stands for: by provider id, by the id it echoes, else a pending one of ours of that amount not yet answered. */
  private async matchOwnRefund(manager: EntityManager, payment: Payment, reported: ProviderRefundReport): Promise<Refund | null> {
    const byProviderId = await manager.findOneBy(Refund, { providerRefundId: reported.id, paymentId: payment.id });
    if (byProviderId) return byProviderId;
    if (reported.refundId && isUuid(reported.refundId)) {
      const byId = await manager.findOneBy(Refund, { id: reported.refundId, paymentId: payment.id });
      if (byId && byId.providerRefundId === null) return byId;
    }
    // Sent, answered by the provider, but the answer was lost (a crash): the event is the first to tell.
    return manager
      .createQueryBuilder(Refund, 'r')
      .where('r.payment_id = :paymentId AND r.status = :pending AND r.provider_refund_id IS NULL AND r.amount = :amount AND r.source <> :provider', {
        paymentId: payment.id,
        pending: 'pending',
        amount: reported.amountMinor,
        provider: 'provider',
      })
      .orderBy('r.created_at', 'ASC')
      .getOne();
  }

  private async insertProviderRefund(manager: EntityManager, payment: Payment, amount: number, providerRefundId: string | null, eventId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO refunds (merchant_id, order_id, payment_id, payment_intent_id, amount, currency, status, source, note, provider_refund_id, provider_event_id, requested_by, succeeded_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'succeeded', 'provider', $7, $8, $9, 'provider', now())
       ON CONFLICT DO NOTHING RETURNING id`,
      [payment.merchantId, payment.orderId, payment.id, payment.paymentIntentId, amount, payment.currency, 'Refunded at the payment provider', providerRefundId, eventId],
    );
    return rows.length > 0;
  }

  private async sums(manager: EntityManager, paymentId: string): Promise<{ succeeded: number; pending: number }> {
    const [row]: { succeeded: string; pending: string }[] = await manager.query(
      `SELECT COALESCE(SUM(amount) FILTER (WHERE status = 'succeeded'), 0) AS succeeded, COALESCE(SUM(amount) FILTER (WHERE status = 'pending'), 0) AS pending
         FROM refunds WHERE payment_id = $1`,
      [paymentId],
    );
    return { succeeded: Number(row.succeeded), pending: Number(row.pending) };
  }

  private async findPaymentByIntent(merchantId: string | undefined, paymentIntentId: string): Promise<Payment> {
    const qb = this.dataSource.getRepository(Payment).createQueryBuilder('p').where('p.payment_intent_id = :paymentIntentId', { paymentIntentId });
    if (merchantId !== undefined) qb.andWhere('p.merchant_id = :merchantId', { merchantId });
    const payment = await qb.orderBy('p.created_at', 'DESC').getOne();
    if (!payment) throw new NotFoundError('Payment', paymentIntentId.slice(0, 255));
    return payment;
  }

  private lockPayment(manager: EntityManager, paymentId: string): Promise<Payment> {
    return manager.createQueryBuilder(Payment, 'p').where('p.id = :paymentId', { paymentId }).setLock('pessimistic_write').getOneOrFail();
  }

  private lockPaymentOfOrder(manager: EntityManager, orderId: string): Promise<Payment | null> {
    return manager.createQueryBuilder(Payment, 'p').where('p.order_id = :orderId', { orderId }).setLock('pessimistic_write').getOne();
  }

  private parseAmount(input: string | number, currency: string): number {
    try {
      return parseMoney(input, currency, { allowZero: false });
    } catch (err) {
      if (err instanceof MoneyError) throw new ValidationError(`amount: ${err.message}`, { amount: [err.message] });
      throw err;
    }
  }
}
