import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig, Jobs, OutboxService, PaymentVerifyPayload } from '@app/common';
import { Order } from '../orders/entities/order.entity';
import { Payment } from './entities/payment.entity';
import { PaymentEventsService } from './payment-events.service';
import { normalizeProviderEvent, PAYMENT_PROVIDER, PaymentProvider, ProviderEvent, ProviderPaymentStatus } from './providers/payment-provider';

/** Re-checks back off up to this; the order's expiry ends them anyway. */
const MAX_RECHECK_SECONDS = 30 * 60;
/** The last check runs a little after the order expired, to catch a payment made at the last moment. */
const AFTER_EXPIRY_MS = 5_000;

export type VerificationResult =
  | { result: 'no_payment' | 'settled' }
  | { result: 'checked'; state: ProviderPaymentStatus['state']; recorded: boolean; nextCheckInSeconds: number | null };

/**
 * Seed 002's payment verification: the worker asks the provider how a payment stands, so a
 * webhook that never came does not leave an order unpaid. A provider answer other than
 * `pending` becomes an event (`verify:<session>:<state>`, stored once) applied through the same
 * path as a webhook. Runs after checkout (delayed `payment.verify`, re-scheduling itself with
 * backoff until the order expires) and from a repeatable sweep over payments nobody checked lately.
 */
@Injectable()
export class PaymentVerificationService {
  private readonly logger = new Logger(PaymentVerificationService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly outbox: OutboxService,
    private readonly events: PaymentEventsService,
  ) {}

  /** One check. Provider errors throw (the job retries); `reschedule: false` for the sweep, which has its own rhythm. */
  async verify(payload: PaymentVerifyPayload, options: { reschedule: boolean }): Promise<VerificationResult> {
    const payment = await this.dataSource.manager.findOneBy(Payment, { orderId: payload.order_id, merchantId: payload.merchant_id });
    if (!payment) return { result: 'no_payment' };
    // Failed is not final: a Stripe session stays open and the customer may pay with another card.
    if (payment.status !== 'pending' && payment.status !== 'failed') return { result: 'settled' };
    const order = await this.dataSource.manager.findOneByOrFail(Order, { id: payment.orderId });

    const status = await this.provider.retrieveStatus(payment.sessionId);
    await this.dataSource.query(`UPDATE payments SET last_checked_at = now(), updated_at = now() WHERE id = $1`, [payment.id]);
    let recorded = false;
    if (status.state !== 'pending') recorded = !(await this.events.record(verificationEvent(order, status), 'verification')).duplicate;
    const nextCheckInSeconds = options.reschedule ? await this.reschedule(payload, order, status.state) : null;
    return { result: 'checked', state: status.state, recorded, nextCheckInSeconds };
  }

  /**
   * The safety net (repeatable job): payments still awaited, of orders still awaiting them, that
   * nobody checked for PAYMENT_VERIFY_DELAY_SECONDS. Rows are claimed (stamped) with SKIP LOCKED,
   * so several workers share the work; one failing check does not stop the others.
   */
  async sweep(limit = 100): Promise<{ checked: number; failed: number }> {
    const due: { order_id: string; merchant_id: string }[] = await this.dataSource.query(
      // A CTE, so the driver answers rows (an UPDATE alone answers [rows, count]).
      `WITH claimed AS (
         UPDATE payments SET last_checked_at = now(), updated_at = now()
         WHERE id IN (
           SELECT p.id FROM payments p JOIN orders o ON o.id = p.order_id
           WHERE p.status IN ('pending', 'failed') AND o.status IN ('pending', 'failed')
             AND coalesce(p.last_checked_at, p.created_at) < now() - make_interval(secs => $1)
           ORDER BY coalesce(p.last_checked_at, p.created_at)
           LIMIT $2
           FOR UPDATE OF p SKIP LOCKED)
         RETURNING order_id, merchant_id)
       SELECT order_id, merchant_id FROM claimed`,
      [this.config.payments.verifyDelaySeconds, limit],
    );
    let failed = 0;
    for (const row of due) {
      try {
        await this.verify(row, { reschedule: false });
      } catch (err) {
        failed++;
        this.logger.warn({ order_id: row.order_id, err: (err as Error).message }, 'Payment verification failed; the next sweep tries again');
      }
    }
    return { checked: due.length - failed, failed };
  }

  /** Another check later, backing off, while the order still waits for its payment and has not expired. */
  private async reschedule(payload: PaymentVerifyPayload, order: Order, state: ProviderPaymentStatus['state']): Promise<number | null> {
    if ((state !== 'pending' && state !== 'failed') || (order.status !== 'pending' && order.status !== 'failed')) return null;
    const now = Date.now();
    const expiresAt = order.expiresAt.getTime();
    if (now >= expiresAt) return null;
    const attempt = (payload.attempt ?? 0) + 1;
    const backoffMs = Math.min(this.config.payments.verifyDelaySeconds * 2 ** attempt, MAX_RECHECK_SECONDS) * 1000;
    const delayMs = Math.max(1000, Math.min(backoffMs, expiresAt + AFTER_EXPIRY_MS - now));
    await this.dataSource.transaction((manager) =>
      this.outbox.publish(manager, Jobs.PaymentVerify, { order_id: payload.order_id, merchant_id: payload.merchant_id, attempt }, { delayMs }),
    );
    return Math.round(delayMs / 1000);
  }
}

/**
 * What the provider said, as the event its webhook would have carried (Stripe's wire shape), with
 * an id naming the session and the state: each outcome is stored once however often it is seen.
 */
export function verificationEvent(order: Pick<Order, 'id'>, status: ProviderPaymentStatus): ProviderEvent {
  const id = `verify:${status.sessionId}:${status.state}`;
  const metadata = { order_id: order.id };
  const currency = status.currency.toLowerCase();
  const now = new Date();
  switch (status.state) {
    case 'paid':
      return normalizeProviderEvent(id, 'checkout.session.completed', now, {
        id: status.sessionId,
        object: 'checkout.session',
        status: 'complete',
        payment_status: 'paid',
        amount_total: status.amountMinor,
        currency,
        client_reference_id: order.id,
        metadata,
        // Expanded, as retrieveStatus read it: the charge travels with the event.
        payment_intent: status.paymentIntentId ? { id: status.paymentIntentId, object: 'payment_intent', status: 'succeeded', latest_charge: status.chargeId, amount: status.amountMinor, currency } : null,
      });
    case 'failed':
      return normalizeProviderEvent(id, 'payment_intent.payment_failed', now, {
        id: status.paymentIntentId,
        object: 'payment_intent',
        status: 'requires_payment_method',
        amount: status.amountMinor,
        currency,
        last_payment_error: { message: status.failureMessage ?? 'The payment failed' },
        metadata,
      });
    case 'expired':
      return normalizeProviderEvent(id, 'checkout.session.expired', now, { id: status.sessionId, object: 'checkout.session', status: 'expired', payment_status: 'unpaid', amount_total: status.amountMinor, currency, metadata });
    default:
      throw new Error(`A pending payment is not an event (${status.sessionId})`);
  }
}
