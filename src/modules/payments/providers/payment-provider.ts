import { createHash } from 'node:crypto';
import { HttpStatus } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppException, ErrorCode } from '@app/common';

/**
 * The payment provider strategy (Vendure-style): the payments service talks to exactly this and
 * never to Stripe or the test provider directly. PaymentsModule binds PAYMENT_PROVIDER to the one
 * PAYMENT_PROVIDER (config) selects: Stripe, or the test provider that runs everything locally.
 *
 * Amounts are integer minor units, currencies ISO 4217 upper case (USD), in and out; the
 * providers translate to their own spelling.
 */
export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');

export type PaymentProviderName = 'stripe' | 'test';

export interface CheckoutLine {
  name: string;
  quantity: number;
  unitAmountMinor: number;
}

export interface CreateCheckoutInput {
  orderId: string;
  orderNumber: string;
  merchantId: string;
  /** The order total; must equal lines + shipping + tax (checked before anything is sent). */
  amountMinor: number;
  currency: string;
  customerEmail: string;
  lines: CheckoutLine[];
  shippingMinor: number;
  /** Exclusive tax to add on top of the lines; 0 when prices include tax. */
  taxMinor: number;
  /** Stripe replaces `{CHECKOUT_SESSION_ID}` in these; the test provider does the same. */
  successUrl: string;
  cancelUrl: string;
  /** When the session should stop accepting payment. Stripe clamps it to its window (see CheckoutSession.expiresAt). */
  expiresAt: Date;
  /**
   * The merchant's connected Stripe account. Charges stay on the platform (separate charges and
   * transfers): the session only gets the order's transfer group and these two in metadata; the
   * payout is a later createTransfer.
   */
  connectedAccountId?: string | null;
  applicationFeeMinor?: number | null;
  /** Derived from our ids (paymentIdempotencyKey): a retried call creates nothing new. */
  idempotencyKey: string;
}

export interface CheckoutSession {
  provider: PaymentProviderName;
  sessionId: string;
  /** Null until the customer pays (Stripe creates the PaymentIntent on confirmation). */
  paymentIntentId: string | null;
  /** Where to send the customer. */
  url: string;
  /** Only for embedded/custom Checkout UIs; null for the hosted page. */
  clientSecret: string | null;
  /** The real expiry, which may be later than asked (Stripe's window is 30 min – 24 h). */
  expiresAt: Date;
}

/**
 * A session opened inside the checkout's own transaction (PaymentProvider.prepareCheckoutSession):
 * known before the order is written, so the order is inserted once with it, and written by
 * `write`, sent after the order's statement (the session row copies the order's number).
 */
export interface PreparedCheckoutSession {
  session: CheckoutSession;
  write(manager: EntityManager): Promise<void>;
}

/**
 * `failed`: the last payment attempt failed. The test provider's sessions end there; a Stripe
 * session stays open and the customer may try another card until it expires, so a caller that
 * gives up on the order should expireSession first.
 */
export type ProviderPaymentState = 'pending' | 'paid' | 'failed' | 'expired';

export interface ProviderPaymentStatus {
  state: ProviderPaymentState;
  sessionId: string;
  paymentIntentId: string | null;
  /** The captured charge: a transfer's source_transaction. */
  chargeId: string | null;
  amountMinor: number;
  currency: string;
  failureMessage: string | null;
}

export type RefundReason = 'requested_by_customer' | 'duplicate' | 'fraudulent';

export interface RefundInput {
  paymentIntentId: string;
  amountMinor: number;
  currency: string;
  reason?: RefundReason;
  idempotencyKey: string;
  metadata?: Record<string, string>;
}

export interface ProviderRefund {
  refundId: string;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled';
  amountMinor: number;
  currency: string;
  paymentIntentId: string;
}

export interface TransferInput {
  amountMinor: number;
  currency: string;
  destinationAccountId: string;
  /** transferGroupFor(orderId): ties the transfer to the order's charge in Stripe's reports. */
  transferGroup: string;
  /** The charge that funds it: Stripe holds the transfer until that charge's funds are available. */
  sourceChargeId?: string | null;
  idempotencyKey: string;
}

