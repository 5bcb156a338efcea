import { randomBytes } from 'node:crypto';
import { PaymentEventsService } from '../../src/modules/payments/payment-events.service';
import type { TestApp } from '../harness/app';
import type { TestAccount } from './identity';

export const sessionId = () => `sess_${randomBytes(12).toString('hex')}`;

export const ADDRESS = {
  line_1: '1 Market St',
  city: 'San Francisco',
  state: 'CA',
  postal_code: '94105',
  country_alpha2: 'US',
  contact_name: 'Ada Lovelace',
  contact_phone: '+14155550100',
};

/** A valid checkout body for these lines (override any field). */
export function checkoutBody(merchantId: string, items: { product_id: string; variant_id?: string; quantity: number }[] | undefined, overrides: Record<string, unknown> = {}) {
  return {
    merchant_id: merchantId,
    ...(items ? { items } : {}),
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    shipping_address: ADDRESS,
    success_url: 'https://shop.example.com/thanks',
    cancel_url: 'https://shop.example.com/cart',
    ...overrides,
  };
}

/** Flat USD shipping and a US tax rate for the merchant's checkout. */
export async function configureCheckout(t: TestApp, merchant: TestAccount, settings: Record<string, unknown>): Promise<void> {
  const res = await t.http.put('/api/checkout/settings').set(merchant.auth).send(settings);
  if (res.status !== 200) throw new Error(`checkout settings failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/**
 * Pays an order the way a customer does with the test provider (the default in tests): Pay on its
 * checkout page, which stores the provider event and queues its job. The event is then applied
 * right here, through the worker's own PaymentEventsService.process, so the order is paid when
 * this returns whether or not a worker runs (a worker's job then finds it applied).
 */
export async function markPaid(t: TestApp, orderId: string): Promise<void> {
  const [order]: { payment_session_id: string | null }[] = await t.dataSource.query(`SELECT payment_session_id FROM orders WHERE id = $1`, [orderId]);
  if (!order?.payment_session_id) throw new Error(`order ${orderId} has no payment session`);
  const res = await t.http.post(`/api/payments/test-checkout/${order.payment_session_id}/pay`);
  if (res.status !== 303) throw new Error(`test checkout pay failed: ${res.status} ${JSON.stringify(res.body)}`);
  const [event]: { event_id: string }[] = await t.dataSource.query(
    `SELECT event_id FROM payment_events WHERE session_id = $1 AND type = 'checkout.session.completed'`,
    [order.payment_session_id],
  );
  await t.app.get(PaymentEventsService).process(event.event_id);
}

export { eventually, startReceiver } from './webhook-receiver';
