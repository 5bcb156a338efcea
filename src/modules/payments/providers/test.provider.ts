import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { APP_CONFIG, AppConfig, ConflictError, normalizeCurrency, preparedQuery, sendStatement } from '@app/common';
import { TestPaymentRefund, TestPaymentSession } from '../entities/test-payment-session.entity';
import {
  assertCheckoutTotals,
  CheckoutSession,
  CreateCheckoutInput,
  derivedUuid,
  InvalidWebhookError,
  normalizeProviderEvent,
  PaymentProvider,
  PaymentProviderError,
  PreparedCheckoutSession,
  ProviderEvent,
  ProviderPaymentState,
  ProviderPaymentStatus,
  ProviderRefund,
  RefundInput,
  TransferInput,
} from './payment-provider';

const SESSION_PREFIX = 'test_cs_';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DECLINE = { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' };

/** What the test checkout page (and the controller redirecting after it) needs to know about a session. */
export interface TestCheckoutView {
  sessionId: string;
  orderId: string;
  orderNumber: string;
  amountMinor: number;
  currency: string;
  state: ProviderPaymentState;
  expiresAt: Date;
  /** With `{CHECKOUT_SESSION_ID}` already replaced, as Stripe does. */
  successUrl: string;
  cancelUrl: string;
}

const sessionIdOf = (row: Pick<TestPaymentSession, 'id'>) => `${SESSION_PREFIX}${row.id}`;
const stripeTime = (date: Date) => Math.floor(date.getTime() / 1000);
const withSessionId = (url: string, sessionId: string) => url.split('{CHECKOUT_SESSION_ID}').join(sessionId);

/**
 * The payment provider for laptops and tests: no network, no money. Checkout sends the customer to
 * a page of this API with Pay and Fail buttons; the controller behind them calls complete()/fail(),
 * which settle the session and return the ProviderEvent Stripe's webhook would have carried
 * (checkout.session.completed / payment_intent.payment_failed), so the payments service processes
 * both through one code path. Sessions and refunds live in PostgreSQL (see TestPaymentSession).
 */
@Injectable()
export class TestPaymentProvider implements PaymentProvider {
  readonly name = 'test' as const;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async createCheckoutSession(input: CreateCheckoutInput): Promise<CheckoutSession> {
    assertCheckoutTotals(input, this.name);
    const currency = normalizeCurrency(input.currency);
    const values = {
      idempotencyKey: input.idempotencyKey,
      orderId: input.orderId,
      orderNumber: input.orderNumber,
      merchantId: input.merchantId,
      amountMinor: input.amountMinor,
      currency,
      successUrl: input.successUrl,
      cancelUrl: input.cancelUrl,
      expiresAt: input.expiresAt,
    };
    // A retried call with the same key finds the first call's session instead of making another.
    // (A prepared statement: every checkout with the test provider runs it.)
    const [inserted] = await preparedQuery<{ id: string }>(
      this.dataSource.manager,
      `INSERT INTO test_payment_sessions (idempotency_key, order_id, order_number, merchant_id, amount_minor, currency, success_url, cancel_url, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id`,
      [values.idempotencyKey, values.orderId, values.orderNumber, values.merchantId, values.amountMinor, values.currency, values.successUrl, values.cancelUrl, values.expiresAt],
    );
    const createdId = inserted?.id;
    const row: Pick<TestPaymentSession, 'id' | 'orderId' | 'amountMinor' | 'currency' | 'paymentIntentId' | 'expiresAt'> = createdId
      ? { ...values, id: createdId, paymentIntentId: null }
      : await this.dataSource.getRepository(TestPaymentSession).findOneByOrFail({ idempotencyKey: input.idempotencyKey });
    if (row.orderId !== input.orderId || row.amountMinor !== input.amountMinor || row.currency !== currency) {
      throw new PaymentProviderError('idempotency_conflict', `idempotency key ${input.idempotencyKey} was used for another checkout`, this.name);
    }
    return this.checkoutSessionOf(row);
  }

  /** A session row as checkout sees it: where the customer pays (this API's test checkout page). */
  private checkoutSessionOf(row: Pick<TestPaymentSession, 'id' | 'paymentIntentId' | 'expiresAt'>): CheckoutSession {
    const sessionId = sessionIdOf(row);
    return {
      provider: this.name,
      sessionId,
      paymentIntentId: row.paymentIntentId,
      url: `${this.config.publicBaseUrl}/api/payments/test-checkout/${sessionId}`,
      clientSecret: null,
      expiresAt: row.expiresAt,
    };
  }

  /**
   * The session of a checkout, written in the checkout's transaction: its id is made here, and its
   * row copies the order's number from the order row (so `write` must follow the order's
   * statement; without the order the number is null and the row, and the transaction, fail).
   * The order is new, so its idempotency key is too: a clash fails the transaction.
   */
  prepareCheckoutSession(input: Omit<CreateCheckoutInput, 'orderNumber'>): PreparedCheckoutSession {
    assertCheckoutTotals(input, this.name);
    const id = randomUUID();
    const session = this.checkoutSessionOf({ id, paymentIntentId: null, expiresAt: input.expiresAt });
    const values = [id, input.idempotencyKey, input.orderId, input.merchantId, input.amountMinor, normalizeCurrency(input.currency), input.successUrl, input.cancelUrl, input.expiresAt];
    return {
      session,
      write: (manager) =>
        sendStatement(
          manager,
          `INSERT INTO test_payment_sessions (id, idempotency_key, order_id, order_number, merchant_id, amount_minor, currency, success_url, cancel_url, expires_at)
           VALUES ($1, $2, $3, (SELECT order_number FROM orders WHERE id = $3), $4, $5, $6, $7, $8, $9)`,
          values,
        ),
    };
  }

  async retrieveStatus(sessionId: string): Promise<ProviderPaymentStatus> {
    const row = await this.expireIfDue(await this.findSession(this.dataSource.manager, sessionId));
    return {
      state: row.status,
      sessionId: sessionIdOf(row),
      paymentIntentId: row.paymentIntentId,
      chargeId: row.status === 'paid' ? row.chargeId : null,
      amountMinor: row.amountMinor,
      currency: row.currency,
      failureMessage: row.failureMessage,
    };
  }

  /** The session as the test checkout page shows it (expired when its time is up). */
  async getCheckout(sessionId: string): Promise<TestCheckoutView> {
    const row = await this.expireIfDue(await this.findSession(this.dataSource.manager, sessionId));
    const id = sessionIdOf(row);
    return {
      sessionId: id,
      orderId: row.orderId,
      orderNumber: row.orderNumber,
      amountMinor: row.amountMinor,
      currency: row.currency,
      state: row.status,
      expiresAt: row.expiresAt,
      successUrl: withSessionId(row.successUrl, id),
      cancelUrl: withSessionId(row.cancelUrl, id),
    };
  }

  async expireSession(sessionId: string, _idempotencyKey: string): Promise<ProviderPaymentState> {
    const id = this.rowId(sessionId);
    await this.dataSource
      .createQueryBuilder()
      .update(TestPaymentSession)
      .set({ status: 'expired', settledAt: () => 'now()' })
      .where('id = :id AND status = :pending', { id, pending: 'pending' })
      .execute();
    return (await this.findSession(this.dataSource.manager, sessionId)).status;
  }

  /**
   * The Pay button: the session becomes paid (a payment intent and a charge appear) and the result
   * is Stripe's checkout.session.completed. Paying twice returns the same event (same id), so the
   * processed-event store drops the repeat; paying a failed or expired session is refused.
   */
  async complete(sessionId: string): Promise<ProviderEvent> {
    const row = await this.settle(sessionId, 'paid', (r) => ({ paymentIntentId: r.paymentIntentId ?? `test_pi_${randomUUID()}`, chargeId: `test_ch_${randomUUID()}`, failureMessage: null }));
    return normalizeProviderEvent(this.eventId(row, 'checkout.session.completed'), 'checkout.session.completed', row.settledAt!, this.sessionObject(row));
  }

  /** The Fail button: a declined card, ending the session; the result is Stripe's payment_intent.payment_failed. */
  async fail(sessionId: string): Promise<ProviderEvent> {
    const row = await this.settle(sessionId, 'failed', (r) => ({ paymentIntentId: r.paymentIntentId ?? `test_pi_${randomUUID()}`, chargeId: `test_ch_${randomUUID()}`, failureMessage: DECLINE.message }));
    return normalizeProviderEvent(this.eventId(row, 'payment_intent.payment_failed'), 'payment_intent.payment_failed', row.settledAt!, {
      id: row.paymentIntentId,
      object: 'payment_intent',
      amount: row.amountMinor,
      currency: row.currency.toLowerCase(),
      status: 'requires_payment_method',
      latest_charge: row.chargeId,
      last_payment_error: DECLINE,
      metadata: this.metadata(row),
      created: stripeTime(row.settledAt!),
      livemode: false,
    });
  }

  /**
   * Records a refund, never beyond what was captured: refunds of one payment serialize on its
   * session row. A retry with the same idempotency key returns the first refund.
   */
  async refund(input: RefundInput): Promise<ProviderRefund> {
    if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) {
      throw new PaymentProviderError('invalid_request', 'a refund amount must be a positive integer', this.name);
    }
    const currency = normalizeCurrency(input.currency);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const session = await manager.findOne(TestPaymentSession, { where: { paymentIntentId: input.paymentIntentId }, lock: { mode: 'pessimistic_write' } });
        if (!session) throw new PaymentProviderError('not_found', `no payment intent ${input.paymentIntentId}`, this.name);
        const earlier = await manager.findOneBy(TestPaymentRefund, { idempotencyKey: input.idempotencyKey });
        if (earlier) return this.replayRefund(earlier, input, currency);
        if (session.status !== 'paid') throw new PaymentProviderError('invalid_request', `payment intent ${input.paymentIntentId} has no captured payment (${session.status})`, this.name);
        if (currency !== session.currency) throw new PaymentProviderError('invalid_request', `refund currency ${currency} differs from the payment's ${session.currency}`, this.name);
        const remaining = session.amountMinor - session.refundedMinor;
        if (remaining === 0) throw new PaymentProviderError('refund_exceeds_captured', `charge ${session.chargeId} has already been refunded`, this.name, 'charge_already_refunded');
        if (input.amountMinor > remaining) {
          throw new PaymentProviderError('refund_exceeds_captured', `refund amount ${input.amountMinor} is greater than the unrefunded amount ${remaining}`, this.name, 'amount_too_large');
        }
        const refund = await manager.save(
          manager.create(TestPaymentRefund, {
            idempotencyKey: input.idempotencyKey,
            sessionId: session.id,
            paymentIntentId: input.paymentIntentId,
            amountMinor: input.amountMinor,
            currency,
            reason: input.reason ?? null,
          }),
        );
        await manager.update(TestPaymentSession, { id: session.id }, { refundedMinor: session.refundedMinor + input.amountMinor });
        return this.refundView(refund);
      });
    } catch (err) {
      // The same key used at once for two payments: the unique index lets one through.
      if (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505') {
        const earlier = await this.dataSource.getRepository(TestPaymentRefund).findOneBy({ idempotencyKey: input.idempotencyKey });
        if (earlier) return this.replayRefund(earlier, input, currency);
      }
      throw err;
    }
  }

  /**
   * No money moves here, so there is nothing to keep: the id is derived from the idempotency key,
   * which makes a retried transfer return the same id, as Stripe would.
   */
  async createTransfer(input: TransferInput): Promise<{ transferId: string }> {
    if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) {
      throw new PaymentProviderError('invalid_request', 'a transfer amount must be a positive integer', this.name);
    }
    if (input.sourceChargeId) {
      const paid = await this.dataSource.getRepository(TestPaymentSession).existsBy({ chargeId: input.sourceChargeId, status: 'paid' });
      if (!paid) throw new PaymentProviderError('invalid_request', `no captured charge ${input.sourceChargeId} to fund the transfer`, this.name);
    }
    return { transferId: `test_tr_${derivedUuid('transfer', input.idempotencyKey)}` };
  }

  verifyWebhook(_rawBody: Buffer, _signatureHeader: string | undefined): ProviderEvent {
    throw new InvalidWebhookError('not_supported', 'The test payment provider sends no webhooks: its checkout page settles payments directly');
  }

  /** Moves a pending session to paid/failed under a row lock; repeating the same move returns the row unchanged. */
  private async settle(sessionId: string, to: 'paid' | 'failed', changes: (row: TestPaymentSession) => Partial<TestPaymentSession>): Promise<TestPaymentSession> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const row = await this.findSession(manager, sessionId, true);
      if (row.status === 'pending' && row.expiresAt.getTime() <= Date.now()) {
        await manager.update(TestPaymentSession, { id: row.id }, { status: 'expired', settledAt: new Date() });
        return { row: { ...row, status: 'expired' as const } };
      }
      if (row.status !== 'pending') return { row };
      const settled = Object.assign(row, changes(row), { status: to, settledAt: new Date() });
      await manager.save(settled);
      return { row: settled };
    });
    const { row } = outcome;
    if (row.status !== to) throw new ConflictError(`Test checkout session ${sessionId} is ${row.status}`, { session_id: sessionId, status: row.status });
    return row;
  }

  private async expireIfDue(row: TestPaymentSession): Promise<TestPaymentSession> {
    if (row.status !== 'pending' || row.expiresAt.getTime() > Date.now()) return row;
    await this.expireSession(sessionIdOf(row), 'expiry');
    return this.findSession(this.dataSource.manager, sessionIdOf(row));
  }

  private async findSession(manager: EntityManager, sessionId: string, lock = false): Promise<TestPaymentSession> {
    const row = await manager.findOne(TestPaymentSession, { where: { id: this.rowId(sessionId) }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!row) throw new PaymentProviderError('not_found', `no test checkout session ${sessionId}`, this.name);
    return row;
  }

  private rowId(sessionId: string): string {
    const id = sessionId.startsWith(SESSION_PREFIX) ? sessionId.slice(SESSION_PREFIX.length) : '';
    if (!UUID.test(id)) throw new PaymentProviderError('not_found', `no test checkout session ${sessionId}`, this.name);
    return id;
  }

  private metadata(row: TestPaymentSession): Record<string, string> {
    return { order_id: row.orderId, order_number: row.orderNumber, merchant_id: row.merchantId };
  }

  /** A Checkout Session in Stripe's wire shape (lower-case currency, unix seconds). */
  private sessionObject(row: TestPaymentSession): Record<string, unknown> {
    return {
      id: sessionIdOf(row),
      object: 'checkout.session',
      mode: 'payment',
      status: 'complete',
      payment_status: 'paid',
      amount_total: row.amountMinor,
      currency: row.currency.toLowerCase(),
      client_reference_id: row.orderId,
      metadata: this.metadata(row),
      payment_intent: row.paymentIntentId,
      expires_at: stripeTime(row.expiresAt),
      created: stripeTime(row.createdAt),
      livemode: false,
    };
  }

  /** One id per session and outcome: a repeated click yields the same event, deduplicated downstream. */
  private eventId(row: TestPaymentSession, type: string): string {
    return `test_evt_${derivedUuid(row.id, type)}`;
  }

  private replayRefund(earlier: TestPaymentRefund, input: RefundInput, currency: string): ProviderRefund {
    if (earlier.paymentIntentId !== input.paymentIntentId || earlier.amountMinor !== input.amountMinor || earlier.currency !== currency) {
      throw new PaymentProviderError('idempotency_conflict', `idempotency key ${input.idempotencyKey} was used for another refund`, this.name);
    }
    return this.refundView(earlier);
  }

  private refundView(refund: TestPaymentRefund): ProviderRefund {
    return { refundId: `test_re_${refund.id}`, status: 'succeeded', amountMinor: refund.amountMinor, currency: refund.currency, paymentIntentId: refund.paymentIntentId };
  }
}
