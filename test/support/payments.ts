import type TestAgent from 'supertest/lib/agent';
import type { TestApp } from '../harness/app';
import type { FakeStripe } from './fake-stripe';
import type { TestAccount } from './identity';
import type { StockedProduct } from './inventory';
import { checkoutBody } from './orders';

/** The environment that points the real Stripe provider at a FakeStripe. */
export const stripeEnv = (fake: FakeStripe, extra: Record<string, string> = {}): Record<string, string> => ({
  STRIPE_SECRET_KEY: fake.apiKey,
  STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
  STRIPE_API_BASE_URL: fake.baseUrl,
  ...extra,
});

export interface PlacedOrder {
  id: string;
  orderNumber: string;
  sessionId: string;
  amountMinor: number;
}

/** A guest checkout of `quantity` units of the product's first variant, with its payment session. */
export async function placeOrder(t: TestApp, merchant: TestAccount, product: StockedProduct, quantity = 1, overrides: Record<string, unknown> = {}, http: TestAgent = t.http): Promise<PlacedOrder> {
  const res = await http.post('/api/public/checkout').send(checkoutBody(merchant.merchantId!, [{ product_id: product.id, variant_id: product.variantIds[0], quantity }], overrides));
  if (res.status !== 201) throw new Error(`checkout failed: ${res.status} ${JSON.stringify(res.body)}`);
  const [row]: { payment_session_id: string; amount_total: string }[] = await t.dataSource.query(`SELECT payment_session_id, amount_total FROM orders WHERE id = $1`, [res.body.order_id]);
  return { id: res.body.order_id, orderNumber: res.body.order_number, sessionId: row.payment_session_id, amountMinor: Number(row.amount_total) };
}

/** POSTs a Stripe event to the webhook endpoint the way Stripe does: the exact signed bytes and their Stripe-Signature. */
export function postWebhook(http: TestAgent, signed: { body: string; header: string | null }, path = '/api/webhooks/stripe', contentType = 'application/json; charset=utf-8') {
  const req = http.post(path).set('content-type', contentType);
  if (signed.header !== null) req.set('stripe-signature', signed.header);
  return req.send(signed.body);
}

export async function orderStatus(t: TestApp, orderId: string): Promise<string> {
  return (await t.dataSource.query(`SELECT status FROM orders WHERE id = $1`, [orderId]))[0]?.status;
}

export interface PaymentRow {
  status: string;
  captured: number;
  refunded: number;
  payment_intent_id: string | null;
  charge_id: string | null;
  paid_at: Date | null;
  failure_message: string | null;
  dispute_id: string | null;
  last_checked_at: Date | null;
}

export async function paymentRow(t: TestApp, orderId: string): Promise<PaymentRow | undefined> {
  const [row] = await t.dataSource.query(
    `SELECT status, captured::int, refunded::int, payment_intent_id, charge_id, paid_at, failure_message, dispute_id, last_checked_at FROM payments WHERE order_id = $1`,
    [orderId],
  );
  return row;
}

export interface PaymentEventRow {
  event_id: string;
  source: string;
  type: string;
  status: string;
  attempts: number;
  last_error: string | null;
  outcome: string | null;
  order_id: string | null;
}

export async function paymentEvent(t: TestApp, eventId: string): Promise<PaymentEventRow | undefined> {
  const [row] = await t.dataSource.query(`SELECT event_id, source, type, status::text, attempts, last_error, outcome, order_id FROM payment_events WHERE event_id = $1`, [eventId]);
  return row;
}

/** Outbox rows of one job name about one order (order.paid, payment.verify…). */
export async function outboxCount(t: TestApp, name: string, orderId: string): Promise<number> {
  const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM outbox_events WHERE name = $1 AND payload->>'order_id' = $2`, [name, orderId]);
  return n;
}

/** Ledger `sale` movements of an order (their reference is the order id). */
export async function saleMovements(t: TestApp, orderId: string): Promise<number> {
  const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM inventory_movements WHERE type = 'sale' AND reference = $1`, [orderId]);
  return n;
}

export async function statusHistory(t: TestApp, orderId: string): Promise<string[]> {
  const rows: { from_status: string | null; to_status: string; source: string }[] = await t.dataSource.query(
    `SELECT from_status, to_status, source FROM order_status_history WHERE order_id = $1 ORDER BY created_at, id`,
    [orderId],
  );
  return rows.map((r) => `${r.from_status ?? '∅'}→${r.to_status} (${r.source})`);
}
