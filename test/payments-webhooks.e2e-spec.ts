import { randomUUID } from 'node:crypto';
import type TestAgent from 'supertest/lib/agent';
import { InventoryService } from '../src/modules/inventory/inventory.service';
import { bootTestApp, TestApp } from './harness/app';
import { FakeStripe } from './support/fake-stripe';
import { registerMerchant, TestAccount } from './support/identity';
import { ledgerViolations, levelOf, listening, stockedProduct, StockedProduct } from './support/inventory';
import { eventually } from './support/orders';
import { orderStatus, outboxCount, paymentEvent, paymentRow, placeOrder, PlacedOrder, postWebhook, saleMovements, statusHistory, stripeEnv } from './support/payments';

/**
 * Stripe webhooks end to end: the real `stripe` SDK against FakeStripe, webhooks signed by the
 * SDK's generateTestHeaderString, the worker applying the stored events. Proves: a paid checkout,
 * duplicates (sequential and concurrent) applied once, a webhook racing the checkout's commit,
 * out-of-order delivery, refused signatures storing nothing, failures, refunds, disputes and a
 * payment that arrives after its order was cancelled.
 */
describe('Stripe webhooks', () => {
  let fake: FakeStripe;
  let t: TestApp;
  let merchant: TestAccount;
  let product: StockedProduct;

  beforeAll(async () => {
    fake = await FakeStripe.start();
    t = await bootTestApp({ env: stripeEnv(fake) });
    await t.startWorker();
    merchant = await registerMerchant(t, { approve: true });
    product = await stockedProduct(t, merchant, { stock: 100, status: 'active' });
  });
  afterEach(async () => {
    expect(await ledgerViolations(t.dataSource)).toEqual([]);
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const variant = () => product.variantIds[0];
  let live: TestAgent | undefined;
  /** The app on a real port (once), for requests that must really run at the same time. */
  const liveHttp = async () => (live ??= await listening(t));
  const eventCount = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM payment_events`))[0].n as number;
  const jobCount = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM outbox_events WHERE name = 'payment.event'`))[0].n as number;
  const waitForEvent = (eventId: string, done: (status: string) => boolean) =>
    eventually(() => paymentEvent(t, eventId), (e) => e !== undefined && done(e.status));

  /** The customer pays at Stripe; Stripe sends checkout.session.completed. */
  function paidSessionWebhook(order: PlacedOrder) {
    const session = fake.completeSession(order.sessionId);
    const event = fake.makeEvent('checkout.session.completed', session);
    return { event, signed: fake.signedWebhook(event) };
  }

  it('a paid checkout end to end: webhook → payment succeeded, order paid, stock sold, order.paid once', async () => {
    const before = await levelOf(t.dataSource, variant());
    const order = await placeOrder(t, merchant, product, 2);
    expect(order.sessionId).toMatch(/^cs_test_/);
    expect(await levelOf(t.dataSource, variant())).toEqual({ on_hand: before.on_hand, reserved: before.reserved + 2 });
    expect(await paymentRow(t, order.id)).toMatchObject({ status: 'pending', captured: 0, paid_at: null });
    // The verification job is scheduled with the session (delayed: a webhook usually settles it first).
    expect(await outboxCount(t, 'payment.verify', order.id)).toBe(1);

    const { event, signed } = paidSessionWebhook(order);
    const res = await postWebhook(t.http, signed);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true });

    expect((await waitForEvent(event.id, (s) => s === 'processed'))!).toMatchObject({ source: 'webhook', type: 'checkout.session.completed', attempts: 1, order_id: order.id, outcome: expect.stringMatching(/order paid/) });
    expect(await orderStatus(t, order.id)).toBe('paid');
    const intent = fake.paymentIntents.get(fake.sessions.get(order.sessionId)!.payment_intent)!;
    expect(await paymentRow(t, order.id)).toMatchObject({
      status: 'succeeded',
      captured: order.amountMinor,
      payment_intent_id: intent.id,
      // Looked up at Stripe: the webhook's session does not carry the charge.
      charge_id: intent.latest_charge,
      paid_at: expect.any(Date),
      failure_message: null,
    });
    expect(await levelOf(t.dataSource, variant())).toEqual({ on_hand: before.on_hand - 2, reserved: before.reserved });
    expect(await outboxCount(t, 'order.paid', order.id)).toBe(1);
    expect(await saleMovements(t, order.id)).toBe(1);
    expect(await statusHistory(t, order.id)).toEqual(['∅→pending (customer)', 'pending→paid (payment)']);

    const status = await t.http.get(`/api/payments/status/${order.id}`).set(merchant.auth);
    expect(status.body).toMatchObject({ status: 'succeeded', provider: 'stripe', order_status: 'paid', currency: 'USD', paid_at: expect.any(String) });
    // The test checkout does not exist while Stripe is the provider.
    expect((await t.http.get(`/api/payments/test-checkout/${order.sessionId}`)).status).toBe(404);
  });

  it('duplicate deliveries, one after another and ten at once, are stored and applied once', async () => {
    const order = await placeOrder(t, merchant, product, 1);
    const { event, signed } = paidSessionWebhook(order);
    const jobsBefore = await jobCount();
    const first = await postWebhook(t.http, signed);
    const second = await postWebhook(t.http, signed);
    // The same event at the path outside /api.
    const third = await postWebhook(t.http, signed, '/webhooks/stripe');
    expect([first.body, second.body, third.body]).toEqual([{ received: true }, { received: true, duplicate: true }, { received: true, duplicate: true }]);
    expect(await jobCount()).toBe(jobsBefore + 1);
    await waitForEvent(event.id, (s) => s === 'processed');
    // Once more after it was applied: still nothing new.
    expect((await postWebhook(t.http, signed)).body).toEqual({ received: true, duplicate: true });

    const concurrent = await placeOrder(t, merchant, product, 1);
    const race = paidSessionWebhook(concurrent);
    const http = await liveHttp();
    const answers = await Promise.all(Array.from({ length: 10 }, () => postWebhook(http, race.signed)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.filter((a) => !a.body.duplicate)).toHaveLength(1);
    await waitForEvent(race.event.id, (s) => s === 'processed');
    await new Promise((r) => setTimeout(r, 300)); // room for a second effect, were there one

    for (const o of [order, concurrent]) {
      expect(await orderStatus(t, o.id)).toBe('paid');
      expect(await outboxCount(t, 'order.paid', o.id)).toBe(1);
      expect(await saleMovements(t, o.id)).toBe(1);
      expect((await statusHistory(t, o.id)).filter((h) => h.includes('→paid'))).toHaveLength(1);
    }
    expect(await jobCount()).toBe(jobsBefore + 2);
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM payment_events WHERE event_id = ANY($1)`, [[event.id, race.event.id]]))[0].n).toBe(2);
  });

  it('a webhook whose order is not committed yet is retried, then applied once the order appears', async () => {
    const order = await placeOrder(t, merchant, product, 1);
    const { event, signed } = paidSessionWebhook(order);
    // Out of sight, as while the checkout's transaction is still open: no order, no payment row.
    const hidden = randomUUID();
    await t.dataSource.query(`UPDATE orders SET id = $2 WHERE id = $1`, [order.id, hidden]);
    await t.dataSource.query(`UPDATE payments SET order_id = $2 WHERE order_id = $1`, [order.id, hidden]);

    expect((await postWebhook(t.http, signed)).body).toEqual({ received: true });
    const waiting = await eventually(() => paymentEvent(t, event.id), (e) => (e?.attempts ?? 0) >= 1);
    expect(waiting).toMatchObject({ status: 'received', last_error: `Order ${order.id} is not committed yet` });

    await t.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE orders SET id = $1 WHERE id = $2`, [order.id, hidden]);
      await manager.query(`UPDATE payments SET order_id = $1 WHERE order_id = $2`, [order.id, hidden]);
    });
    const applied = await waitForEvent(event.id, (s) => s === 'processed');
    expect(applied!.attempts).toBeGreaterThanOrEqual(2);
    expect(applied!.last_error).toBeNull();
    expect(await orderStatus(t, order.id)).toBe('paid');
    expect(await outboxCount(t, 'order.paid', order.id)).toBe(1);
  });

  it('an event that can never apply fails at once; a redelivery of an event given up on gets another round', async () => {
    const order = await placeOrder(t, merchant, product, 1);
    const session = fake.completeSession(order.sessionId);
    const wrongAmount = fake.makeEvent('checkout.session.completed', { ...session, amount_total: session.amount_total - 1 });
    await postWebhook(t.http, fake.signedWebhook(wrongAmount)).expect(200);
    const rejected = await waitForEvent(wrongAmount.id, (s) => s !== 'received');
    expect(rejected).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringMatching(/paid .* but the payment is/) });
    expect(await orderStatus(t, order.id)).toBe('pending');

    // Retries ran out for a genuine event (say, its order never showed up in time); Stripe redelivers it.
    const event = fake.makeEvent('checkout.session.completed', session);
    const hidden = randomUUID();
    await t.dataSource.query(`UPDATE orders SET id = $2 WHERE id = $1`, [order.id, hidden]);
    const delivery = fake.signedWebhook(event);
    await postWebhook(t.http, delivery).expect(200);
    await eventually(() => paymentEvent(t, event.id), (e) => (e?.attempts ?? 0) >= 1);
    await t.dataSource.query(`UPDATE payment_events SET status = 'failed' WHERE event_id = $1`, [event.id]);
    await t.dataSource.query(`UPDATE orders SET id = $1 WHERE id = $2`, [order.id, hidden]);
    const jobs = await jobCount();
    expect((await postWebhook(t.http, delivery)).body).toEqual({ received: true, duplicate: true });
    expect(await jobCount()).toBe(jobs + 1);
    await waitForEvent(event.id, (s) => s === 'processed');
    expect(await orderStatus(t, order.id)).toBe('paid');
  });

  it('a webhook that arrives while the checkout is still recording its payment waits for that commit', async () => {
    // Hold the transaction that records the session (its INSERT into payments waits on this lock).
    const blocker = t.dataSource.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    let checkout: Promise<PlacedOrder> | undefined;
    try {
      await blocker.query('LOCK TABLE payments IN SHARE ROW EXCLUSIVE MODE');
      const sessionsBefore = new Set(fake.sessions.keys());
      checkout = placeOrder(t, merchant, product, 1, {}, await liveHttp());
      const session = await eventually(() => [...fake.sessions.values()].find((s) => !sessionsBefore.has(s.id)), (s) => s !== undefined);
      const orderId: string = session!.metadata.order_id;
      fake.completeSession(session!.id);
      const event = fake.makeEvent('checkout.session.completed', fake.sessions.get(session!.id)!);
      expect((await postWebhook(t.http, fake.signedWebhook(event))).body).toEqual({ received: true });
      await new Promise((r) => setTimeout(r, 500));
      expect(await orderStatus(t, orderId)).toBe('pending');
      expect((await paymentEvent(t, event.id))!.status).toBe('received');
      await blocker.commitTransaction();
      const placed = await checkout;
      expect(placed.id).toBe(orderId);
      await waitForEvent(event.id, (s) => s === 'processed');
      expect(await orderStatus(t, orderId)).toBe('paid');
      expect(await paymentRow(t, orderId)).toMatchObject({ status: 'succeeded', captured: placed.amountMinor });
    } finally {
      if (blocker.isTransactionActive) await blocker.rollbackTransaction();
      await blocker.release();
      await checkout?.catch(() => undefined);
    }
  });

  it('out of order: a failure after the success is ignored; a success after a failure wins', async () => {
    // Succeeded, then an older attempt's failure arrives.
    const paidFirst = await placeOrder(t, merchant, product, 1);
    const success = paidSessionWebhook(paidFirst);
    await postWebhook(t.http, success.signed).expect(200);
    await waitForEvent(success.event.id, (s) => s === 'processed');
    const intent = fake.paymentIntents.get(fake.sessions.get(paidFirst.sessionId)!.payment_intent)!;
    const lateFailure = fake.makeEvent('payment_intent.payment_failed', { ...intent, status: 'requires_payment_method', last_payment_error: { code: 'card_declined', message: 'Your card was declined.' } });
    await postWebhook(t.http, fake.signedWebhook(lateFailure)).expect(200);
    expect(await waitForEvent(lateFailure.id, (s) => s !== 'received')).toMatchObject({ status: 'ignored', outcome: 'ignored: the payment already succeeded' });
    expect(await orderStatus(t, paidFirst.id)).toBe('paid');
    expect(await paymentRow(t, paidFirst.id)).toMatchObject({ status: 'succeeded', failure_message: null });

    // Declined first (the order fails, stock still held), then another card succeeds.
    const before = await levelOf(t.dataSource, variant());
    const failedFirst = await placeOrder(t, merchant, product, 2);
    const declined = fake.failPayment(failedFirst.sessionId);
    const failure = fake.makeEvent('payment_intent.payment_failed', declined);
    await postWebhook(t.http, fake.signedWebhook(failure)).expect(200);
    expect(await waitForEvent(failure.id, (s) => s !== 'received')).toMatchObject({ status: 'processed', outcome: 'payment failed; order failed' });
    expect(await orderStatus(t, failedFirst.id)).toBe('failed');
    expect(await paymentRow(t, failedFirst.id)).toMatchObject({ status: 'failed', failure_message: 'Your card was declined.', payment_intent_id: declined.id });
    expect(await levelOf(t.dataSource, variant())).toEqual({ on_hand: before.on_hand, reserved: before.reserved + 2 });

    fake.completeSession(failedFirst.sessionId);
    const succeeded = fake.makeEvent('payment_intent.succeeded', fake.paymentIntents.get(declined.id)!);
    await postWebhook(t.http, fake.signedWebhook(succeeded)).expect(200);
    await waitForEvent(succeeded.id, (s) => s === 'processed');
    expect(await orderStatus(t, failedFirst.id)).toBe('paid');
    expect(await paymentRow(t, failedFirst.id)).toMatchObject({ status: 'succeeded', failure_message: null, charge_id: fake.paymentIntents.get(declined.id)!.latest_charge });
    expect(await levelOf(t.dataSource, variant())).toEqual({ on_hand: before.on_hand - 2, reserved: before.reserved });
    expect(await statusHistory(t, failedFirst.id)).toEqual(['∅→pending (customer)', 'pending→failed (payment)', 'failed→paid (payment)']);

    // The session's own completion arriving last is one more success: nothing changes.
    const completion = fake.makeEvent('checkout.session.completed', fake.sessions.get(failedFirst.sessionId)!);
    await postWebhook(t.http, fake.signedWebhook(completion)).expect(200);
    expect(await waitForEvent(completion.id, (s) => s !== 'received')).toMatchObject({ status: 'ignored' });
    expect(await outboxCount(t, 'order.paid', failedFirst.id)).toBe(1);
    expect(await saleMovements(t, failedFirst.id)).toBe(1);
  });

  it('refuses tampered, unsigned, wrongly signed and stale webhooks with a 400, storing nothing', async () => {
    const order = await placeOrder(t, merchant, product, 1);
    const session = fake.sessions.get(order.sessionId)!;
    const event = fake.makeEvent('checkout.session.completed', { ...session, status: 'complete', payment_status: 'paid' });
    const signed = fake.signedWebhook(event);
    const [events, jobs] = [await eventCount(), await jobCount()];

    const refusals = {
      tampered: await postWebhook(t.http, { body: signed.body.replace(`"amount_total": ${order.amountMinor}`, '"amount_total": 1'), header: signed.header }),
      wrongSecret: await postWebhook(t.http, fake.signedWebhook(event, { secret: 'whsec_not_ours' })),
      missingHeader: await postWebhook(t.http, { body: signed.body, header: null }),
      garbageHeader: await postWebhook(t.http, { body: signed.body, header: 'nonsense' }),
      stale: await postWebhook(t.http, fake.signedWebhook(event, { timestamp: Math.floor(Date.now() / 1000) - 3600 })),
      // Not JSON at all (and, unsigned, not even looked at).
      notJson: await postWebhook(t.http, { body: '{"id": "evt_x", ', header: null }),
      signedJunk: await postWebhook(t.http, fake.signedWebhook('not json')),
      empty: await postWebhook(t.http, { body: '', header: signed.header }),
    };
    expect(signed.body.includes(`"amount_total": ${order.amountMinor}`)).toBe(true);
    for (const [name, res] of Object.entries(refusals)) {
      expect([name, res.status, res.body.error?.code]).toEqual([name, 400, 'ERR_BAD_REQUEST']);
    }
    expect(refusals.missingHeader.body.error.detail.reason).toBe('missing_signature');
    expect(refusals.stale.body.error.detail.reason).toBe('timestamp_outside_tolerance');
    expect(refusals.signedJunk.body.error.detail.reason).toBe('malformed_payload');
    expect([await eventCount(), await jobCount()]).toEqual([events, jobs]);
    await new Promise((r) => setTimeout(r, 200));
    expect(await orderStatus(t, order.id)).toBe('pending');
    expect(await paymentRow(t, order.id)).toMatchObject({ status: 'pending' });
  });

  it('takes the signed bytes as they are: JSON the app\'s parser would refuse, any content type', async () => {
    // A `__proto__` key (e.g. metadata typed into the Stripe dashboard) is valid JSON and signed.
    const exotic = fake.makeEvent('customer.updated', { id: 'cus_1', object: 'customer', metadata: {} });
    const body = JSON.stringify(exotic).replace('"metadata":{}', '"metadata":{"__proto__":{"x":1}}');
    const res = await postWebhook(t.http, fake.signedWebhook(body));
    expect(res.status).toBe(200);
    expect(await waitForEvent(exotic.id, (s) => s !== 'received')).toMatchObject({ status: 'ignored', outcome: 'ignored: customer.updated is not an event payments act on' });

    // Another system sharing the Stripe account: its order ids are not ours. Stored, then ignored (not retried).
    const foreign = fake.makeEvent('checkout.session.completed', { id: 'cs_test_other', object: 'checkout.session', payment_status: 'paid', amount_total: 100, currency: 'usd', metadata: { order_id: 'legacy-42' }, payment_intent: 'pi_other' });
    expect((await postWebhook(t.http, fake.signedWebhook(foreign))).status).toBe(200);
    expect(await waitForEvent(foreign.id, (s) => s !== 'received')).toMatchObject({ status: 'ignored', attempts: 1, order_id: null, outcome: 'ignored: legacy-42 is not an order id of this service' });

    const plain = fake.makeEvent('customer.created', { id: 'cus_2', object: 'customer' });
    expect((await postWebhook(t.http, fake.signedWebhook(plain), '/webhooks/stripe', 'text/plain')).status).toBe(200);
    expect(await paymentEvent(t, plain.id)).toMatchObject({ type: 'customer.created' });
  });

  it('a session that expires unpaid cancels the waiting order and releases its stock', async () => {
    const before = await levelOf(t.dataSource, variant());
    const order = await placeOrder(t, merchant, product, 4);
    const expired = fake.makeEvent('checkout.session.expired', fake.expireSession(order.sessionId));
    await postWebhook(t.http, fake.signedWebhook(expired)).expect(200);
    expect(await waitForEvent(expired.id, (s) => s !== 'received')).toMatchObject({ status: 'processed', outcome: 'session expired; order cancelled' });
    expect(await orderStatus(t, order.id)).toBe('cancelled');
    expect(await paymentRow(t, order.id)).toMatchObject({ status: 'expired' });
    expect(await levelOf(t.dataSource, variant())).toEqual(before);
    expect((await statusHistory(t, order.id)).at(-1)).toBe('pending→cancelled (payment)');
  });

  it('a failed payment keeps the stock held until the order expires, then releases it', async () => {
    const before = await levelOf(t.dataSource, variant());
    const order = await placeOrder(t, merchant, product, 3);
    const failure = fake.makeEvent('payment_intent.payment_failed', fake.failPayment(order.sessionId));
    await postWebhook(t.http, fake.signedWebhook(failure)).expect(200);
    await waitForEvent(failure.id, (s) => s === 'processed');
    expect(await orderStatus(t, order.id)).toBe('failed');
    expect(await levelOf(t.dataSource, variant())).toEqual({ on_hand: before.on_hand, reserved: before.reserved + 3 });

    await t.dataSource.query(`UPDATE inventory_reservations SET expires_at = now() - interval '1 second' WHERE reference = $1`, [order.id]);
    await t.app.get(InventoryService).expireDue();
    expect(await eventually(() => orderStatus(t, order.id), (s) => s === 'cancelled')).toBe('cancelled');
    expect(await levelOf(t.dataSource, variant())).toEqual(before);
  });

  it('a payment that succeeds after its order was cancelled is refunded in full: never paid, cancelled → refunded', async () => {
    const order = await placeOrder(t, merchant, product, 1);
    await t.http.post(`/api/orders/merchant/${order.id}/cancel`).set(merchant.auth).send({ reason: 'out of stock after all' }).expect(200);
    const { event, signed } = paidSessionWebhook(order);
    await postWebhook(t.http, signed).expect(200);
    expect(await waitForEvent(event.id, (s) => s !== 'received')).toMatchObject({ status: 'processed', outcome: 'late payment: order cancelled, full refund requested' });
    // The worker sends the refund right away; once it succeeds the order is `refunded`, as a paid
    // order cancelled by the merchant ends. It never passes through `paid`.
    expect(await eventually(() => orderStatus(t, order.id), (s) => s === 'refunded')).toBe('refunded');
    expect((await statusHistory(t, order.id)).slice(1)).toEqual(['pending→cancelled (merchant)', 'cancelled→refunded (payment)']);
    expect(await paymentRow(t, order.id)).toMatchObject({ status: 'succeeded', captured: order.amountMinor });
    const [refund] = await t.dataSource.query(`SELECT amount::int, source, note FROM refunds WHERE order_id = $1`, [order.id]);
    expect(refund).toMatchObject({ amount: order.amountMinor, source: 'late_payment', note: expect.stringMatching(/after order .* was cancelled/) });
    // The refund is sent to Stripe after the commit, with its idempotency key.
    const sent = await eventually(() => fake.requestsTo('/v1/refunds', 'POST').filter((r) => r.params.payment_intent === fake.sessions.get(order.sessionId)!.payment_intent), (r) => r.length > 0);
    expect(sent[0]).toMatchObject({ status: 200, idempotencyKey: expect.stringMatching(/^commerce:refund:/) });
    expect(await saleMovements(t, order.id)).toBe(0);
  });

  it('charge.refunded from the dashboard is reconciled; charge.dispute.created is recorded and the merchant told', async () => {
    const order = await placeOrder(t, merchant, product, 1);
    const paid = paidSessionWebhook(order);
    await postWebhook(t.http, paid.signed).expect(200);
    await waitForEvent(paid.event.id, (s) => s === 'processed');
    const intent = fake.paymentIntents.get(fake.sessions.get(order.sessionId)!.payment_intent)!;
    const charge = fake.charges.get(intent.latest_charge)!;

    // A partial refund made in the Stripe dashboard.
    const refundedCharge = { ...charge, amount_refunded: 500, refunded: false };
    const refunded = fake.makeEvent('charge.refunded', refundedCharge);
    await postWebhook(t.http, fake.signedWebhook(refunded)).expect(200);
    expect(await waitForEvent(refunded.id, (s) => s !== 'received')).toMatchObject({ status: 'processed', order_id: order.id });
    expect(await paymentRow(t, order.id)).toMatchObject({ refunded: 500 });
    // Delivered again: nothing more is refunded.
    await postWebhook(t.http, fake.signedWebhook(fake.makeEvent('charge.refunded', refundedCharge))).expect(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(await paymentRow(t, order.id)).toMatchObject({ refunded: 500 });

    const dispute = { id: `dp_${randomUUID().slice(0, 8)}`, object: 'dispute', amount: order.amountMinor, currency: 'usd', charge: charge.id, payment_intent: intent.id, reason: 'fraudulent', status: 'needs_response', metadata: {} };
    const disputed = fake.makeEvent('charge.dispute.created', dispute);
    await postWebhook(t.http, fake.signedWebhook(disputed)).expect(200);
    expect(await waitForEvent(disputed.id, (s) => s !== 'received')).toMatchObject({ status: 'processed', order_id: order.id });
    expect(await paymentRow(t, order.id)).toMatchObject({ dispute_id: dispute.id });
    const notification = await eventually(
      async () => (await t.http.get('/api/notifications').set(merchant.auth)).body.items?.find((n: { type: string }) => n.type === 'payment.dispute_created'),
      (n) => n !== undefined,
    );
    expect(notification).toMatchObject({ title: `Chargeback opened on order ${order.orderNumber}`, data: { order_id: order.id, dispute_id: dispute.id, amount_minor: order.amountMinor, reason: 'fraudulent' } });
    expect((await t.http.get(`/api/payments/status/${order.id}`).set(merchant.auth)).body).toMatchObject({ disputed: true, refunded: '5.00' });
  });
});
