import { InventoryService } from '../src/modules/inventory/inventory.service';
import { bootTestApp, TestApp } from './harness/app';
import { registerCustomer, registerMerchant, TestAccount } from './support/identity';
import { ledgerViolations, levelOf, listening, stockedProduct, StockedProduct } from './support/inventory';
import { checkoutBody, configureCheckout, eventually, markPaid } from './support/orders';

/** Cancellation, expiry, concurrent transitions, lists and the customer's view of orders. */
describe('Order lifecycle', () => {
  let t: TestApp;
  let merchant: TestAccount;
  let customer: TestAccount;
  let product: StockedProduct;

  beforeAll(async () => {
    t = await bootTestApp();
    await t.startWorker();
    merchant = await registerMerchant(t, { approve: true });
    customer = await registerCustomer(t);
    product = await stockedProduct(t, merchant, { stock: 100, status: 'active' });
  });
  afterEach(async () => {
    expect(await ledgerViolations(t.dataSource)).toEqual([]);
  });
  afterAll(() => t?.close());

  const variant = () => product.variantIds[0];
  async function place(quantity = 1, as?: TestAccount, overrides: Record<string, unknown> = {}): Promise<{ id: string; order_number: string }> {
    const req = t.http.post('/api/public/checkout');
    if (as) req.set(as.auth);
    const res = await req.send(checkoutBody(merchant.merchantId!, [{ product_id: product.id, quantity }], overrides));
    if (res.status !== 201) throw new Error(`checkout failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.order_id, order_number: res.body.order_number };
  }
  const orderRow = async (id: string) => (await t.dataSource.query(`SELECT status, cancelled_by, cancellation_reason, cancelled_at FROM orders WHERE id = $1`, [id]))[0];

  it('cancelling an unpaid order releases its held stock', async () => {
    const before = await levelOf(t.dataSource, variant());
    const order = await place(3);
    expect(await levelOf(t.dataSource, variant())).toEqual({ on_hand: before.on_hand, reserved: before.reserved + 3 });
    const res = await t.http.post(`/api/orders/merchant/${order.id}/cancel`).set(merchant.auth).send({ reason: 'fraud check failed' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'cancelled', cancelled_by: 'merchant', cancellation_reason: 'fraud check failed', cancelled_at: expect.any(String), checkout_url: null });
    expect(await levelOf(t.dataSource, variant())).toEqual(before);
    // Cancelled is final for the merchant: cancelling again, shipping or completing are refused.
    for (const [path, body] of [['cancel', {}], ['ship', { tracking_number: 'X', carrier: 'Y' }], ['complete', {}], ['mark-delivered', {}]] as const) {
      const again = await t.http.post(`/api/orders/merchant/${order.id}/${path}`).set(merchant.auth).send(body);
      expect([path, again.status, again.body.error?.code, again.body.error?.detail?.current_status]).toEqual([path, 409, 'ERR_INVALID_STATE', 'cancelled']);
    }
  });

  it('cancelling a paid order puts the sold units back on hand', async () => {
    const before = await levelOf(t.dataSource, variant());
    const order = await place(2);
    await markPaid(t, order.id);
    expect(await levelOf(t.dataSource, variant())).toEqual({ on_hand: before.on_hand - 2, reserved: before.reserved });
    await t.http.post(`/api/orders/merchant/${order.id}/cancel`).set(merchant.auth).send({}).expect(200);
    expect(await levelOf(t.dataSource, variant())).toEqual(before);
    const movements = await t.dataSource.query(`SELECT type, on_hand_delta FROM inventory_movements WHERE variant_id = $1 ORDER BY seq DESC LIMIT 1`, [variant()]);
    expect(movements[0]).toEqual({ type: 'return', on_hand_delta: 2 });
  });

  it('a customer sees and cancels only their own orders, and not after shipping', async () => {
    const other = await registerCustomer(t);
    const mine = await place(1, customer);
    const theirs = await place(1, other);
    const list = await t.http.get('/api/orders').set(customer.auth);
    expect(list.body.items.map((o: { id: string }) => o.id)).toContain(mine.id);
    expect(list.body.items.map((o: { id: string }) => o.id)).not.toContain(theirs.id);
    expect((await t.http.get(`/api/orders/${theirs.id}`).set(customer.auth)).status).toBe(404);
    expect((await t.http.post(`/api/orders/${theirs.id}/cancel`).set(customer.auth).send({})).status).toBe(404);
    expect((await t.http.get(`/api/tracking/order/${theirs.id}`).set(customer.auth)).status).toBe(404);
    expect((await t.http.get(`/api/orders/${mine.id}`).set(merchant.auth)).status).toBe(403);
    expect((await t.http.get(`/api/orders/${mine.id}`)).status).toBe(401);
    expect((await orderRow(theirs.id)).status).toBe('pending');

    const cancelled = await t.http.post(`/api/orders/${mine.id}/cancel`).set(customer.auth).send({ reason: 'changed my mind' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelled_by: 'customer', cancellation_reason: 'changed my mind' });

    const shipped = await place(1, customer);
    await markPaid(t, shipped.id);
    await t.http.post(`/api/orders/merchant/${shipped.id}/ship`).set(merchant.auth).send({ tracking_number: 'T1', carrier: 'DHL' }).expect(200);
    const late = await t.http.post(`/api/orders/${shipped.id}/cancel`).set(customer.auth).send({});
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'ERR_INVALID_STATE', detail: { current_status: 'shipped' } });
  });

  it('an unpaid order whose hold expires is cancelled by the system and its stock released', async () => {
    const before = await levelOf(t.dataSource, variant());
    const order = await place(4);
    const paid = await place(1);
    await markPaid(t, paid.id);
    await t.dataSource.query(`UPDATE inventory_reservations SET expires_at = now() - interval '1 second' WHERE reference IN ($1, $2)`, [order.id, paid.id]);
    await t.app.get(InventoryService).expireDue();
    const row = await eventually(() => orderRow(order.id), (r) => r.status === 'cancelled');
    expect(row).toMatchObject({ status: 'cancelled', cancelled_by: 'system', cancellation_reason: expect.stringMatching(/expired/) });
    expect(await levelOf(t.dataSource, variant())).toEqual({ on_hand: before.on_hand - 1, reserved: before.reserved });
    expect((await orderRow(paid.id)).status).toBe('paid');
    const history = await t.http.get(`/api/orders/merchant/${order.id}/shipping-history`).set(merchant.auth);
    expect(history.body.history.at(-1)).toMatchObject({ from_status: 'pending', to_status: 'cancelled', source: 'system' });
  });

  it('two transitions at once: one wins, the other is refused with the status it lost to', async () => {
    const order = await place(1);
    await markPaid(t, order.id);
    const http = await listening(t);
    const [ship, cancel] = await Promise.all([
      http.post(`/api/orders/merchant/${order.id}/ship`).set(merchant.auth).send({ tracking_number: 'RACE', carrier: 'UPS' }),
      http.post(`/api/orders/merchant/${order.id}/cancel`).set(merchant.auth).send({}),
    ]);
    const statuses = [ship.status, cancel.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = ship.status === 409 ? ship : cancel;
    const final = (await orderRow(order.id)).status;
    expect(loser.body.error.detail.current_status).toBe(final);
    const history = await t.dataSource.query(`SELECT count(*)::int AS n FROM order_status_history WHERE order_id = $1`, [order.id]);
    expect(history[0].n).toBe(3); // created, paid, and exactly one of shipped/cancelled
  });

  it('lists a store\'s orders with filters, search and sort', async () => {
    const other = await registerMerchant(t, { approve: true });
    const foreignProduct = await stockedProduct(t, other, { stock: 5, status: 'active' });
    await t.http.post('/api/public/checkout').send(checkoutBody(other.merchantId!, [{ product_id: foreignProduct.id, quantity: 1 }], { email: 'zed@example.com' })).expect(201);
    const a = await place(1, undefined, { email: 'grace@example.com', name: 'Grace Hopper' });
    const b = await place(5, undefined, { email: 'alan@example.com', name: 'Alan Turing' });
    await markPaid(t, b.id);

    const all = await t.http.get('/api/orders/merchant?limit=100').set(merchant.auth);
    expect(all.status).toBe(200);
    expect(all.body.items.every((o: { merchant_id: string }) => o.merchant_id === merchant.merchantId)).toBe(true);
    expect(all.body.items.map((o: { customer_email: string }) => o.customer_email)).not.toContain('zed@example.com');

    const paid = await t.http.get('/api/orders/merchant?status=paid&limit=100').set(merchant.auth);
    expect(paid.body.items.every((o: { status: string }) => o.status === 'paid')).toBe(true);
    expect(paid.body.items.map((o: { id: string }) => o.id)).toContain(b.id);
    const several = await t.http.get('/api/orders/merchant?status=paid,pending&limit=100').set(merchant.auth);
    expect(several.body.total).toBeGreaterThan(paid.body.total);

    const byName = await t.http.get('/api/orders/merchant?search=hopper').set(merchant.auth);
    expect(byName.body.items.map((o: { id: string }) => o.id)).toEqual([a.id]);
    const byNumber = await t.http.get(`/api/orders/merchant?search=${b.order_number}`).set(merchant.auth);
    expect(byNumber.body.items.map((o: { id: string }) => o.id)).toEqual([b.id]);
    // The start of a number, in any case, matches as a prefix: "ord-YYYYMMDD" is that day's orders.
    const day = (b.order_number as string).slice(0, 12);
    const byDay = await t.http.get(`/api/orders/merchant?search=${day.toLowerCase()}&limit=100`).set(merchant.auth).expect(200);
    const numbers = (body: { items: { order_number: string }[] }) => body.items.map((o) => o.order_number).sort();
    expect(numbers(byDay.body)).toEqual(numbers(all.body).filter((n) => n.startsWith(day)));
    expect(numbers(byDay.body)).toEqual(expect.arrayContaining([a.order_number, b.order_number]));
    const noSuchDay = await t.http.get('/api/orders/merchant?search=ORD-19990101').set(merchant.auth).expect(200);
    expect(noSuchDay.body.total).toBe(0);
    const wildcard = await t.http.get('/api/orders/merchant?search=%25').set(merchant.auth);
    expect(wildcard.body.total).toBe(0);

    const sorted = await t.http.get('/api/orders/merchant?sort_by=amount_total&sort_order=desc&limit=100').set(merchant.auth);
    const totals = sorted.body.items.map((o: { amount_total: string }) => Number(o.amount_total));
    expect(totals).toEqual([...totals].sort((x, y) => y - x));

    const today = new Date().toISOString().slice(0, 10);
    const dated = await t.http.get(`/api/orders/merchant?start_date=${today}&end_date=${today}&limit=1`).set(merchant.auth);
    expect(dated.body).toMatchObject({ total: all.body.total, per_page: 1, has_next: true });
    const future = await t.http.get('/api/orders/merchant?start_date=2999-01-01').set(merchant.auth);
    expect(future.body.total).toBe(0);

    for (const bad of ['status=shipped;drop', 'sort_by=password', 'start_date=2024-13-01', 'start_date=yesterday', 'limit=1000', 'sort_order=sideways']) {
      const res = await t.http.get(`/api/orders/merchant?${bad}`).set(merchant.auth);
      expect([bad, res.status]).toEqual([bad, 422]);
    }
  });

  it('prices with tax included extract the tax instead of adding it, and ship free above the threshold', async () => {
    const store = await registerMerchant(t, { approve: true });
    const item = await stockedProduct(t, store, { stock: 10, status: 'active' });
    await configureCheckout(t, store, {
      prices_include_tax: true,
      default_tax_rate: '20',
      tax_rates: [{ country_code: 'DE', rate: '19.00' }],
      flat_shipping_rates: [{ currency: 'USD', amount: '4.99' }],
      free_shipping_thresholds: [{ currency: 'USD', amount: '50' }],
    });
    const us = await t.http.post('/api/public/checkout').send(checkoutBody(store.merchantId!, [{ product_id: item.id, quantity: 2 }]));
    // 20.00 + 4.99 shipping = 24.99 gross, of which 20 % tax: 24.99 − 24.99 / 1.2 = 4.165 → 4.17
    expect(us.body).toMatchObject({ subtotal: '20.00', shipping_fee: '4.99', tax_amount: '4.17', amount_total: '24.99' });
    const de = await t.http.post('/api/public/checkout').send(checkoutBody(store.merchantId!, [{ product_id: item.id, quantity: 5 }], { shipping_address: { ...checkoutBody('', []).shipping_address, country_alpha2: 'de' } }));
    // 50.00 ships free; 19 % inside: 50 − 50 / 1.19 = 7.98
    expect(de.body).toMatchObject({ subtotal: '50.00', shipping_fee: '0.00', tax_amount: '7.98', amount_total: '50.00' });
    const settings = await t.http.get('/api/checkout/settings').set(store.auth);
    expect(settings.body).toMatchObject({ prices_include_tax: true, default_tax_rate: '20.00', tax_rates: [{ country_code: 'DE', rate: '19.00' }], flat_shipping_rates: [{ currency: 'USD', amount: '4.99' }] });
    for (const bad of [{ default_tax_rate: '101' }, { default_tax_rate: '-1' }, { tax_rates: [{ country_code: 'Germany', rate: '19' }] }, { flat_shipping_rates: [{ currency: 'USD', amount: '-1' }] }, { flat_shipping_rates: [{ currency: 'USD', amount: '1.234' }] }]) {
      const res = await t.http.put('/api/checkout/settings').set(store.auth).send(bad);
      expect([bad, res.status]).toEqual([bad, 422]);
    }
    expect((await t.http.get('/api/checkout/settings').set(store.auth)).body).toEqual(settings.body);
  });
});
