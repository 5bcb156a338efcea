import type { Job } from 'bullmq';
import { OrderEventsHandler } from '../src/modules/orders/order-events.handler';
import { verifyWebhook } from '../src/modules/notifications/webhook-signature';
import { bootTestApp, TestApp } from './harness/app';
import { registerCustomer, registerMerchant, TestAccount } from './support/identity';
import { ledgerViolations, levelOf, stockedProduct, StockedProduct } from './support/inventory';
import { SqlStatementCounter } from './support/sql-statements';
import { checkoutBody, configureCheckout, eventually, sessionId, startReceiver } from './support/orders';

/**
 * The whole order flow against real Postgres and Redis with the worker running: cart → checkout →
 * payment → ship → in transit → delivered → complete, checking the order, stock, ledger, status
 * history, the rollup and the signed events a merchant webhook receives.
 */
describe('Order flow (cart to completed, with the worker)', () => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let merchant: TestAccount;
  let customer: TestAccount;
  let product: StockedProduct;
  let webhookSecret: string;
  let worker: Awaited<ReturnType<TestApp['startWorker']>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await bootTestApp();
    worker = await t.startWorker();
    merchant = await registerMerchant(t, { approve: true });
    customer = await registerCustomer(t);
    product = await stockedProduct(t, merchant, { variants: 2, stock: 5, status: 'active' });
    await configureCheckout(t, merchant, { flat_shipping_rates: [{ currency: 'USD', amount: '5.00' }], tax_rates: [{ country_code: 'US', rate: '10' }] });
    const settings = await t.http.put('/api/notifications/settings').set(merchant.auth).send({ webhook_url: `${receiver.url}/orders` });
    expect(settings.status).toBe(200);
    webhookSecret = settings.body.webhook_secret;
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('walks an order from the cart to completed', async () => {
    const [a, b] = product.variantIds;
    const session = sessionId();
    // A guest cart, then checkout as the signed-in customer with that session: the cart's lines are used.
    for (const [variant, quantity] of [[a, 2], [b, 1]] as const) {
      const added = await t.http.post('/api/cart/items').set('X-Session-ID', session).send({ product_id: product.id, variant_id: variant, quantity });
      expect(added.status).toBe(200);
    }
    const placed = await t.http.post('/api/public/checkout').set(customer.auth).set('X-Session-ID', session).send(checkoutBody(merchant.merchantId!, undefined));
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({
      order_number: expect.stringMatching(/^ORD-\d{8}-0001$/),
      status: 'pending',
      currency: 'USD',
      subtotal: '30.00',
      shipping_fee: '5.00',
      tax_amount: '3.50', // 10 % of goods + shipping
      amount_total: '38.50',
      checkout_url: expect.stringMatching(/^http/),
    });
    const orderId: string = placed.body.order_id;
    expect(await levelOf(t.dataSource, a)).toEqual({ on_hand: 5, reserved: 2 });
    expect(await levelOf(t.dataSource, b)).toEqual({ on_hand: 5, reserved: 1 });
    // The cart was checked out: it is empty now.
    const cart = await t.http.get('/api/cart').set(customer.auth).set('X-Session-ID', session);
    expect(cart.body.items).toEqual([]);

    const detail = await t.http.get(`/api/orders/merchant/${orderId}`).set(merchant.auth);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ customer_user_id: customer.id, customer_email: 'ada@example.com', shipping_address: { country_alpha2: 'US', line_2: null } });
    expect(detail.body.items).toEqual([
      expect.objectContaining({ variant_id: a, quantity: 2, price: '10.00', total: '20.00', variant_attributes: { size: 'S0' } }),
      expect.objectContaining({ variant_id: b, quantity: 1, price: '10.00', total: '10.00', variant_attributes: { size: 'S1' } }),
    ]);

    // The snapshot does not follow later catalog edits.
    await t.http.put(`/api/products/${product.id}`).set(merchant.auth).send({ name: 'Renamed', price: '99.00' }).expect(200);

    // The customer pays on the checkout page (the test provider's): Pay stores the provider event and the worker applies it.
    const checkoutPage = new URL(placed.body.checkout_url).pathname;
    expect((await t.http.get(checkoutPage)).text).toContain('/pay"');
    const pay = await t.http.post(`${checkoutPage}/pay`);
    expect(pay.status).toBe(303);
    expect(pay.headers.location).toBe('https://shop.example.com/thanks');
    await eventually(async () => (await t.http.get(`/api/orders/merchant/${orderId}`).set(merchant.auth)).body.status, (status) => status === 'paid');
    expect((await t.http.get(`/api/payments/status/${orderId}`).set(customer.auth)).body).toMatchObject({ status: 'succeeded', provider: 'test', amount: '38.50', captured: '38.50' });
    expect(await levelOf(t.dataSource, a)).toEqual({ on_hand: 3, reserved: 0 });
    expect(await levelOf(t.dataSource, b)).toEqual({ on_hand: 4, reserved: 0 });

    const ship = await t.http.post(`/api/orders/merchant/${orderId}/ship`).set(merchant.auth).send({ tracking_number: '1Z999', carrier: 'UPS', tracking_url: 'https://ups.example/1Z999' });
    expect(ship.status).toBe(200);
    expect(ship.body).toMatchObject({ status: 'shipped', tracking_number: '1Z999', carrier: 'UPS', shipped_at: expect.any(String) });
    // Shipping twice, or the customer cancelling a shipped order, is refused and names the status.
    const again = await t.http.post(`/api/orders/merchant/${orderId}/ship`).set(merchant.auth).send({ tracking_number: '1Z999', carrier: 'UPS' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'ERR_INVALID_STATE', detail: { current_status: 'shipped', requested_status: 'shipped' } });
    const lateCancel = await t.http.post(`/api/orders/${orderId}/cancel`).set(customer.auth).send({ reason: 'too slow' });
    expect(lateCancel.status).toBe(409);
    expect(lateCancel.body.error.detail.current_status).toBe('shipped');

    await t.http.post(`/api/orders/merchant/${orderId}/update-shipping-status`).set(merchant.auth).send({ status: 'in_transit', note: 'left the depot' }).expect(200);
    const delivered = await t.http.post(`/api/orders/merchant/${orderId}/mark-delivered`).set(merchant.auth).send({});
    expect(delivered.body).toMatchObject({ status: 'delivered', delivered_at: expect.any(String) });
    const completed = await t.http.post(`/api/orders/merchant/${orderId}/complete`).set(merchant.auth).send({});
    expect(completed.body).toMatchObject({ status: 'completed', completed_at: expect.any(String), version: 6 });
    expect(completed.body.items[0]).toMatchObject({ product_name: expect.not.stringMatching('Renamed'), price: '10.00' });

    const history = await t.http.get(`/api/orders/merchant/${orderId}/shipping-history`).set(merchant.auth);
    expect(history.body.history.map((h: { from_status: string | null; to_status: string; source: string }) => [h.from_status, h.to_status, h.source])).toEqual([
      [null, 'pending', 'customer'],
      ['pending', 'paid', 'payment'],
      ['paid', 'shipped', 'merchant'],
      ['shipped', 'in_transit', 'merchant'],
      ['in_transit', 'delivered', 'merchant'],
      ['delivered', 'completed', 'merchant'],
    ]);
    expect(history.body.history[3].note).toBe('left the depot');
    const tracking = await t.http.get(`/api/tracking/order/${orderId}`).set(customer.auth);
    expect(tracking.body).toMatchObject({ tracking_number: '1Z999', status: 'completed' });
    expect(tracking.body.events.map((e: { to_status: string }) => e.to_status)).toEqual(['shipped', 'in_transit', 'delivered']);

    // The customer sees it among their orders.
    const mine = await t.http.get('/api/orders').set(customer.auth);
    expect(mine.body.items.map((o: { id: string }) => o.id)).toEqual([orderId]);

    // Events: signed deliveries to the merchant's webhook, once each, in order of the flow.
    const expected = ['order.created', 'order.paid', 'order.shipped', 'order.delivered', 'order.completed'];
    const events = await eventually(
      () => receiver.deliveries.filter((d) => d.path === '/orders'),
      (d) => d.length >= expected.length,
    );
    for (const delivery of events) expect(verifyWebhook(webhookSecret, delivery.body, delivery.headers['x-commerce-signature'] as string)).toBe(true);
    const bodies = events.map((d) => JSON.parse(d.body));
    expect(bodies.map((b) => b.type).sort()).toEqual([...expected].sort());
    expect(bodies.find((b) => b.type === 'order.paid').data).toMatchObject({ order_id: orderId, amount_total_minor: 3850, currency: 'USD', previous_status: 'pending', source: 'payment' });
    // order.created carries the number and placed_at the checkout's statement wrote (both set inside it).
    const [row] = await t.dataSource.query(`SELECT order_number, created_at FROM orders WHERE id = $1`, [orderId]);
    expect(bodies.find((b) => b.type === 'order.created').data).toMatchObject({
      order_id: orderId,
      order_number: row.order_number,
      placed_at: new Date(row.created_at).toISOString(),
      status: 'pending',
      item_count: 2,
    });

    // The analytics rollup counted the order once.
    const [rollup] = await eventually(
      () => t.dataSource.query(`SELECT orders_placed, orders_paid, items_sold, gross_paid::int AS gross_paid FROM merchant_daily_sales WHERE merchant_id = $1`, [merchant.merchantId]),
      (rows: { orders_paid: number }[]) => rows[0]?.orders_paid === 1,
    );
    expect(rollup).toEqual({ orders_placed: 1, orders_paid: 1, items_sold: 2, gross_paid: 3850 });
    expect(await ledgerViolations(t.dataSource)).toEqual([]);
  });

  it('acts once on an order event delivered twice', async () => {
    const [event] = await t.dataSource.query(`SELECT id, payload FROM outbox_events WHERE name = 'order.paid' AND payload->>'merchant_id' = $1`, [merchant.merchantId]);
    const state = async () => ({
      rollup: await t.dataSource.query(`SELECT orders_paid, gross_paid::int AS gross FROM merchant_daily_sales WHERE merchant_id = $1`, [merchant.merchantId]),
      notifications: (await t.dataSource.query(`SELECT count(*)::int AS n FROM notifications WHERE merchant_id = $1`, [merchant.merchantId]))[0].n,
      claims: await t.dataSource.query(`SELECT consumer FROM processed_events WHERE event_id = $1 ORDER BY consumer`, [event.id]),
      webhooks: receiver.deliveries.length,
    });
    const before = await state();
    expect(before.claims.map((c: { consumer: string }) => c.consumer)).toEqual(['analytics.order-rollup', 'orders.customer-email']);
    // The same job (same id) handed to the consumer again, as a redelivery after a crash would.
    const redelivery = { id: event.id, attemptsMade: 1, opts: { attempts: 8 } } as unknown as Job;
    await worker.get(OrderEventsHandler).paid(event.payload, redelivery);
    expect(await state()).toEqual(before);
  });

  it('lists orders with their lines in a fixed number of SQL statements, whatever the page size', async () => {
    const counter = new SqlStatementCounter(t).install();
    try {
      const statementsFor = async () => (await counter.request({ url: '/api/orders/merchant?limit=100', headers: merchant.auth })).statements.length;
      const few = await statementsFor();
      for (let i = 0; i < 3; i++) {
        await t.http.post('/api/public/checkout').send(checkoutBody(merchant.merchantId!, product.variantIds.map((v) => ({ product_id: product.id, variant_id: v, quantity: 1 })))).expect(201);
      }
      const many = await statementsFor();
      expect(many).toBe(few);
      expect(many).toBeLessThanOrEqual(3); // count, page, lines
    } finally {
      counter.uninstall();
    }
  });
});
