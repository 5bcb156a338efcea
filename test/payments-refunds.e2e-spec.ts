import Stripe from 'stripe';
import { Payment } from '../src/modules/payments/entities/payment.entity';
import { PAYMENT_PROVIDER, PaymentProvider, RefundInput } from '../src/modules/payments/providers/payment-provider';
import { RefundsService } from '../src/modules/payments/refunds.service';
import { OrdersService } from '../src/modules/orders/orders.service';
import { bootTestApp, TestApp } from './harness/app';
import { FakeStripe } from './support/fake-stripe';
import { createAdmin, registerCustomer, registerMerchant, TestAccount } from './support/identity';
import { levelOf, stockedProduct, StockedProduct } from './support/inventory';
import { checkoutBody, configureCheckout, eventually } from './support/orders';
import { PaidOrder, payOrder, placePaidOrder } from './support/paid-orders';

/**
 * Refunds against the real `stripe` SDK talking to the fake Stripe server, with the worker
 * running: partial and full refunds, the cap under concurrency, idempotency keys on every write,
 * retries after provider failures and lost answers, the refund of a cancelled paid order, refunds
 * made in the Stripe dashboard (charge.refunded), late payments, and who may do what.
 */
describe('Refunds (Stripe through the fake server)', () => {
  let fake: FakeStripe;
  let t: TestApp;
  let merchant: TestAccount;
  let otherMerchant: TestAccount;
  let customer: TestAccount;
  let admin: TestAccount;
  let product: StockedProduct;

  beforeAll(async () => {
    fake = await FakeStripe.start();
    t = await bootTestApp({ env: { STRIPE_SECRET_KEY: fake.apiKey, STRIPE_WEBHOOK_SECRET: fake.webhookSecret, STRIPE_API_BASE_URL: fake.baseUrl } });
    await t.startWorker();
    admin = await createAdmin(t);
    merchant = await registerMerchant(t, { approve: true, admin });
    otherMerchant = await registerMerchant(t, { approve: true, admin });
    customer = await registerCustomer(t);
    product = await stockedProduct(t, merchant, { stock: 500, status: 'active' });
    // 3 × 10.00 + 5.00 shipping + 10 % tax on both = 38.50
    await configureCheckout(t, merchant, { flat_shipping_rates: [{ currency: 'USD', amount: '5.00' }], tax_rates: [{ country_code: 'US', rate: '10' }] });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const paidOrder = (quantity = 3): Promise<PaidOrder> => placePaidOrder(t, merchant.merchantId!, [{ product_id: product.id, quantity }], { fake });
  const refund = (body: Record<string, unknown>, who: TestAccount = merchant) => t.http.post('/api/refunds/create').set(who.auth).send(body);
  const refundRequests = (paymentIntentId: string) => fake.requestsTo('/v1/refunds', 'POST').filter((r) => r.params.payment_intent === paymentIntentId);
  const paymentRow = async (orderId: string) =>
    (await t.dataSource.query(`SELECT captured::int, refunded::int, platform_fee::int AS platform_fee FROM payments WHERE order_id = $1`, [orderId]))[0] as { captured: number; refunded: number };
  const refundedEvents = (orderId: string) => t.dataSource.query(`SELECT payload FROM outbox_events WHERE name = 'order.refunded' AND payload->>'order_id' = $1`, [orderId]);

  it('refunds partly, then the rest: the order becomes refunded once, and every provider write carries the refund\'s key', async () => {
    const paid = await paidOrder();
    expect(paid.amountMinor).toBe(3850);

    const first = await refund({ payment_intent_id: paid.paymentIntentId, amount: '10.00', reason: 'requested_by_customer' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ order_id: paid.orderId, amount: '10.00', currency: 'USD', status: 'succeeded', source: 'api', reason: 'requested_by_customer', provider_refund_id: expect.stringMatching(/^re_/) });
    let order = (await t.http.get(`/api/orders/merchant/${paid.orderId}`).set(merchant.auth).expect(200)).body;
    expect(order).toMatchObject({ status: 'paid', refunded_amount: '10.00' });
    expect(await paymentRow(paid.orderId)).toMatchObject({ captured: 3850, refunded: 1000 });
    expect(await refundedEvents(paid.orderId)).toHaveLength(0);

    // No amount: everything that is left.
    const rest = await refund({ payment_intent_id: paid.paymentIntentId, reason: 'duplicate' });
    expect(rest.status).toBe(201);
    expect(rest.body).toMatchObject({ amount: '28.50', status: 'succeeded' });
    order = (await t.http.get(`/api/orders/merchant/${paid.orderId}`).set(merchant.auth).expect(200)).body;
    expect(order).toMatchObject({ status: 'refunded', refunded_amount: '38.50', refunded_at: expect.any(String) });
    expect(await paymentRow(paid.orderId)).toMatchObject({ captured: 3850, refunded: 3850 });
    const events = await refundedEvents(paid.orderId);
    expect(events).toHaveLength(1);
    expect(events[0].payload).toMatchObject({ status: 'refunded', previous_status: 'paid', source: 'payment', refunded_amount_minor: 3850 });
    const history = (await t.http.get(`/api/orders/merchant/${paid.orderId}/shipping-history`).set(merchant.auth).expect(200)).body.history;
    expect(history.at(-1)).toMatchObject({ from_status: 'paid', to_status: 'refunded', source: 'payment' });

    // Both provider writes carried the key derived from their refund's id, with the amount in minor units.
    expect(refundRequests(paid.paymentIntentId).map((r) => [r.idempotencyKey, r.params.amount, r.params.reason, r.status])).toEqual([
      [`commerce:refund:${first.body.id}`, '1000', 'requested_by_customer', 200],
      [`commerce:refund:${rest.body.id}`, '2850', 'duplicate', 200],
    ]);
    expect(fake.charges.get(paid.chargeId)!.amount_refunded).toBe(3850);

    // Nothing is left.
    const again = await refund({ payment_intent_id: paid.paymentIntentId, amount: '0.01', reason: 'requested_by_customer' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'ERR_REFUND_EXCEEDS_CAPTURED', detail: { refundable: '0.00', refunded: '38.50' } });

    const got = await t.http.get(`/api/refunds/${first.body.id}`).set(merchant.auth).expect(200);
    expect(got.body).toEqual(first.body);
    const list = await t.http.get('/api/refunds').query({ order_id: paid.orderId }).set(merchant.auth).expect(200);
    expect(list.body).toMatchObject({ total: 2, page: 1, has_next: false });
    expect(list.body.items.map((r: { id: string }) => r.id).sort()).toEqual([first.body.id, rest.body.id].sort());
  });

  it('refuses more than what is left (409, nothing sent, nothing recorded) and bad amounts (422)', async () => {
    const paid = await paidOrder();
    const tooMuch = await refund({ payment_intent_id: paid.paymentIntentId, amount: '38.51', reason: 'requested_by_customer' });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error).toMatchObject({
      code: 'ERR_REFUND_EXCEEDS_CAPTURED',
      detail: { requested: '38.51', captured: '38.50', refunded: '0.00', pending: '0.00', refundable: '38.50', currency: 'USD' },
    });
    for (const amount of ['0', '-1.00', '1.001', 'ten']) {
      const res = await refund({ payment_intent_id: paid.paymentIntentId, amount, reason: 'requested_by_customer' });
      expect([res.status, res.body.error.code]).toEqual([422, 'ERR_VALIDATION']);
    }
    expect((await refund({ payment_intent_id: paid.paymentIntentId, reason: 'because' })).status).toBe(422);
    expect((await refund({ payment_intent_id: 'pi_unknown', reason: 'duplicate' })).status).toBe(404);
    expect(refundRequests(paid.paymentIntentId)).toHaveLength(0);
    expect(await t.dataSource.query(`SELECT id FROM refunds WHERE order_id = $1`, [paid.orderId])).toEqual([]);
    expect(await paymentRow(paid.orderId)).toMatchObject({ refunded: 0 });
  });

  it('lets exactly as many of 10 concurrent partial refunds through as fit in the captured amount', async () => {
    const paid = await paidOrder();
    const answers = await Promise.all(Array.from({ length: 10 }, () => refund({ payment_intent_id: paid.paymentIntentId, amount: '5.00', reason: 'requested_by_customer' })));
    const statuses = answers.map((a) => a.status).sort();
    // 7 × 5.00 = 35.00 fits in 38.50; an eighth would not.
    expect(statuses).toEqual([...Array(7).fill(201), ...Array(3).fill(409)]);
    for (const refused of answers.filter((a) => a.status === 409)) expect(refused.body.error.code).toBe('ERR_REFUND_EXCEEDS_CAPTURED');
    expect(answers.filter((a) => a.status === 201).every((a) => a.body.status === 'succeeded')).toBe(true);
    expect(await paymentRow(paid.orderId)).toMatchObject({ captured: 3850, refunded: 3500 });
    const [{ sum }] = await t.dataSource.query(`SELECT sum(amount)::int AS sum FROM refunds WHERE order_id = $1 AND status = 'succeeded'`, [paid.orderId]);
    expect(sum).toBe(3500);
    const sent = refundRequests(paid.paymentIntentId);
    expect(sent).toHaveLength(7);
    expect(new Set(sent.map((r) => r.idempotencyKey)).size).toBe(7);
    expect(fake.charges.get(paid.chargeId)!.amount_refunded).toBe(3500);
    expect((await t.http.get(`/api/orders/merchant/${paid.orderId}`).set(merchant.auth)).body).toMatchObject({ status: 'paid', refunded_amount: '35.00' });
  });

  it('retries a refund the provider failed (500) with the same key, and refunds once', async () => {
    const paid = await paidOrder();
    // One 500: the SDK's own retry, same key.
    fake.failNext('/v1/refunds', 1, { method: 'POST' });
    const once = await refund({ payment_intent_id: paid.paymentIntentId, amount: '5.00', reason: 'requested_by_customer' });
    expect(once.body).toMatchObject({ status: 'succeeded' });
    expect(refundRequests(paid.paymentIntentId).map((r) => [r.idempotencyKey, r.status])).toEqual([
      [`commerce:refund:${once.body.id}`, 500],
      [`commerce:refund:${once.body.id}`, 200],
    ]);

    // Down for the request and the SDK's two retries: the refund stays pending (the amount reserved), the worker sends it again.
    fake.failNext('/v1/refunds', 3, { method: 'POST' });
    const later = await refund({ payment_intent_id: paid.paymentIntentId, amount: '7.00', reason: 'requested_by_customer' });
    expect(later.status).toBe(201);
    expect(later.body).toMatchObject({ status: 'pending', provider_refund_id: null, failure_message: expect.stringContaining('Stripe could not refund') });
    // Reserved: only 38.50 − 5.00 − 7.00 is left meanwhile.
    const meanwhile = await refund({ payment_intent_id: paid.paymentIntentId, amount: '26.51', reason: 'requested_by_customer' });
    expect(meanwhile.body.error).toMatchObject({ code: 'ERR_REFUND_EXCEEDS_CAPTURED', detail: { pending: '7.00', refundable: '26.50' } });

    const settled = await eventually(
      async () => (await t.http.get(`/api/refunds/${later.body.id}`).set(merchant.auth)).body,
      (r) => r.status !== 'pending',
    );
    expect(settled).toMatchObject({ status: 'succeeded', provider_refund_id: expect.stringMatching(/^re_/), failure_message: null });
    const forLater = refundRequests(paid.paymentIntentId).filter((r) => r.params.metadata?.refund_id === later.body.id);
    expect(forLater.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(forLater.map((r) => r.idempotencyKey))).toEqual(new Set([`commerce:refund:${later.body.id}`]));
    expect([...fake.refunds.values()].filter((r) => r.payment_intent === paid.paymentIntentId).map((r) => r.amount)).toEqual([500, 700]);
    expect(await paymentRow(paid.orderId)).toMatchObject({ refunded: 1200 });
  });

  it('recovers a refund whose answer was lost after the provider made it: the job re-sends the same key and Stripe replays it', async () => {
    const paid = await paidOrder();
    const provider = t.app.get<PaymentProvider>(PAYMENT_PROVIDER);
    const original = provider.refund.bind(provider);
    const spy = jest.spyOn(provider, 'refund').mockImplementationOnce(async (input: RefundInput) => {
      await original(input); // Stripe refunded…
      throw new Error('socket hang up'); // …and the answer never arrived (the process could as well have died here)
    });
    try {
      const lost = await refund({ payment_intent_id: paid.paymentIntentId, amount: '8.00', reason: 'fraudulent' });
      expect(lost.body).toMatchObject({ status: 'pending', failure_message: 'socket hang up' });
      // The reservation's own recovery job (for a crash before any answer) waits a minute.
      const [recovery] = await t.dataSource.query(
        `SELECT extract(epoch FROM available_at - created_at) AS delay FROM outbox_events WHERE name = 'refund.send' AND payload->>'refund_id' = $1 ORDER BY created_at LIMIT 1`,
        [lost.body.id],
      );
      expect(Number(recovery.delay)).toBeGreaterThanOrEqual(59);
      const settled = await eventually(
        async () => (await t.http.get(`/api/refunds/${lost.body.id}`).set(merchant.auth)).body,
        (r) => r.status !== 'pending',
      );
      expect(settled.status).toBe('succeeded');
    } finally {
      spy.mockRestore();
    }
    const sent = refundRequests(paid.paymentIntentId);
    expect(sent.map((r) => [r.replayed, r.status])).toEqual([
      [false, 200],
      [true, 200],
    ]);
    expect([...fake.refunds.values()].filter((r) => r.payment_intent === paid.paymentIntentId)).toHaveLength(1);
    expect(await paymentRow(paid.orderId)).toMatchObject({ refunded: 800 });
  });

  it('refunds a paid order the merchant cancels, in full (what is left), and the order ends refunded', async () => {
    const paid = await paidOrder(2); // 2 × 10.00 + 5.00, + 10 % = 27.50
    const before = await levelOf(t.dataSource, product.variantIds[0]);
    const partial = await refund({ payment_intent_id: paid.paymentIntentId, amount: '2.50', reason: 'requested_by_customer' });
    expect(partial.body.status).toBe('succeeded');

    const cancelled = await t.http.post(`/api/orders/merchant/${paid.orderId}/cancel`).set(merchant.auth).send({ reason: 'out of stock after all' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(await levelOf(t.dataSource, product.variantIds[0])).toEqual({ on_hand: before.on_hand + 2, reserved: 0 });

    const order = await eventually(
      async () => (await t.http.get(`/api/orders/merchant/${paid.orderId}`).set(merchant.auth)).body,
      (o) => o.status === 'refunded',
    );
    expect(order).toMatchObject({ status: 'refunded', refunded_amount: '27.50' });
    const refunds = (await t.http.get('/api/refunds').query({ order_id: paid.orderId }).set(merchant.auth)).body.items;
    expect(refunds.map((r: { source: string; amount: string; status: string }) => [r.source, r.amount, r.status]).sort()).toEqual([
      ['api', '2.50', 'succeeded'],
      ['order_cancel', '25.00', 'succeeded'],
    ]);
    const cancelRefund = refundRequests(paid.paymentIntentId).find((r) => r.params.amount === '2500')!;
    expect(cancelRefund).toMatchObject({ idempotencyKey: `commerce:refund:order-cancel:${paid.orderId}`, status: 200 });
    expect(cancelRefund.params.reason).toBe('requested_by_customer');
    expect(await paymentRow(paid.orderId)).toMatchObject({ captured: 2750, refunded: 2750 });
    const history = (await t.http.get(`/api/orders/merchant/${paid.orderId}/shipping-history`).set(merchant.auth)).body.history;
    expect(history.slice(-2).map((h: { from_status: string; to_status: string; source: string }) => [h.from_status, h.to_status, h.source])).toEqual([
      ['paid', 'cancelled', 'merchant'],
      ['cancelled', 'refunded', 'payment'],
    ]);

    // The job again (a redelivery): the same refund, nothing new.
    await t.app.get(RefundsService).refundCancelledOrder(paid.orderId, merchant.merchantId!);
    expect(refundRequests(paid.paymentIntentId).filter((r) => !r.replayed)).toHaveLength(2);
    expect(await refundedEvents(paid.orderId)).toHaveLength(1);
  });

  it('records a refund made in the Stripe dashboard once (charge.refunded), and matches our own refunds instead of counting them twice', async () => {
    const paid = await paidOrder();
    const dashboard = new Stripe(fake.apiKey, { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries: 0 });
    const made = await dashboard.refunds.create({ payment_intent: paid.paymentIntentId, amount: 1200 });
    const refunds = t.app.get(RefundsService);
    const reconcile = (providerRefunds: { id: string; amountMinor: number; status: 'succeeded' }[], eventId: string) =>
      t.dataSource.transaction((manager) =>
        refunds.reconcileProviderRefund(manager, {
          orderId: paid.orderId,
          paymentIntentId: paid.paymentIntentId,
          chargeId: paid.chargeId,
          refundedMinor: fake.charges.get(paid.chargeId)!.amount_refunded,
          providerRefunds,
          eventId,
        }),
      );

    const first = await reconcile([{ id: made.id, amountMinor: 1200, status: 'succeeded' }], 'evt_dashboard_1');
    expect(first).toMatchObject({ recorded: 1, refundedMinor: 1200, orderRefunded: false });
    const again = await reconcile([{ id: made.id, amountMinor: 1200, status: 'succeeded' }], 'evt_dashboard_1');
    expect(again).toMatchObject({ recorded: 0, refundedMinor: 1200 });
    let rows = await t.dataSource.query(`SELECT source, amount::int, status, provider_refund_id FROM refunds WHERE order_id = $1`, [paid.orderId]);
    expect(rows).toEqual([{ source: 'provider', amount: 1200, status: 'succeeded', provider_refund_id: made.id }]);
    expect((await t.http.get(`/api/orders/merchant/${paid.orderId}`).set(merchant.auth)).body).toMatchObject({ status: 'paid', refunded_amount: '12.00' });

    // Ours for the rest; then Stripe's charge.refunded lists both: ours is matched, not recorded again.
    const ours = await refund({ payment_intent_id: paid.paymentIntentId, reason: 'requested_by_customer' });
    expect(ours.body).toMatchObject({ amount: '26.50', status: 'succeeded' });
    const both = await reconcile(
      [
        { id: made.id, amountMinor: 1200, status: 'succeeded' },
        { id: ours.body.provider_refund_id, amountMinor: 2650, status: 'succeeded' },
      ],
      'evt_dashboard_2',
    );
    expect(both).toMatchObject({ recorded: 0, refundedMinor: 3850 });
    rows = await t.dataSource.query(`SELECT source, amount::int FROM refunds WHERE order_id = $1 ORDER BY amount`, [paid.orderId]);
    expect(rows).toEqual([
      { source: 'provider', amount: 1200 },
      { source: 'api', amount: 2650 },
    ]);
    expect((await t.http.get(`/api/orders/merchant/${paid.orderId}`).set(merchant.auth)).body).toMatchObject({ status: 'refunded', refunded_amount: '38.50' });
    expect(await refundedEvents(paid.orderId)).toHaveLength(1);
  });

  it('takes the provider\'s total when the event lists no refunds, and a full dashboard refund refunds the order', async () => {
    const paid = await paidOrder();
    const dashboard = new Stripe(fake.apiKey, { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries: 0 });
    await dashboard.refunds.create({ payment_intent: paid.paymentIntentId });
    const input = { orderId: paid.orderId, paymentIntentId: paid.paymentIntentId, chargeId: paid.chargeId, refundedMinor: 3850, providerRefunds: [], eventId: 'evt_total_only' };
    const refunds = t.app.get(RefundsService);
    const first = await t.dataSource.transaction((m) => refunds.reconcileProviderRefund(m, input));
    const second = await t.dataSource.transaction((m) => refunds.reconcileProviderRefund(m, input));
    expect(first).toMatchObject({ recorded: 1, refundedMinor: 3850, orderRefunded: true });
    expect(second).toMatchObject({ recorded: 0, refundedMinor: 3850, orderRefunded: false });
    expect(await t.dataSource.query(`SELECT source, amount::int, provider_event_id FROM refunds WHERE order_id = $1`, [paid.orderId])).toEqual([
      { source: 'provider', amount: 3850, provider_event_id: 'evt_total_only' },
    ]);
    expect((await t.http.get(`/api/orders/merchant/${paid.orderId}`).set(merchant.auth)).body).toMatchObject({ status: 'refunded', refunded_amount: '38.50' });
    // An older event with a smaller total does not take the refund back.
    await t.dataSource.transaction((m) => refunds.reconcileProviderRefund(m, { ...input, refundedMinor: 1000, eventId: 'evt_older' }));
    expect(await paymentRow(paid.orderId)).toMatchObject({ refunded: 3850 });
  });

  it('refunds a payment that arrives after its order was cancelled, once, after the commit', async () => {
    const placed = await t.http.post('/api/public/checkout').send(checkoutBody(merchant.merchantId!, [{ product_id: product.id, quantity: 1 }])).expect(201);
    const orderId: string = placed.body.order_id;
    await t.http.post(`/api/orders/merchant/${orderId}/cancel`).set(merchant.auth).send({ reason: 'changed my mind' }).expect(200);
    // The customer paid in the tab still open: the payment is captured for a cancelled order.
    const paid = await payOrder(t, orderId, { fake });
    const refunds = t.app.get(RefundsService);
    const orders = t.app.get(OrdersService);
    const late = () =>
      t.dataSource.transaction(async (manager) => {
        const order = await orders.lock(manager, orderId);
        const payment = await manager.findOneByOrFail(Payment, { orderId });
        return refunds.refundLatePayment(manager, order, payment, 'Paid after the order was cancelled');
      });
    const first = await late();
    const second = await late();
    expect(second!.id).toBe(first!.id);
    expect(first).toMatchObject({ status: 'pending', source: 'late_payment', amount: 1650, reason: null });
    const order = await eventually(
      async () => (await t.http.get(`/api/orders/merchant/${orderId}`).set(merchant.auth)).body,
      (o) => o.status === 'refunded',
    );
    expect(order).toMatchObject({ status: 'refunded', refunded_amount: '16.50' });
    const sent = refundRequests(paid.paymentIntentId);
    expect(sent.filter((r) => !r.replayed)).toHaveLength(1);
    expect(sent[0]).toMatchObject({ idempotencyKey: `commerce:refund:${first!.id}`, status: 200 });
    expect(sent[0].params.reason).toBeUndefined();
  });

  it('keeps refunds to the store that owns the payment: other merchant 404, customer 403, anonymous 401, read-only key 403', async () => {
    const paid = await paidOrder(1);
    const ours = await refund({ payment_intent_id: paid.paymentIntentId, amount: '1.00', reason: 'requested_by_customer' });
    expect(ours.status).toBe(201);

    expect((await refund({ payment_intent_id: paid.paymentIntentId, amount: '1.00', reason: 'requested_by_customer' }, otherMerchant)).status).toBe(404);
    expect((await t.http.get(`/api/refunds/${ours.body.id}`).set(otherMerchant.auth)).status).toBe(404);
    expect((await t.http.get('/api/refunds').query({ order_id: paid.orderId }).set(otherMerchant.auth)).body.total).toBe(0);
    expect((await refund({ payment_intent_id: paid.paymentIntentId, amount: '1.00', reason: 'requested_by_customer' }, customer)).status).toBe(403);
    expect((await t.http.get(`/api/refunds/${ours.body.id}`).set(customer.auth)).status).toBe(403);
    expect((await t.http.post('/api/refunds/create').send({ payment_intent_id: paid.paymentIntentId, reason: 'duplicate' })).status).toBe(401);
    expect((await t.http.get(`/api/refunds/${ours.body.id}`)).status).toBe(401);

    const readOnly = (await t.http.post('/api/merchant/api-keys').set(merchant.auth).send({ name: 'ro', scopes: ['read'] }).expect(201)).body.key;
    const writer = (await t.http.post('/api/merchant/api-keys').set(merchant.auth).send({ name: 'rw', scopes: ['read', 'write'] }).expect(201)).body.key;
    expect((await t.http.get(`/api/refunds/${ours.body.id}`).set('X-API-Key', readOnly)).status).toBe(200);
    expect((await t.http.post('/api/refunds/create').set('X-API-Key', readOnly).send({ payment_intent_id: paid.paymentIntentId, amount: '1.00', reason: 'duplicate' })).status).toBe(403);
    const byKey = await t.http.post('/api/refunds/create').set('X-API-Key', writer).send({ payment_intent_id: paid.paymentIntentId, amount: 1, reason: 'duplicate' });
    expect(byKey.body).toMatchObject({ amount: '1.00', status: 'succeeded' });

    // Admins reach any store's refunds.
    expect((await t.http.get(`/api/refunds/${ours.body.id}`).set(admin.auth)).status).toBe(200);
    expect((await refund({ payment_intent_id: paid.paymentIntentId, amount: '1.00', reason: 'duplicate' }, admin)).body).toMatchObject({ status: 'succeeded' });
    expect(await paymentRow(paid.orderId)).toMatchObject({ refunded: 300 });
  });
});
