import type Stripe from 'stripe';
import { normalizeCurrency } from '@app/common';
import {
  assertCheckoutTotals,
  CheckoutSession,
  CreateCheckoutInput,
  idOf,
  InvalidWebhookError,
  normalizeProviderEvent,
  PaymentProvider,
  PaymentProviderError,
  ProviderEvent,
  ProviderPaymentState,
  ProviderPaymentStatus,
  ProviderRefund,
  RefundInput,
  transferGroupFor,
  TransferInput,
} from './payment-provider';

/**
 * The Stripe API version every request names. Pinned, so a Stripe account upgrade or an SDK
 * update cannot change the shape of what we read: moving it is a deliberate change, and the
 * SDK's types fail to compile when it no longer matches the installed SDK.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive' satisfies Stripe.LatestApiVersion;

/**
 * The SDK (~220 modules, 40–100 ms) is required when a Stripe provider is constructed rather than
 * when this file is imported, so a process that runs the test provider never loads it (issue 9:
 * API cold start). Only types are imported above.
 */
function loadStripeSdk(): typeof Stripe {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('stripe') as typeof Stripe;
}

/** Stripe refuses a Checkout Session expiring sooner than 30 minutes or later than 24 hours after creation. */
const MIN_SESSION_SECONDS = 30 * 60;
const MAX_SESSION_SECONDS = 24 * 3600;
/** Room for clock skew and the request's own time, so the clamped value is inside Stripe's window when it arrives. */
const EXPIRY_MARGIN_SECONDS = 60;

export interface StripeProviderOptions {
  secretKey: string;
  /** Null: every webhook is refused (only allowed in development). */
  webhookSecret: string | null;
  /** http://127.0.0.1:12111 for stripe-mock or the tests' fake; null = api.stripe.com. */
  apiBaseUrl?: string | null;
  /**
   * Retries of a failed request (network errors, 409, 429, 5xx), with exponential backoff. Safe
   * for writes because every write carries our idempotency key. Default 2.
   */
  maxNetworkRetries?: number;
  /** Per-request time limit. Default 20 s: callers (HTTP, jobs) have their own deadlines to keep. */
  timeoutMs?: number;
  /** How old a webhook signature may be (replay protection). Default 300 s, Stripe's own. */
  webhookToleranceSeconds?: number;
}

