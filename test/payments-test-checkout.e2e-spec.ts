import { InventoryService } from '../src/modules/inventory/inventory.service';
import { bootTestApp, TestApp } from './harness/app';
import { createAdmin, registerCustomer, registerMerchant, TestAccount } from './support/identity';
import { ledgerViolations, levelOf, stockedProduct, StockedProduct } from './support/inventory';
import { collectPageProblems, launchChromium, listenOnFreePort } from './support/browser';
import { checkoutBody, eventually, markPaid, startReceiver } from './support/orders';
import { orderStatus, outboxCount, paymentEvent, paymentRow, placeOrder, saleMovements, statusHistory } from './support/payments';

/**
 * The test payment provider (the default without a Stripe key): its checkout page's Pay and Fail
 * buttons go through the same store-and-process path as a Stripe webhook, with the worker
 * applying the event. Also the payment status route and who may read it.
 */
describe('Payments with the test provider (checkout page, status route)', () => {
  let t: TestApp;
  let merchant: TestAccount;
  let product: StockedProduct;

  beforeAll(async () => {
    t = await bootTestApp();
    await t.startWorker();
    merchant = await registerMerchant(t, { approve: true });
    product = await stockedProduct(t, merchant, { stock: 20, status: 'active' });
  });
  afterEach(async () => {
    expect(await ledgerViolations(t.dataSource)).toEqual([]);
  });
  afterAll(() => t?.close());

  const eventsOf = (orderId: string) => t.dataSource.query(`SELECT event_id, source, type, status::text FROM payment_events WHERE order_id = $1 ORDER BY created_at`, [orderId]);

  it('Pay on the checkout page stores the event, the worker pays the order, and the browser goes to the success URL', async () => {
    const variant = product.variantIds[0];
    const before = await levelOf(t.dataSource, variant);
    const order = await placeOrder(t, merchant, product, 2, { success_url: 'https://shop.example.com/thanks?session={CHECKOUT_SESSION_ID}' });
    expect(order.sessionId).toMatch(/^test_cs_/);

    const page = await t.http.get(`/api/payments/test-checkout/${order.sessionId}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain(`action="/api/payments/test-checkout/${order.sessionId}/pay"`);
    expect(page.text).toContain(`action="/api/payments/test-checkout/${order.sessionId}/fail"`);
    expect(page.text).toContain(order.orderNumber);

    const paid = await t.http.post(`/api/payments/test-checkout/${order.sessionId}/pay`);
    expect(paid.status).toBe(303);
    expect(paid.headers.location).toBe(`https://shop.example.com/thanks?session=${order.sessionId}`);
    expect(await eventually(() => orderStatus(t, order.id), (s) => s === 'paid')).toBe('paid');

    const events = await eventsOf(order.id);
    expect(events).toEqual([expect.objectContaining({ source: 'test_checkout', type: 'checkout.session.completed', status: 'processed' })]);
    expect(await paymentRow(t, order.id)).toMatchObject({
      status: 'succeeded',
      captured: order.amountMinor,
      payment_intent_id: expect.stringMatching(/^test_pi_/),
      charge_id: expect.stringMatching(/^test_ch_/),
      paid_at: expect.any(Date),
    });
    expect(await levelOf(t.dataSource, variant)).toEqual({ on_hand: before.on_hand - 2, reserved: before.reserved });
    expect(await outboxCount(t, 'order.paid', order.id)).toBe(1);

    // A second click (or a reload re-posting the form): the same event, not stored or applied again.
    const again = await t.http.post(`/api/payments/test-checkout/${order.sessionId}/pay`);
    expect(again.status).toBe(303);
    expect(await eventsOf(order.id)).toHaveLength(1);
    const paidPage = await t.http.get(`/api/payments/test-checkout/${order.sessionId}`);
    expect(paidPage.text).toContain('Paid');
    expect(paidPage.text).not.toContain('/pay"');
    // Failing a paid session is refused.
    expect((await t.http.post(`/api/payments/test-checkout/${order.sessionId}/fail`)).status).toBe(409);
    await new Promise((r) => setTimeout(r, 300));
    expect(await outboxCount(t, 'order.paid', order.id)).toBe(1);
    expect(await saleMovements(t, order.id)).toBe(1);
  });

  it('Fail declines the payment: the order fails, its stock stays held until the order expires, then it is released', async () => {
    const variant = product.variantIds[0];
    const before = await levelOf(t.dataSource, variant);
    const order = await placeOrder(t, merchant, product, 3);
    const failed = await t.http.post(`/api/payments/test-checkout/${order.sessionId}/fail`);
    expect(failed.status).toBe(303);
    expect(failed.headers.location).toBe('https://shop.example.com/cart');
    expect(await eventually(() => orderStatus(t, order.id), (s) => s === 'failed')).toBe('failed');
    expect(await paymentRow(t, order.id)).toMatchObject({ status: 'failed', captured: 0, failure_message: 'Your card was declined.' });
    expect(await levelOf(t.dataSource, variant)).toEqual({ on_hand: before.on_hand, reserved: before.reserved + 3 });
    expect(await statusHistory(t, order.id)).toEqual(['∅→pending (customer)', 'pending→failed (payment)']);

    await t.dataSource.query(`UPDATE inventory_reservations SET expires_at = now() - interval '1 second' WHERE reference = $1`, [order.id]);
    await t.app.get(InventoryService).expireDue();
    expect(await eventually(() => orderStatus(t, order.id), (s) => s === 'cancelled')).toBe('cancelled');
    expect(await levelOf(t.dataSource, variant)).toEqual(before);
  });

  it('opens the session in the checkout\'s transaction: the order is written once, complete, and without its session there is no order', async () => {
    const order = await placeOrder(t, merchant, product, 1);
    const [row] = await t.dataSource.query(
      `SELECT o.order_number, o.checkout_url, o.created_at = o.updated_at AS written_once, s.order_number AS session_number, s.amount_minor::int AS session_amount,
              p.session_id AS payment_session, p.status::text AS payment_status, p.expires_at = o.expires_at AS same_expiry,
              (SELECT count(*)::int FROM outbox_events e WHERE e.name = 'payment.verify' AND e.payload ->> 'order_id' = o.id::text) AS verify_events
         FROM orders o JOIN test_payment_sessions s ON 'test_cs_' || s.id = o.payment_session_id JOIN payments p ON p.order_id = o.id
        WHERE o.id = $1`,
      [order.id],
    );
    expect(row).toEqual({
      order_number: order.orderNumber,
      checkout_url: expect.stringContaining(`/api/payments/test-checkout/${order.sessionId}`),
      written_once: true,
      session_number: order.orderNumber,
      session_amount: order.amountMinor,
      payment_session: order.sessionId,
      payment_status: 'pending',
      same_expiry: true,
      verify_events: 1,
    });

    // The session's row cannot be written: the checkout fails and leaves nothing behind.
    const variant = product.variantIds[0];
    const before = await levelOf(t.dataSource, variant);
    const counts = () => t.dataSource.query(`SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM inventory_reservations) AS reservations, (SELECT count(*)::int FROM payments) AS payments, (SELECT count(*)::int FROM outbox_events) AS events`);
    const countsBefore = await counts();
    await t.dataSource.query(`ALTER TABLE test_payment_sessions ADD CONSTRAINT ck_test_refuses CHECK (amount_minor < 0) NOT VALID`);
    try {
      const res = await t.http.post('/api/public/checkout').send(checkoutBody(merchant.merchantId!, [{ product_id: product.id, variant_id: variant, quantity: 1 }]));
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ success: false, error: { code: 'ERR_INTERNAL' } });
    } finally {
      await t.dataSource.query(`ALTER TABLE test_payment_sessions DROP CONSTRAINT ck_test_refuses`);
    }
    expect(await counts()).toEqual(countsBefore);
    expect(await levelOf(t.dataSource, variant)).toEqual(before);
  });

  it('answers 404 for unknown sessions, and the test provider takes no webhooks', async () => {
    expect((await t.http.get('/api/payments/test-checkout/test_cs_00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await t.http.post('/api/payments/test-checkout/cs_live_nope/pay')).status).toBe(404);
    const webhook = await t.http.post('/api/webhooks/stripe').set('stripe-signature', 't=1,v1=abc').send({ id: 'evt_1', type: 'checkout.session.completed' });
    expect(webhook.status).toBe(400);
    expect(webhook.body.error).toMatchObject({ code: 'ERR_BAD_REQUEST', detail: { reason: 'not_supported' } });
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM payment_events WHERE event_id = 'evt_1'`))[0].n).toBe(0);
  });

  it('markPaid (the fixtures\' helper) goes through the same event path and leaves the order paid on return', async () => {
    const order = await placeOrder(t, merchant, product, 1);
    await markPaid(t, order.id);
    expect(await orderStatus(t, order.id)).toBe('paid');
    const [event] = await eventsOf(order.id);
    expect(await paymentEvent(t, event.event_id)).toMatchObject({ status: 'processed', attempts: 1, order_id: order.id });
  });

  it('works in a real browser: the page shows, Pay leads to the shop\'s success URL on another origin, the order is paid', async () => {
    const shop = await startReceiver();
    const browser = await launchChromium();
    try {
      const origin = await listenOnFreePort(t);
      const order = await placeOrder(t, merchant, product, 1, { success_url: `${shop.url}/thanks?session={CHECKOUT_SESSION_ID}`, cancel_url: `${shop.url}/cart` });
      const page = await browser.newPage();
      const problems = await collectPageProblems(page);
      const response = await page.goto(`${origin}/api/payments/test-checkout/${order.sessionId}`);
      expect(response?.status()).toBe(200);
      expect(await page.textContent('h1')).toBe(`Order ${order.orderNumber}`);
      const toShop = page.waitForRequest((req) => req.url().startsWith(shop.url));
      await page.click('button.pay');
      expect((await toShop).url()).toBe(`${shop.url}/thanks?session=${order.sessionId}`);
      expect(await eventually(() => orderStatus(t, order.id), (s) => s === 'paid')).toBe('paid');
      expect(shop.deliveries.map((d) => d.path)).toContain(`/thanks?session=${order.sessionId}`);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      await shop.close();
    }
  });

  describe('GET /api/payments/status/{order_id}', () => {
    let admin: TestAccount;
    let owner: TestAccount;
    let otherCustomer: TestAccount;
    let otherMerchant: TestAccount;

    beforeAll(async () => {
      admin = await createAdmin(t);
      owner = await registerCustomer(t);
      otherCustomer = await registerCustomer(t);
      otherMerchant = await registerMerchant(t, { approve: true, admin });
    });

    it('shows the payment to the order\'s merchant, an admin and the customer who placed it; 404 to others, 401 anonymous', async () => {
      const res = await t.http.post('/api/public/checkout').set(owner.auth).send({
        merchant_id: merchant.merchantId,
        items: [{ product_id: product.id, quantity: 1 }],
        email: 'owner@example.com',
        name: 'Owner',
        shipping_address: { line_1: '1 Main St', city: 'Springfield', postal_code: '12345', country_alpha2: 'US', contact_name: 'Owner' },
        success_url: 'https://shop.example.com/thanks',
        cancel_url: 'https://shop.example.com/cart',
      });
      expect(res.status).toBe(201);
      const orderId: string = res.body.order_id;
      const url = `/api/payments/status/${orderId}`;

      const pending = await t.http.get(url).set(merchant.auth);
      expect(pending.status).toBe(200);
      expect(pending.body).toEqual({
        order_id: orderId,
        order_number: res.body.order_number,
        status: 'pending',
        order_status: 'pending',
        provider: 'test',
        amount: res.body.amount_total,
        currency: 'USD',
        captured: '0.00',
        refunded: '0.00',
        paid_at: null,
        failure_message: null,
        disputed: false,
      });

      await markPaid(t, orderId);
      for (const caller of [merchant, admin, owner]) {
        const seen = await t.http.get(url).set(caller.auth);
        expect([caller.email, seen.status]).toEqual([caller.email, 200]);
        expect(seen.body).toMatchObject({ status: 'succeeded', order_status: 'paid', captured: res.body.amount_total, paid_at: expect.any(String) });
      }
      expect((await t.http.get(`${url}?merchant_id=${merchant.merchantId}`).set(admin.auth)).status).toBe(200);
      expect((await t.http.get(`${url}?merchant_id=${otherMerchant.merchantId}`).set(admin.auth)).status).toBe(404);
      for (const stranger of [otherMerchant, otherCustomer]) {
        const refused = await t.http.get(url).set(stranger.auth);
        expect([stranger.email, refused.status, refused.body.error?.code]).toEqual([stranger.email, 404, 'ERR_NOT_FOUND']);
      }
      const anonymous = await t.http.get(url);
      expect(anonymous.status).toBe(401);
      expect((await t.http.get('/api/payments/status/not-a-uuid').set(merchant.auth)).status).toBe(404);

      // A guest's order is not any customer's.
      const guest = await placeOrder(t, merchant, product, 1);
      expect((await t.http.get(`/api/payments/status/${guest.id}`).set(owner.auth)).status).toBe(404);
      expect((await t.http.get(`/api/payments/status/${guest.id}`).set(merchant.auth)).status).toBe(200);
    });
  });
});
