import { bootTestApp, TestApp } from './harness/app';
import { registerMerchant, TestAccount } from './support/identity';
import { ledgerViolations, levelOf, listening, stockedProduct } from './support/inventory';
import { checkoutBody } from './support/orders';

/** Checkout under contention: no overselling, nothing left behind by refusals, idempotent retries, races included. */
describe('Checkout concurrency and idempotency', () => {
  let t: TestApp;
  let merchant: TestAccount;
  let http: Awaited<ReturnType<typeof listening>>;

  beforeAll(async () => {
    t = await bootTestApp();
    http = await listening(t);
    merchant = await registerMerchant(t, { approve: true });
  });
  afterEach(async () => {
    expect(await ledgerViolations(t.dataSource)).toEqual([]);
  });
  afterAll(() => t?.close());

  const countRows = async (table: string) => Number((await t.dataSource.query(`SELECT count(*) AS n FROM ${table} WHERE merchant_id = $1`, [merchant.merchantId]))[0].n);

  it('50 buyers racing for 10 units: exactly 10 orders, 40 clear 409s that leave nothing behind', async () => {
    const product = await stockedProduct(t, merchant, { stock: 10, status: 'active' });
    const before = { orders: await countRows('orders'), items: await countRows('order_items'), reservations: await countRows('inventory_reservations') };
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => http.post('/api/public/checkout').send(checkoutBody(merchant.merchantId!, [{ product_id: product.id, quantity: 1 }], { email: `buyer${i}@example.com` }))),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    for (const refused of responses.filter((r) => r.status === 409)) {
      expect(refused.body).toMatchObject({ success: false, error: { code: 'ERR_OUT_OF_STOCK', detail: { reason: 'insufficient_stock', available: 0, requested: 1 } } });
    }
    expect(await levelOf(t.dataSource, product.variantIds[0])).toEqual({ on_hand: 10, reserved: 10 });
    expect(await countRows('orders')).toBe(before.orders + 10);
    expect(await countRows('order_items')).toBe(before.items + 10);
    expect(await countRows('inventory_reservations')).toBe(before.reservations + 10);
    // Order numbers: unique, and sequential with no gap left by the refused checkouts.
    const numbers = responses.filter((r) => r.status === 201).map((r) => r.body.order_number as string);
    expect(new Set(numbers).size).toBe(10);
    const sequence = numbers.map((n) => Number(n.slice(-4))).sort((a, b) => a - b);
    expect(sequence).toEqual(Array.from({ length: 10 }, (_, i) => sequence[0] + i));
    const outbox = await t.dataSource.query(`SELECT count(*)::int AS n FROM outbox_events WHERE name = 'order.created' AND payload->>'merchant_id' = $1`, [merchant.merchantId]);
    expect(outbox[0].n).toBe(before.orders + 10);
  });

  it('a multi-line checkout holds every line or none', async () => {
    const plenty = await stockedProduct(t, merchant, { stock: 100, status: 'active' });
    const scarce = await stockedProduct(t, merchant, { stock: 1, status: 'active' });
    const refused = await t.http
      .post('/api/public/checkout')
      .send(checkoutBody(merchant.merchantId!, [{ product_id: plenty.id, quantity: 5 }, { product_id: scarce.id, quantity: 2 }]));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('ERR_OUT_OF_STOCK');
    expect(await levelOf(t.dataSource, plenty.variantIds[0])).toEqual({ on_hand: 100, reserved: 0 });
  });

  it('a retried checkout with the same Idempotency-Key returns the same order; another body with that key is a 422', async () => {
    const product = await stockedProduct(t, merchant, { stock: 5, status: 'active' });
    const body = checkoutBody(merchant.merchantId!, [{ product_id: product.id, quantity: 2 }]);
    const first = await t.http.post('/api/public/checkout').set('Idempotency-Key', 'retry-1').send(body);
    expect(first.status).toBe(201);
    const second = await t.http.post('/api/public/checkout').set('Idempotency-Key', 'retry-1').send(body);
    expect(second.status).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(await levelOf(t.dataSource, product.variantIds[0])).toEqual({ on_hand: 5, reserved: 2 });

    const other = await t.http.post('/api/public/checkout').set('Idempotency-Key', 'retry-1').send({ ...body, items: [{ product_id: product.id, quantity: 1 }] });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('ERR_IDEMPOTENCY_KEY_REUSED');
    expect(await levelOf(t.dataSource, product.variantIds[0])).toEqual({ on_hand: 5, reserved: 2 });
  });

  it('racing requests with one Idempotency-Key create one order', async () => {
    const product = await stockedProduct(t, merchant, { stock: 50, status: 'active' });
    const body = checkoutBody(merchant.merchantId!, [{ product_id: product.id, quantity: 3 }]);
    const responses = await Promise.all(Array.from({ length: 12 }, () => http.post('/api/public/checkout').set('Idempotency-Key', 'race-key').send(body)));
    expect(responses.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(new Set(responses.map((r) => r.body.order_id)).size).toBe(1);
    expect(responses.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    expect(await levelOf(t.dataSource, product.variantIds[0])).toEqual({ on_hand: 50, reserved: 3 });
    const sessions = await t.dataSource.query(`SELECT count(*)::int AS n FROM payments WHERE order_id = $1`, [responses[0].body.order_id]);
    expect(sessions[0].n).toBe(1);
  });

  it('refuses bad input with a clear 4xx and changes nothing', async () => {
    const product = await stockedProduct(t, merchant, { stock: 5, status: 'active' });
    const draft = await stockedProduct(t, merchant, { stock: 5 });
    const other = await registerMerchant(t, { approve: true });
    const foreign = await stockedProduct(t, other, { stock: 5, status: 'active' });
    const ok = checkoutBody(merchant.merchantId!, [{ product_id: product.id, quantity: 1 }]);
    const ordersBefore = await countRows('orders');
    const cases: [Record<string, unknown>, number, string][] = [
      [{ ...ok, items: [{ product_id: product.id, quantity: 0 }] }, 422, 'ERR_VALIDATION'],
      [{ ...ok, items: [{ product_id: product.id, quantity: 1.5 }] }, 422, 'ERR_VALIDATION'],
      [{ ...ok, items: [] }, 422, 'ERR_VALIDATION'],
      [{ ...ok, email: 'not-an-email' }, 422, 'ERR_VALIDATION'],
      [{ ...ok, shipping_address: { ...ok.shipping_address, country_alpha2: 'USA' } }, 422, 'ERR_VALIDATION'],
      [{ ...ok, success_url: 'javascript:alert(1)' }, 422, 'ERR_VALIDATION'],
      [{ ...ok, currency: 'JPY' }, 422, 'ERR_VALIDATION'],
      [{ ...ok, merchant_id: 'nope' }, 422, 'ERR_VALIDATION'],
      [{ ...ok, items: [{ product_id: draft.id, quantity: 1 }] }, 422, 'ERR_NOT_PURCHASABLE'],
      [{ ...ok, items: [{ product_id: foreign.id, quantity: 1 }] }, 404, 'ERR_NOT_FOUND'],
      [{ ...ok, items: [{ product_id: product.id, quantity: 6 }] }, 409, 'ERR_OUT_OF_STOCK'],
      [{ ...ok, items: undefined }, 400, 'ERR_CART_SESSION_REQUIRED'],
    ];
    for (const [body, status, code] of cases) {
      const res = await t.http.post('/api/public/checkout').send(body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status, code });
    }
    expect(await countRows('orders')).toBe(ordersBefore);
    expect(await levelOf(t.dataSource, product.variantIds[0])).toEqual({ on_hand: 5, reserved: 0 });

    // Prices, totals and the customer id in a request are not ours to trust: they are ignored.
    const cheap = await t.http
      .post('/api/public/checkout')
      .send({ ...ok, amount_total: '0.01', customer_user_id: merchant.id, items: [{ product_id: product.id, quantity: 1, price: '0.01', unit_price: 1 }] });
    expect(cheap.status).toBe(201);
    expect(cheap.body).toMatchObject({ subtotal: '10.00', amount_total: '10.00' });
    const placed = await t.dataSource.query(`SELECT customer_user_id FROM orders WHERE id = $1`, [cheap.body.order_id]);
    expect(placed[0].customer_user_id).toBeNull();
  });
});