/**
 * A provider event (a verified Stripe webhook, or what the test provider's pay/fail buttons
 * produce), with the ids the payments service routes on pulled out of whatever object it carries.
 */
export interface ProviderEvent {
  /** Unique per event: the processed-event store's key. */
  id: string;
  /** Stripe's event type, e.g. checkout.session.completed, payment_intent.payment_failed, charge.refunded. */
  type: string;
  created: Date;
  /** The event's data.object as the provider sent it (Stripe's wire shape: lower-case currency, unix seconds). */
  object: Record<string, unknown>;
  orderId: string | null;
  sessionId: string | null;
  paymentIntentId: string | null;
}

export interface PaymentProvider {
  readonly name: PaymentProviderName;
  createCheckoutSession(input: CreateCheckoutInput): Promise<CheckoutSession>;
  /**
   * Only a provider whose sessions are rows of this database (the test provider): the session is
   * opened in the checkout's transaction, so an order commits with its session or not at all, and
   * is written once instead of inserted and then updated. Stripe's session is an HTTP call, which
   * no transaction may wait for: it is opened after the commit (createCheckoutSession).
   */
  prepareCheckoutSession?(input: Omit<CreateCheckoutInput, 'orderNumber'>): PreparedCheckoutSession;
  retrieveStatus(sessionId: string): Promise<ProviderPaymentStatus>;
  /**
   * Best effort to make a session unpayable (a cancelled order). Returns the state it ends in:
   * `expired` normally, but `paid` when the customer paid first — then the caller owes a refund.
   */
  expireSession(sessionId: string, idempotencyKey: string): Promise<ProviderPaymentState>;
  refund(input: RefundInput): Promise<ProviderRefund>;
  createTransfer(input: TransferInput): Promise<{ transferId: string }>;
  /**
   * Verifies the signature over the RAW body bytes before anything parses them. Throws
   * InvalidWebhookError (400) when the header is missing, the signature wrong or too old.
   */
  verifyWebhook(rawBody: Buffer, signatureHeader: string | undefined): ProviderEvent;
}

export type InvalidWebhookReason = 'missing_signature' | 'invalid_signature' | 'timestamp_outside_tolerance' | 'malformed_payload' | 'not_supported';

/** A webhook we refuse before looking at its content: 400, and nothing is stored or changed. */
export class InvalidWebhookError extends AppException {
  constructor(
    readonly reason: InvalidWebhookReason,
    message: string,
  ) {
    super(ErrorCode.BadRequest, message, HttpStatus.BAD_REQUEST, { reason });
  }
}

export type PaymentProviderErrorKind =
  /** The refund is larger than what is left of the captured amount. */
  | 'refund_exceeds_captured'
  /** An idempotency key was reused with other parameters: a bug in how keys are derived. */
  | 'idempotency_conflict'
  | 'not_found'
  /** The provider refused the request as invalid (wrong state, bad parameter). */
  | 'invalid_request'
  /** Bad or insufficient credentials: configuration, not worth retrying. */
  | 'authentication'
  /** Network trouble, rate limits, provider 5xx (after the SDK's own retries): retry later. */
  | 'unavailable';

const STATUS_BY_KIND: Record<PaymentProviderErrorKind, [HttpStatus, string]> = {
  refund_exceeds_captured: [HttpStatus.CONFLICT, ErrorCode.Conflict],
  idempotency_conflict: [HttpStatus.CONFLICT, ErrorCode.Conflict],
  not_found: [HttpStatus.NOT_FOUND, ErrorCode.NotFound],
  invalid_request: [HttpStatus.BAD_GATEWAY, ErrorCode.PaymentProvider],
  authentication: [HttpStatus.BAD_GATEWAY, ErrorCode.PaymentProvider],
  unavailable: [HttpStatus.SERVICE_UNAVAILABLE, ErrorCode.ServiceUnavailable],
};

/** A provider call that failed, classified so callers (and job retries) can act on `kind`/`retryable`. */
export class PaymentProviderError extends AppException {
  readonly retryable: boolean;

