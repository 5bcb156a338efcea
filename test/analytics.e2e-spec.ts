import type { INestApplicationContext } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AnalyticsRebuildService } from '../src/modules/analytics/analytics-rebuild.service';
import { OrderEventsHandler } from '../src/modules/orders/order-events.handler';
import { bootTestApp, TestApp } from './harness/app';
import { bearerKey, createApiKey } from './support/api-keys';
import { createAdmin, registerCustomer, registerMerchant, TestAccount } from './support/identity';
import { checkoutBody, eventually } from './support/orders';
import { payOrder } from './support/paid-orders';

const DAY_MS = 86_400_000;
const todayMs = () => {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
};
const dayAgo = (n: number) => new Date(todayMs() - n * DAY_MS).toISOString().slice(0, 10);
/** Noon UTC n days ago; "today" is a minute ago (noon may still be ahead). */
const placedAt = (n: number) => (n === 0 ? new Date(Date.now() - 60_000) : new Date(todayMs() - n * DAY_MS + 12 * 3600_000)).toISOString();

/**
 * The analytics routes on real orders: placed and paid through checkout and the test payment
 * provider, one refunded, one cancelled after payment (refunded by the worker), one never paid, in
 * USD and EUR, in two stores; the worker rolls their events up. Orders are placed with the worker
 * stopped, then moved back in time (order, event payloads, transfers) so the windows have edges to
 * test, and only then consumed.
 */
