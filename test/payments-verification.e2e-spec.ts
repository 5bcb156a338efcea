import { INestApplicationContext } from '@nestjs/common';
import { PaymentVerificationService } from '../src/modules/payments/payment-verification.service';
import { bootTestApp, TestApp } from './harness/app';
import { FakeStripe } from './support/fake-stripe';
import { registerMerchant, TestAccount } from './support/identity';
import { ledgerViolations, levelOf, stockedProduct, StockedProduct } from './support/inventory';
import { eventually } from './support/orders';
import { orderStatus, outboxCount, paymentEvent, paymentRow, placeOrder, saleMovements, stripeEnv } from './support/payments';

/**
 * Seed 002's payment verification against FakeStripe: when no webhook comes, the worker asks
 * Stripe (a delayed job after checkout, re-scheduled with backoff until the order expires, and a
 * sweep as a safety net) and applies what it finds through the same event path.
 * PAYMENT_VERIFY_DELAY_SECONDS=1 here, so the first check runs a second after checkout.
 */
describe('Payment verification', () => {
  let fake: FakeStripe;
  let t: TestApp;
  let worker: INestApplicationContext;
  let merchant: TestAccount;
  let product: StockedProduct;

  beforeAll(async () => {
    fake = await FakeStripe.start();
    t = await bootTestApp({ env: stripeEnv(fake, { PAYMENT_VERIFY_DELAY_SECONDS: '1' }) });
    worker = await t.startWorker();
    merchant = await registerMerchant(t, { approve: true });
    product = await stockedProduct(t, merchant, { stock: 50, status: 'active' });
  });
  afterEach(async () => {
    expect(await ledgerViolations(t.dataSource)).toEqual([]);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const sessionReads = (sessionId: string) => fake.requestsTo(`/v1/checkout/sessions/${sessionId}`, 'GET').length;

  it('a webhook that never came: the verification job finds the payment at Stripe and applies it', async () => {
    const before = await levelOf(t.dataSource, product.variantIds[0]);
    const order = await placeOrder(t, merchant, product, 2);
    fake.completeSession(order.sessionId); // paid at Stripe; no webhook is sent

    expect(await eventually(() => orderStatus(t, order.id), (s) => s === 'paid')).toBe('paid');
    const intent = fake.paymentIntents.get(fake.sessions.get(order.sessionId)!.payment_intent)!;
    expect(await paymentRow(t, order.id)).toMatchObject({ status: 'succeeded', captured: order.amountMinor, payment_intent_id: intent.id, charge_id: intent.latest_charge, last_checked_at: expect.any(Date) });
    expect(await paymentEvent(t, `verify:${order.sessionId}:paid`)).toMatchObject({ source: 'verification', type: 'checkout.session.completed', status: 'processed', order_id: order.id });
    expect(await levelOf(t.dataSource, product.variantIds[0])).toEqual({ on_hand: before.on_hand - 2, reserved: before.reserved });
    expect(await outboxCount(t, 'order.paid', order.id)).toBe(1);
    expect(await saleMovements(t, order.id)).toBe(1);
    expect(sessionReads(order.sessionId)).toBeGreaterThanOrEqual(1);

    // The webhook turning up late after all changes nothing.
    const late = fake.makeEvent('checkout.session.completed', fake.sessions.get(order.sessionId)!);
    const { body, header } = fake.signedWebhook(late);
    await t.http.post('/api/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', header).send(body).expect(200);
    expect(await eventually(() => paymentEvent(t, late.id), (e) => e?.status === 'ignored')).toMatchObject({ status: 'ignored' });
    expect(await outboxCount(t, 'order.paid', order.id)).toBe(1);
  });

  it('while the payment is pending it checks again with backoff; a payment made later is found', async () => {
    const order = await placeOrder(t, merchant, product, 1);
    // First check (after 1 s): still pending, so another is scheduled (2 s later).
    await eventually(() => outboxCount(t, 'payment.verify', order.id), (n) => n >= 2);
    const [rescheduled] = await t.dataSource.query(
      `SELECT payload, extract(epoch FROM available_at - created_at)::float AS delay FROM outbox_events WHERE name = 'payment.verify' AND payload->>'order_id' = $1 AND payload ? 'attempt' ORDER BY created_at LIMIT 1`,
      [order.id],
    );
    expect(rescheduled.payload).toMatchObject({ order_id: order.id, merchant_id: merchant.merchantId, attempt: 1 });
    expect(rescheduled.delay).toBeGreaterThan(1.5);
    expect(await orderStatus(t, order.id)).toBe('pending');
    expect((await paymentRow(t, order.id))!.last_checked_at).toEqual(expect.any(Date));

    fake.completeSession(order.sessionId);
    expect(await eventually(() => orderStatus(t, order.id), (s) => s === 'paid', 20_000)).toBe('paid');
    expect(await paymentEvent(t, `verify:${order.sessionId}:paid`)).toMatchObject({ status: 'processed' });
  });

  it('a declined card found by verification fails the order and keeps checking: the customer may still pay', async () => {
    const order = await placeOrder(t, merchant, product, 1);
    fake.failPayment(order.sessionId);
    expect(await eventually(() => orderStatus(t, order.id), (s) => s === 'failed')).toBe('failed');
    expect(await paymentRow(t, order.id)).toMatchObject({ status: 'failed', failure_message: 'Your card was declined.' });
    expect(await paymentEvent(t, `verify:${order.sessionId}:failed`)).toMatchObject({ type: 'payment_intent.payment_failed', status: 'processed' });

    fake.completeSession(order.sessionId);
    expect(await eventually(() => orderStatus(t, order.id), (s) => s === 'paid', 20_000)).toBe('paid');
  });

  it('stops checking once the order has expired; a Stripe outage throws for the job to retry', async () => {
    const verification = worker.get(PaymentVerificationService);
    const order = await placeOrder(t, merchant, product, 1);
    const payload = { order_id: order.id, merchant_id: merchant.merchantId! };
    // This test drives the checks itself: the scheduled one is taken out of the way.
    await t.dataSource.query(`DELETE FROM outbox_events WHERE name = 'payment.verify' AND payload->>'order_id' = $1 AND sent_at IS NULL`, [order.id]);

    fake.failNext(`/v1/checkout/sessions/${order.sessionId}`, 3, { method: 'GET', status: 503 });
    await expect(verification.verify(payload, { reschedule: true })).rejects.toMatchObject({ kind: 'unavailable', retryable: true });

    const scheduled = await outboxCount(t, 'payment.verify', order.id);
    await t.dataSource.query(`UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = $1`, [order.id]);
    const result = await verification.verify(payload, { reschedule: true });
    expect(result).toEqual({ result: 'checked', state: 'pending', recorded: false, nextCheckInSeconds: null });
    expect(await outboxCount(t, 'payment.verify', order.id)).toBe(scheduled);

    // Nothing left to verify once the payment is settled.
    fake.completeSession(order.sessionId);
    await verification.verify(payload, { reschedule: false });
    await eventually(() => orderStatus(t, order.id), (s) => s !== 'pending');
    expect(await verification.verify(payload, { reschedule: true })).toEqual({ result: 'settled' });
  });

  it('the sweep finds payments whose verification job was lost', async () => {
    const order = await placeOrder(t, merchant, product, 1);
    // The delayed job never reaches the queue, and nothing checked this payment for a while.
    await t.dataSource.query(`DELETE FROM outbox_events WHERE name = 'payment.verify' AND payload->>'order_id' = $1 AND sent_at IS NULL`, [order.id]);
    await t.dataSource.query(`UPDATE payments SET created_at = now() - interval '1 hour', last_checked_at = NULL WHERE order_id = $1`, [order.id]);
    expect(await outboxCount(t, 'payment.verify', order.id)).toBe(0);
    fake.completeSession(order.sessionId);

    const swept = await worker.get(PaymentVerificationService).sweep();
    expect(swept.checked).toBeGreaterThanOrEqual(1);
    expect(await eventually(() => orderStatus(t, order.id), (s) => s === 'paid')).toBe('paid');
    expect(await paymentEvent(t, `verify:${order.sessionId}:paid`)).toMatchObject({ source: 'verification', status: 'processed' });
    // Checked just now: the next sweep leaves it (and it is paid anyway).
    expect((await worker.get(PaymentVerificationService).sweep()).checked).toBe(0);
  });
});