  constructor(
    readonly kind: PaymentProviderErrorKind,
    message: string,
    readonly provider: PaymentProviderName,
    /** The provider's own error code (Stripe's `code`, e.g. charge_already_refunded), when it gave one. */
    readonly providerCode: string | null = null,
  ) {
    const [status, code] = STATUS_BY_KIND[kind];
    super(code, message, status, { kind, provider, provider_code: providerCode });
    this.retryable = kind === 'unavailable';
  }
}

/**
 * The idempotency key of one provider write, from our own ids: `paymentIdempotencyKey('checkout',
 * orderId)`, `('refund', refundId)`, `('transfer', transferId)`. The same logical write always
 * gets the same key, so a retry (ours or the SDK's) never charges, refunds or pays out twice.
 */
export function paymentIdempotencyKey(operation: string, ...ids: string[]): string {
  const key = ['commerce', operation, ...ids].join(':');
  if (!ids.length || ids.some((id) => !id)) throw new Error(`idempotency key for ${operation} needs non-empty ids`);
  if (key.length > 255) throw new Error(`idempotency key for ${operation} is longer than 255 characters`);
  return key;
}

/** The transfer group of an order's charge and payout transfers. */
export function transferGroupFor(orderId: string): string {
  return `order_${orderId}`;
}

/** Refuses a checkout whose lines do not add up to the amount, so nobody is charged a different total than the order's. */
export function assertCheckoutTotals(input: Omit<CreateCheckoutInput, 'orderNumber'>, provider: PaymentProviderName): void {
  const amounts = [input.amountMinor, input.shippingMinor, input.taxMinor, ...input.lines.flatMap((l) => [l.unitAmountMinor, l.quantity])];
  if (!amounts.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw new PaymentProviderError('invalid_request', 'checkout amounts and quantities must be non-negative integers', provider);
  }
  if (!input.lines.length || input.lines.some((l) => l.quantity < 1)) {
    throw new PaymentProviderError('invalid_request', 'a checkout needs at least one line with a positive quantity', provider);
  }
  const total = input.lines.reduce((sum, l) => sum + l.unitAmountMinor * l.quantity, 0) + input.shippingMinor + input.taxMinor;
  if (total !== input.amountMinor || total <= 0) {
    throw new PaymentProviderError('invalid_request', `checkout lines add up to ${total}, not the order amount ${input.amountMinor}`, provider);
  }
  if (!input.idempotencyKey) throw new Error('createCheckoutSession needs an idempotency key');
}

const str = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);
/** An expandable field: the id string, or the expanded object's id. */
export const idOf = (value: unknown): string | null => str(value) ?? (value && typeof value === 'object' ? str((value as { id?: unknown }).id) : null);

/**
 * Pulls the routing ids out of an event's object, whatever kind it is. Shared by both providers,
 * so a test-provider event and a Stripe webhook of the same type normalize identically.
 * Checkout sessions carry metadata.order_id (and client_reference_id); payment intents carry
 * metadata.order_id (payment_intent_data.metadata); charges, refunds and disputes name their
 * payment intent, which the payments service maps back to the order.
 */
export function normalizeProviderEvent(id: string, type: string, created: Date, object: Record<string, unknown>): ProviderEvent {
  const kind = str(object.object);
  const metadata = (object.metadata && typeof object.metadata === 'object' ? object.metadata : {}) as Record<string, unknown>;
  const orderId = str(metadata.order_id);
  switch (kind) {
    case 'checkout.session':
      return { id, type, created, object, orderId: orderId ?? str(object.client_reference_id), sessionId: str(object.id), paymentIntentId: idOf(object.payment_intent) };
    case 'payment_intent':
      return { id, type, created, object, orderId, sessionId: null, paymentIntentId: str(object.id) };
    default:
      // charge, refund, dispute, …: all name their payment intent.
      return { id, type, created, object, orderId, sessionId: null, paymentIntentId: idOf(object.payment_intent) };
  }
}

/** A stable id derived from parts: the test provider's event/transfer ids, so a repeated call yields the same id. */
export function derivedUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