/**
 * Stripe Checkout through the official SDK.
 *
 * Marketplace money flow: **separate charges and transfers**, not destination charges. The
 * customer pays the platform (the charge carries the order's transfer group); after
 * STRIPE_TRANSFER_DELAY_DAYS the payments service calls createTransfer for the merchant's net
 * (gross − refunds − platform fee) with the charge as source_transaction. Why: refunds and disputes
 * inside the holding window come out of money the platform still holds, with no transfer
 * reversals; the fee is computed at payout on what was really kept; and merchant_transfers rows
 * have a status we control. Destination charges would move the merchant's share the moment the
 * customer pays, making the delay meaningless and every refund a transfer reversal. (The cost:
 * the platform is the merchant of record, and cross-border transfers follow Stripe's rules for
 * separate charges and transfers.)
 */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;
  /** The SDK's error classes, for instanceof (the SDK itself is loaded in the constructor). */
  private readonly errors: typeof Stripe.errors;
  private readonly webhookSecret: string | null;
  private readonly webhookToleranceSeconds: number;

  constructor(options: StripeProviderOptions) {
    const base = options.apiBaseUrl ? new URL(options.apiBaseUrl) : null;
    const protocol = base?.protocol === 'http:' ? 'http' : 'https';
    const StripeSdk = loadStripeSdk();
    this.errors = StripeSdk.errors;
    this.stripe = new StripeSdk(options.secretKey, {
      apiVersion: STRIPE_API_VERSION,
      maxNetworkRetries: options.maxNetworkRetries ?? 2,
      timeout: options.timeoutMs ?? 20_000,
      telemetry: false,
      appInfo: { name: 'commerce-backend' },
      ...(base ? { host: base.hostname, port: base.port || (protocol === 'http' ? 80 : 443), protocol } : {}),
    });
    this.webhookSecret = options.webhookSecret;
    this.webhookToleranceSeconds = options.webhookToleranceSeconds ?? 300;
  }

  async createCheckoutSession(input: CreateCheckoutInput): Promise<CheckoutSession> {
    assertCheckoutTotals(input, this.name);
    const currency = normalizeCurrency(input.currency).toLowerCase();
    const metadata: Record<string, string> = { order_id: input.orderId, order_number: input.orderNumber, merchant_id: input.merchantId };
    if (input.connectedAccountId) {
      metadata.connected_account_id = input.connectedAccountId;
      if (input.applicationFeeMinor !== null && input.applicationFeeMinor !== undefined) metadata.platform_fee_minor = String(input.applicationFeeMinor);
    }
    const line = (name: string, unitAmount: number, quantity = 1): Stripe.Checkout.SessionCreateParams.LineItem => ({
      quantity,
      price_data: { currency, unit_amount: unitAmount, product_data: { name } },
    });
    const lineItems = input.lines.map((l) => line(l.name, l.unitAmountMinor, l.quantity));
    if (input.shippingMinor > 0) lineItems.push(line('Shipping', input.shippingMinor));
    if (input.taxMinor > 0) lineItems.push(line('Tax', input.taxMinor));

    const session = await this.call('create the checkout session', () =>
      this.stripe.checkout.sessions.create(
        {
          mode: 'payment',
          line_items: lineItems,
          client_reference_id: input.orderId,
          customer_email: input.customerEmail,
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
          expires_at: checkoutExpiresAt(input.expiresAt),
          metadata,
          payment_intent_data: {
            description: `Order ${input.orderNumber}`,
            metadata,
            ...(input.connectedAccountId ? { transfer_group: transferGroupFor(input.orderId) } : {}),
          },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    if (!session.url && !session.client_secret) throw new PaymentProviderError('invalid_request', `checkout session ${session.id} has neither a URL nor a client secret`, this.name);
    return {
      provider: this.name,
      sessionId: session.id,
      paymentIntentId: idOf(session.payment_intent),
      url: session.url ?? '',
      clientSecret: session.client_secret,
      expiresAt: new Date(session.expires_at * 1000),
    };
  }

  async retrieveStatus(sessionId: string): Promise<ProviderPaymentStatus> {
    const session = await this.call('read the checkout session', () =>
      this.stripe.checkout.sessions.retrieve(sessionId, { expand: ['payment_intent', 'payment_intent.latest_charge'] }),
    );
    const intent = session.payment_intent && typeof session.payment_intent === 'object' ? session.payment_intent : null;
    const state = paymentState(session, intent);
    return {
      state,
      sessionId: session.id,
      paymentIntentId: idOf(session.payment_intent),
      chargeId: state === 'paid' ? idOf(intent?.latest_charge) : null,
      amountMinor: session.amount_total ?? intent?.amount ?? 0,
      currency: (session.currency ?? intent?.currency ?? '').toUpperCase(),
      failureMessage: state === 'failed' ? (intent?.last_payment_error?.message ?? 'The payment failed') : null,
    };
  }

  async expireSession(sessionId: string, idempotencyKey: string): Promise<ProviderPaymentState> {
    try {
      const session = await this.call('expire the checkout session', () => this.stripe.checkout.sessions.expire(sessionId, undefined, { idempotencyKey }));
      return session.status === 'expired' ? 'expired' : (await this.retrieveStatus(sessionId)).state;
    } catch (err) {
      // Only open sessions can be expired: it was paid (or expired) already, so say which.
      if (err instanceof PaymentProviderError && err.kind === 'invalid_request') return (await this.retrieveStatus(sessionId)).state;
      throw err;
    }
  }

  async refund(input: RefundInput): Promise<ProviderRefund> {
    const refund = await this.call('refund the payment', () =>
      this.stripe.refunds.create(
        { payment_intent: input.paymentIntentId, amount: input.amountMinor, ...(input.reason ? { reason: input.reason } : {}), ...(input.metadata ? { metadata: input.metadata } : {}) },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return {
      refundId: refund.id,
      status: refund.status === 'succeeded' || refund.status === 'failed' || refund.status === 'canceled' ? refund.status : 'pending',
      amountMinor: refund.amount,
      currency: refund.currency.toUpperCase(),
      paymentIntentId: idOf(refund.payment_intent) ?? input.paymentIntentId,
    };
  }

  async createTransfer(input: TransferInput): Promise<{ transferId: string }> {
    const transfer = await this.call('transfer to the merchant', () =>
      this.stripe.transfers.create(
        {
          amount: input.amountMinor,
          currency: normalizeCurrency(input.currency).toLowerCase(),
          destination: input.destinationAccountId,
          transfer_group: input.transferGroup,
          ...(input.sourceChargeId ? { source_transaction: input.sourceChargeId } : {}),
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { transferId: transfer.id };
  }

  verifyWebhook(rawBody: Buffer, signatureHeader: string | undefined): ProviderEvent {
    // A parsed body re-serialized is not the signed bytes: taking anything but the raw Buffer is a bug upstream.
    if (!Buffer.isBuffer(rawBody)) throw new Error('verifyWebhook needs the raw request body as a Buffer');
    if (!this.webhookSecret) throw new InvalidWebhookError('invalid_signature', 'Stripe webhooks are not accepted: STRIPE_WEBHOOK_SECRET is not configured');
    if (!signatureHeader) throw new InvalidWebhookError('missing_signature', 'Missing Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signatureHeader, this.webhookSecret, this.webhookToleranceSeconds);
    } catch (err) {
      if (err instanceof this.errors.StripeSignatureVerificationError) {
        const old = /tolerance/i.test(err.message);
        throw new InvalidWebhookError(old ? 'timestamp_outside_tolerance' : 'invalid_signature', old ? 'Stripe-Signature timestamp is too old' : 'Invalid Stripe-Signature');
      }
      // Signed by Stripe yet not JSON: nothing we can process.
      throw new InvalidWebhookError('malformed_payload', 'The webhook body is not a JSON event');
    }
    const object = event?.data?.object as unknown as Record<string, unknown> | undefined;
    if (typeof event?.id !== 'string' || typeof event.type !== 'string' || !object || typeof object !== 'object') {
      throw new InvalidWebhookError('malformed_payload', 'The webhook body is not a Stripe event');
    }
    return normalizeProviderEvent(event.id, event.type, new Date(event.created * 1000), object);
  }

  /** Runs one SDK call, turning Stripe's errors into PaymentProviderError. */
  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw this.toProviderError(what, err);
    }
  }

  private toProviderError(what: string, err: unknown): unknown {
    if (!(err instanceof this.errors.StripeError)) return err;
    const message = `Stripe could not ${what}: ${err.message}`;
    const code = err.code ?? null;
    if (err instanceof this.errors.StripeIdempotencyError) return new PaymentProviderError('idempotency_conflict', message, this.name, code);
    if (err instanceof this.errors.StripeAuthenticationError || err instanceof this.errors.StripePermissionError) {
      return new PaymentProviderError('authentication', message, this.name, code);
    }
    if (err instanceof this.errors.StripeInvalidRequestError) {
      if (code === 'charge_already_refunded' || code === 'amount_too_large' || (err.param === 'amount' && /greater than/i.test(err.message))) {
        return new PaymentProviderError('refund_exceeds_captured', message, this.name, code);
      }
      if (code === 'resource_missing' || err.statusCode === 404) return new PaymentProviderError('not_found', message, this.name, code);
      return new PaymentProviderError('invalid_request', message, this.name, code);
    }
    // Connection errors, rate limits, 5xx: the SDK already retried; the caller's job may try again later.
    return new PaymentProviderError('unavailable', message, this.name, code);
  }
}

/** Stripe's window for a session's expires_at (unix seconds), around the expiry the caller wants. */
export function checkoutExpiresAt(wanted: Date, now = new Date()): number {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const wantedSeconds = Math.floor(wanted.getTime() / 1000);
  return Math.min(Math.max(wantedSeconds, nowSeconds + MIN_SESSION_SECONDS + EXPIRY_MARGIN_SECONDS), nowSeconds + MAX_SESSION_SECONDS - EXPIRY_MARGIN_SECONDS);
}

/**
 * A session's payment state: paid once Stripe says the session (or its PaymentIntent) is paid;
 * expired when the session is; failed when the latest attempt was declined (the PaymentIntent is
 * back to requires_payment_method with an error, or canceled); pending otherwise (open, or
 * complete with a delayed payment method still processing).
 */
function paymentState(session: Stripe.Checkout.Session, intent: Stripe.PaymentIntent | null): ProviderPaymentState {
  if (session.payment_status === 'paid' || session.payment_status === 'no_payment_required' || intent?.status === 'succeeded') return 'paid';
  if (session.status === 'expired') return 'expired';
  if (intent?.status === 'canceled' || (intent?.status === 'requires_payment_method' && intent.last_payment_error)) return 'failed';
  return 'pending';
}