describe('Analytics (seed 004)', () => {
  let t: TestApp;
  let worker: INestApplicationContext;
  let admin: TestAccount;
  let shop: TestAccount;
  let other: TestAccount;
  let customer: TestAccount;
  let p1: string; // 10.00 USD / 9.00 EUR
  let p2: string; // 25.00 USD / 20.00 EUR
  let otherProduct: string; // 10.00 USD, the other store's
  const orders: Record<string, { orderId: string; paymentIntentId: string | null }> = {};

  async function product(owner: TestAccount, name: string, usd: string, eur?: string): Promise<string> {
    const res = await t.http
      .post('/api/products')
      .set(owner.auth)
      .send({ name, price: usd, stock_quantity: 1000, status: 'active', ...(eur ? { prices: [{ currency: 'EUR', price: eur }] } : {}) });
    if (res.status !== 201) throw new Error(`product: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  /** Checks out as `email`, pays unless `paid: false`, and moves the order (and its events and transfer) to `at`. */
  async function order(key: string, merchant: TestAccount, items: { product_id: string; quantity: number }[], email: string, at: string, options: { currency?: string; paid?: boolean } = {}) {
    const placed = await t.http.post('/api/public/checkout').send(checkoutBody(merchant.merchantId!, items, { email, ...(options.currency ? { currency: options.currency } : {}) }));
    if (placed.status !== 201) throw new Error(`checkout: ${placed.status} ${JSON.stringify(placed.body)}`);
    const orderId: string = placed.body.order_id;
    const paid = options.paid === false ? null : await payOrder(t, orderId);
    await t.dataSource.query(`UPDATE orders SET created_at = $2 WHERE id = $1`, [orderId, at]);
    await t.dataSource.query(`UPDATE outbox_events SET payload = jsonb_set(payload, '{placed_at}', to_jsonb($2::text)) WHERE payload->>'order_id' = $1`, [orderId, at]);
    await t.dataSource.query(`UPDATE merchant_transfers SET created_at = $2 WHERE order_id = $1`, [orderId, at]);
    orders[key] = { orderId, paymentIntentId: paid?.paymentIntentId ?? null };
  }

  /** Every order event relayed so far has been rolled up. */
  const settled = () =>
    eventually(
      async () =>
        (
          await t.dataSource.query(
            `SELECT count(*)::int AS open FROM outbox_events e
              WHERE e.name LIKE 'order.%' AND NOT EXISTS (SELECT 1 FROM processed_events p WHERE p.consumer = 'analytics.order-rollup' AND p.event_id = e.id::text)`,
          )
        )[0].open as number,
      (open) => open === 0,
      20_000,
      'the order events to be rolled up',
    );

  const get = async (path: string, who: { Authorization: string } = shop.auth, status = 200) => {
    const res = await t.http.get(path).set(who);
    if (res.status !== status) throw new Error(`${path}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const everyReport = async (who: { Authorization: string }, query = '') => ({
    sales7: await get(`/api/v1/sales?days=7${query}`, who),
    sales8: await get(`/api/v1/sales?days=8${query}`, who),
    salesEur: await get(`/api/v1/sales?days=7&currency=EUR${query}`, who),
    top: await get(`/api/v1/products/top?days=30${query}`, who),
    top7: await get(`/api/v1/products/top?days=7${query}`, who),
    customers: await get(`/api/v1/customers?days=90${query}`, who),
    customers7: await get(`/api/v1/customers?days=7${query}`, who),
    financial: await get(`/api/v1/financial?month=2025-03${query}`, who),
  });

  beforeAll(async () => {
    t = await bootTestApp();
    admin = await createAdmin(t);
    customer = await registerCustomer(t);
    shop = await registerMerchant(t, { approve: true, admin });
    other = await registerMerchant(t, { approve: true, admin });
    await t.http.put('/api/merchants/me').set(shop.auth).send({ supported_currencies: ['USD', 'EUR'] }).expect(200);
    await t.http.put('/api/merchants/me/payouts').set(shop.auth).send({ connected_account_id: 'acct_1Analytics' }).expect(200);
    p1 = await product(shop, 'Canvas Tote', '10.00', '9.00');
    p2 = await product(shop, 'Wool Scarf', '25.00', '20.00');
    otherProduct = await product(other, 'Other Mug', '10.00');

    // USD, recent: alice 3 paid orders (today, 7 days ago, 40 days ago), bob 2 (6 days ago, 100 days ago),
    // carol 1 (2 days ago, refunded below), dave 1 (yesterday, cancelled after payment below), erin 1 never paid.
    await order('o1', shop, [{ product_id: p1, quantity: 2 }], 'alice@example.com', placedAt(0));
    await order('o2', shop, [{ product_id: p2, quantity: 1 }, { product_id: p1, quantity: 1 }], 'bob@example.com', placedAt(6));
    await order('o3', shop, [{ product_id: p2, quantity: 2 }], 'alice@example.com', placedAt(7));
    await order('o4', shop, [{ product_id: p1, quantity: 3 }], 'carol@example.com', placedAt(2));
    await order('o5', shop, [{ product_id: p2, quantity: 1 }], 'dave@example.com', placedAt(1));
    await order('o6', shop, [{ product_id: p1, quantity: 1 }], 'erin@example.com', placedAt(0), { paid: false });
    await order('o7', shop, [{ product_id: p1, quantity: 1 }], 'Alice@Example.COM', placedAt(40));
    await order('o8', shop, [{ product_id: p2, quantity: 1 }], 'bob@example.com', placedAt(100));
    // EUR, recent.
    await order('e1', shop, [{ product_id: p1, quantity: 1 }], 'alice@example.com', placedAt(0), { currency: 'EUR' });
    await order('e2', shop, [{ product_id: p2, quantity: 2 }], 'frank@example.com', placedAt(3), { currency: 'EUR' });
    // March 2025 (financial and platform), its edges, and a refunded one.
    await order('f1', shop, [{ product_id: p2, quantity: 2 }], 'gina@example.com', '2025-03-01T00:00:00.000Z');
    await order('f2', shop, [{ product_id: p1, quantity: 1 }], 'gina@example.com', '2025-03-31T23:59:59.000Z');
    await order('f3', shop, [{ product_id: p1, quantity: 1 }], 'gina@example.com', '2025-04-01T00:00:00.000Z');
    await order('f4', shop, [{ product_id: p1, quantity: 1 }], 'gina@example.com', '2025-02-28T23:59:59.000Z');
    await order('f5', shop, [{ product_id: p1, quantity: 2 }], 'gina@example.com', '2025-03-15T10:00:00.000Z');
    // The other store: today, and March 2025; it was registered in March 2025 too.
    await order('g1', other, [{ product_id: otherProduct, quantity: 5 }], 'alice@example.com', placedAt(0));
    await order('g2', other, [{ product_id: otherProduct, quantity: 1 }], 'alice@example.com', '2025-03-20T08:00:00.000Z');
    await t.dataSource.query(`UPDATE merchants SET created_at = '2025-03-10T00:00:00Z' WHERE id = $1`, [other.merchantId]);

    // A full refund (o4, f5) and a cancel after payment (o5: the worker refunds it).
    for (const key of ['o4', 'f5']) {
      await t.http.post('/api/refunds/create').set(shop.auth).send({ payment_intent_id: orders[key].paymentIntentId, amount: key === 'o4' ? '30.00' : '20.00', reason: 'requested_by_customer' }).expect(201);
    }
    await t.http.post(`/api/orders/merchant/${orders.o5.orderId}/cancel`).set(shop.auth).send({ reason: 'out of wool' }).expect(200);
    await t.http.post(`/api/orders/merchant/${orders.o6.orderId}/cancel`).set(shop.auth).send({}).expect(200);

    worker = await t.startWorker();
    await eventually(
      async () => (await t.dataSource.query(`SELECT status FROM orders WHERE id = $1`, [orders.o5.orderId]))[0].status as string,
      (status) => status === 'refunded',
      20_000,
      'the cancelled order to be refunded',
    );
    // f1's transfer paid out (made due now), f2's still scheduled, f5's cancelled by its full refund.
    const [f1Transfer] = await t.dataSource.query(`SELECT id FROM merchant_transfers WHERE order_id = $1`, [orders.f1.orderId]);
    await t.dataSource.query(`UPDATE merchant_transfers SET available_on = now() - interval '1 second' WHERE id = $1`, [f1Transfer.id]);
    await t.dataSource.query(`UPDATE outbox_events SET available_at = now() WHERE name = 'transfer.pay' AND payload->>'transfer_id' = $1`, [f1Transfer.id]);
    await eventually(
      async () => (await t.dataSource.query(`SELECT status FROM merchant_transfers WHERE id = $1`, [f1Transfer.id]))[0].status as string,
      (status) => status === 'paid',
      20_000,
      'the transfer to be paid',
    );
    await settled();
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('reports sales per day over the last N days, net of full refunds, in the store\'s default currency', async () => {
    const body = await get('/api/v1/sales?days=7');
    expect(body.success).toBe(true);
    expect(body.data).toMatchObject({ currency: 'USD', total_revenue: '55.00', order_count: 2, avg_order_value: '27.50', period: { start: dayAgo(6), end: dayAgo(0) } });
    expect(body.data.daily_breakdown).toEqual([
      { date: dayAgo(0), revenue: '20.00', orders: 1 }, // o1 (o6 never paid)
      { date: dayAgo(1), revenue: '0.00', orders: 0 }, // o5 paid, then cancelled and refunded
      { date: dayAgo(2), revenue: '0.00', orders: 0 }, // o4 paid, then refunded
      { date: dayAgo(3), revenue: '0.00', orders: 0 }, // e2 is EUR
      { date: dayAgo(4), revenue: '0.00', orders: 0 },
      { date: dayAgo(5), revenue: '0.00', orders: 0 },
      { date: dayAgo(6), revenue: '35.00', orders: 1 }, // o2, first day of the window
    ]);
    // One day more reaches o3.
    expect((await get('/api/v1/sales?days=8')).data).toMatchObject({ total_revenue: '105.00', order_count: 3, avg_order_value: '35.00', period: { start: dayAgo(7) } });
    expect((await get('/api/v1/sales')).data.daily_breakdown).toHaveLength(7);
    expect((await get('/api/v1/sales?days=1')).data).toMatchObject({ total_revenue: '20.00', order_count: 1, daily_breakdown: [{ date: dayAgo(0), revenue: '20.00', orders: 1 }] });
    expect((await get('/api/v1/sales?days=366')).data).toMatchObject({ total_revenue: '140.00', order_count: 5 }); // + o7, o8
  });

  it('reports another currency on request, and nothing converted', async () => {
    expect((await get('/api/v1/sales?days=7&currency=EUR')).data).toMatchObject({ currency: 'EUR', total_revenue: '49.00', order_count: 2, avg_order_value: '24.50' });
    expect((await get('/api/v1/sales?days=7&currency=eur')).data.currency).toBe('EUR');
    expect((await get('/api/v1/sales?days=7&currency=JPY')).data).toMatchObject({ currency: 'JPY', total_revenue: '0', order_count: 0, avg_order_value: '0' });
  });

  it('ranks products by revenue over the window, refunded orders excluded', async () => {
    const top = (await get('/api/v1/products/top?days=30')).data;
    expect(top).toEqual({
      currency: 'USD',
      period: { start: dayAgo(29), end: dayAgo(0) },
      products: [
        { product_id: p2, product_name: 'Wool Scarf', quantity_sold: 3, revenue: '75.00', order_count: 2 }, // o2, o3
        { product_id: p1, product_name: 'Canvas Tote', quantity_sold: 3, revenue: '30.00', order_count: 2 }, // o1, o2
      ],
    });
    expect((await get('/api/v1/products/top?days=30&limit=1')).data.products.map((p: { product_id: string }) => p.product_id)).toEqual([p2]);
    expect((await get('/api/v1/products/top?days=7')).data.products).toEqual([
      { product_id: p1, product_name: 'Canvas Tote', quantity_sold: 3, revenue: '30.00', order_count: 2 },
      { product_id: p2, product_name: 'Wool Scarf', quantity_sold: 1, revenue: '25.00', order_count: 1 },
    ]);
    expect((await get('/api/v1/products/top?days=30&currency=EUR')).data.products).toEqual([
      { product_id: p2, product_name: 'Wool Scarf', quantity_sold: 2, revenue: '40.00', order_count: 1 },
      { product_id: p1, product_name: 'Canvas Tote', quantity_sold: 1, revenue: '9.00', order_count: 1 },
    ]);
  });

  it('counts customers, new and repeat ones, and the top spenders of the window', async () => {
    const ninety = (await get('/api/v1/customers?days=90')).data;
    expect(ninety).toEqual({
      currency: 'USD',
      period: { start: dayAgo(89), end: dayAgo(0) },
      total_customers: 4, // alice, bob, carol, dave (erin never paid; gina's orders are of 2025)
      new_customers: 3, // bob's first order is 100 days old
      repeat_customers: 2, // alice (3 orders, one under another spelling of her email), bob (2)
      repeat_rate: 0.5,
      top_customers: [
        { customer_email: 'alice@example.com', order_count: 3, total_spent: '80.00', first_order_date: dayAgo(40), last_order_date: dayAgo(0) },
        { customer_email: 'bob@example.com', order_count: 2, total_spent: '60.00', first_order_date: dayAgo(100), last_order_date: dayAgo(6) },
        { customer_email: 'carol@example.com', order_count: 1, total_spent: '0.00', first_order_date: dayAgo(2), last_order_date: dayAgo(2) },
        { customer_email: 'dave@example.com', order_count: 1, total_spent: '0.00', first_order_date: dayAgo(1), last_order_date: dayAgo(1) },
      ],
    });
    expect((await get('/api/v1/customers?days=7')).data).toMatchObject({ total_customers: 4, new_customers: 2, repeat_customers: 2, repeat_rate: 0.5 });
    expect((await get('/api/v1/customers?days=1')).data).toMatchObject({ total_customers: 1, new_customers: 0, repeat_customers: 1, repeat_rate: 1 });
    expect((await get('/api/v1/customers?days=90&currency=EUR')).data).toMatchObject({ total_customers: 2, new_customers: 2, repeat_customers: 0, repeat_rate: 0 });
    expect((await get('/api/v1/customers')).data.period.start).toBe(dayAgo(89));
  });

  it('reports a month: sales of its orders, the platform fee and the payouts of its transfers', async () => {
    expect((await get('/api/v1/financial?month=2025-03')).data).toEqual({
      month: '2025-03',
      currency: 'USD',
      period: { start: '2025-03-01', end: '2025-03-31' },
      gross_revenue: '80.00', // f1 50.00 + f2 10.00 + f5 20.00 (f3, f4 are outside the month)
      refunds: '20.00', // f5
      platform_fee: '6.00', // 10 % of f1 and f2; f5's transfer was cancelled by its refund
      net_revenue: '54.00',
      pending_transfers: '9.00', // f2
      completed_transfers: '45.00', // f1
      transfer_count: 2,
    });
    expect((await get('/api/v1/financial?month=2025-04')).data).toMatchObject({ gross_revenue: '10.00', platform_fee: '1.00', net_revenue: '9.00', pending_transfers: '9.00', transfer_count: 1 });
    expect((await get('/api/v1/financial?month=2025-03&currency=EUR')).data).toMatchObject({ currency: 'EUR', gross_revenue: '0.00', platform_fee: '0.00', transfer_count: 0 });
    const now = new Date();
    expect((await get('/api/v1/financial')).data.month).toBe(now.toISOString().slice(0, 7));
  });

  it('gives admins the platform\'s month, and nobody else', async () => {
    expect((await get('/api/v1/platform/overview?month=2025-03', admin.auth)).data).toEqual({
      month: '2025-03',
      currency: 'USD',
      period: { start: '2025-03-01', end: '2025-03-31' },
      platform_gmv: '90.00', // f1, f2, f5 (refunded later: GMV is before refunds) and the other store's g2
      total_orders: 4,
      active_merchants: 2,
      new_merchants: 1,
      platform_revenue: '6.00',
      subscription_mrr: '0.00',
    });
    expect((await get('/api/v1/platform/overview?month=2025-03&currency=EUR', admin.auth)).data).toMatchObject({ platform_gmv: '0.00', total_orders: 4, platform_revenue: '0.00', subscription_mrr: '0.00' });
    expect((await get('/api/v1/platform/overview', admin.auth)).data.month).toBe(new Date().toISOString().slice(0, 7));
    await get('/api/v1/platform/overview', shop.auth, 403);
    await get('/api/v1/platform/overview', customer.auth, 403);
    expect((await t.http.get('/api/v1/platform/overview')).status).toBe(401);
  });

  it('keeps each store to its own figures; an admin names the store', async () => {
    const mine = await everyReport(shop.auth);
    // The other store sees its own sale, whatever merchant_id it sends.
    const theirs = (await get(`/api/v1/sales?days=7&merchant_id=${shop.merchantId}`, other.auth)).data;
    expect(theirs).toMatchObject({ total_revenue: '50.00', order_count: 1 });
    expect((await get(`/api/v1/products/top?merchant_id=${shop.merchantId}`, other.auth)).data.products.map((p: { product_id: string }) => p.product_id)).toEqual([otherProduct]);
    expect((await get(`/api/v1/customers?merchant_id=${shop.merchantId}`, other.auth)).data.top_customers).toEqual([
      // Lifetime figures: her March 2025 order there counts too.
      { customer_email: 'alice@example.com', order_count: 2, total_spent: '60.00', first_order_date: '2025-03-20', last_order_date: dayAgo(0) },
    ]);
    // The other store has no payout account: no transfers, no fee.
    expect((await get('/api/v1/financial?month=2025-03', other.auth)).data).toMatchObject({ gross_revenue: '10.00', platform_fee: '0.00', net_revenue: '10.00', transfer_count: 0 });

    expect(await everyReport(admin.auth, `&merchant_id=${shop.merchantId}`)).toEqual(mine);
    const missing = await t.http.get('/api/v1/sales').set(admin.auth);
    expect([missing.status, missing.body.error.code, missing.body.error.detail.fields]).toEqual([422, 'ERR_VALIDATION', { merchant_id: ['is required'] }]);
    expect((await t.http.get('/api/v1/sales?merchant_id=00000000-0000-4000-8000-000000000000').set(admin.auth)).status).toBe(404);

    const readKey = await createApiKey(t, shop, { scopes: ['read'] });
    expect((await get('/api/v1/sales?days=7', bearerKey(readKey.key))).data).toEqual(mine.sales7.data);
    for (const path of ['/api/v1/sales', '/api/v1/products/top', '/api/v1/customers', '/api/v1/financial']) {
      expect([path, (await t.http.get(path).set(customer.auth)).status]).toEqual([path, 403]);
      expect([path, (await t.http.get(path)).status]).toEqual([path, 401]);
    }
  });

  it('refuses malformed and out-of-range parameters with 422 and per-field detail', async () => {
    const cases: [string, string][] = [
      ['/api/v1/sales?days=0', 'days'],
      ['/api/v1/sales?days=367', 'days'],
      ['/api/v1/sales?days=1.5', 'days'],
      ['/api/v1/sales?days=abc', 'days'],
      ['/api/v1/sales?days=', 'days'],
      ['/api/v1/products/top?limit=0', 'limit'],
      ['/api/v1/products/top?limit=101', 'limit'],
      ['/api/v1/customers?days=-1', 'days'],
      ['/api/v1/financial?month=2025-13', 'month'],
      ['/api/v1/financial?month=2025-3', 'month'],
      ['/api/v1/financial?month=March', 'month'],
      ['/api/v1/sales?currency=XYZ', 'currency'],
      ['/api/v1/sales?currency=dollars', 'currency'],
      ['/api/v1/sales?merchant_id=nope', 'merchant_id'],
    ];
    for (const [path, field] of cases) {
      const res = await t.http.get(path).set(shop.auth);
      expect([path, res.status, res.body.success, res.body.error?.code, Object.keys(res.body.error?.detail?.fields ?? {})]).toEqual([path, 422, false, 'ERR_VALIDATION', [field]]);
    }
    for (const path of ['/api/v1/platform/overview?month=2025-00', '/api/v1/platform/overview?currency=ABC']) {
      expect([path, (await t.http.get(path).set(admin.auth)).status]).toEqual([path, 422]);
    }
    expect((await t.http.get('/api/v1/products/top?limit=100&days=366').set(shop.auth)).status).toBe(200);
  });

  it('counts a redelivered order event once', async () => {
    const before = await everyReport(shop.auth);
    const events = await t.dataSource.query(`SELECT id, name, payload FROM outbox_events WHERE name LIKE 'order.%' AND payload->>'order_id' = ANY($1) ORDER BY created_at`, [[orders.o1.orderId, orders.o4.orderId]]);
    expect(events.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['order.created', 'order.paid', 'order.refunded']));
    const handler = worker.get(OrderEventsHandler);
    for (const event of events) {
      const redelivery = { id: event.id, attemptsMade: 1, opts: { attempts: 8 } } as unknown as Job;
      const consume: Record<string, typeof handler.paid> = {
        'order.created': handler.created,
        'order.paid': handler.paid,
        'order.cancelled': handler.cancelled,
        'order.refunded': handler.refunded,
      };
      expect(consume[event.name]).toBeDefined();
      await consume[event.name].call(handler, event.payload, redelivery);
    }
    expect(await everyReport(shop.auth)).toEqual(before);
  });

  it('rebuilds the rollups from the orders to the same figures, and again (idempotent)', async () => {
    const shopBefore = await everyReport(shop.auth);
    const otherBefore = await everyReport(other.auth);
    const platformBefore = await get('/api/v1/platform/overview?month=2025-03', admin.auth);
    const rebuild = t.app.get(AnalyticsRebuildService);

    // Wrong rollups (say a bug, or data from before the module): the rebuild puts them right.
    await t.dataSource.query(`UPDATE merchant_daily_sales SET gross_paid = gross_paid + 100000 WHERE merchant_id = $1`, [shop.merchantId]);
    await t.dataSource.query(`DELETE FROM merchant_customers WHERE merchant_id = $1`, [shop.merchantId]);
    await t.dataSource.query(`UPDATE merchant_monthly_transfers SET platform_fee = 0 WHERE merchant_id = $1`, [shop.merchantId]);
    const result = await rebuild.rebuild(shop.merchantId);
    expect(result).toMatchObject({ merchant_id: shop.merchantId, customer_rows: 7 }); // alice, bob, carol, dave, gina in USD; alice, frank in EUR
    expect(await everyReport(shop.auth)).toEqual(shopBefore);
    expect(await everyReport(other.auth)).toEqual(otherBefore);

    await rebuild.rebuild();
    await rebuild.rebuild();
    expect(await everyReport(shop.auth)).toEqual(shopBefore);
    expect(await everyReport(other.auth)).toEqual(otherBefore);
    expect(await get('/api/v1/platform/overview?month=2025-03', admin.auth)).toEqual(platformBefore);

    // The events it reflected are claimed: delivered (again) after the rebuild, they change nothing.
    const [paid] = await t.dataSource.query(`SELECT id, payload FROM outbox_events WHERE name = 'order.paid' AND payload->>'order_id' = $1`, [orders.o1.orderId]);
    await t.dataSource.query(`DELETE FROM processed_events WHERE event_id = $1 AND consumer = 'analytics.order-rollup'`, [paid.id]);
    await rebuild.rebuild(shop.merchantId);
    await worker.get(OrderEventsHandler).paid(paid.payload, { id: paid.id, attemptsMade: 1, opts: { attempts: 8 } } as unknown as Job);
    expect(await everyReport(shop.auth)).toEqual(shopBefore);
  });

  it('counts orders placed after a rebuild through their events', async () => {
    await t.app.get(AnalyticsRebuildService).rebuild(shop.merchantId);
    await order('late', shop, [{ product_id: p1, quantity: 4 }], 'hank@example.com', new Date().toISOString());
    await settled();
    const sales = (await get('/api/v1/sales?days=1')).data;
    expect(sales).toMatchObject({ total_revenue: '60.00', order_count: 2 });
    expect((await get('/api/v1/customers?days=1')).data).toMatchObject({ total_customers: 2, new_customers: 1 });
  });
});
