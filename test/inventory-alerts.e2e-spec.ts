import { Jobs, QueueRegistry } from '@app/common';
import { verifyWebhook } from '../src/modules/notifications/webhook-signature';
import { bootTestApp, TestApp } from './harness/app';
import { registerMerchant, TestAccount } from './support/identity';
import { ledgerViolations, levelOf, stockedProduct } from './support/inventory';
import { eventually, startReceiver } from './support/webhook-receiver';

/**
 * Low-stock alerts end to end: a level crossing its threshold writes an outbox event, the worker
 * records a notification and POSTs it, signed, to the merchant's webhook (a local receiver here).
 * Also the repeatable expiry job, run by the worker's scheduler.
 */
describe('Low-stock alerts and the expiry job (with the worker)', () => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let receiverUrl: string;
  let deliveries: Awaited<ReturnType<typeof startReceiver>>['deliveries'];

  beforeAll(async () => {
    receiver = await startReceiver();
    receiverUrl = receiver.url;
    deliveries = receiver.deliveries;
    t = await bootTestApp({ env: { INVENTORY_EXPIRY_SWEEP_SECONDS: '1' } });
    await t.startWorker();
  });
  afterEach(async () => {
    expect(await ledgerViolations(t.dataSource)).toEqual([]);
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  /** A store whose webhook points at the receiver under its own path; returns the generated secret. */
  async function storeWithWebhook(): Promise<{ owner: TestAccount; path: string; secret: string }> {
    const owner = await registerMerchant(t, { approve: true });
    const path = `/hooks/${owner.merchantId}`;
    const res = await t.http.put('/api/notifications/settings').set(owner.auth).send({ webhook_url: `${receiverUrl}${path}`, email: 'ops@example.com' }).expect(200);
    expect(res.body).toMatchObject({ webhook_url: `${receiverUrl}${path}`, webhook_secret_set: true, email: 'ops@example.com', low_stock_alerts: true, webhook_secret: expect.stringMatching(/^whsec_/) });
    // Write-only: never shown again.
    expect((await t.http.get('/api/notifications/settings').set(owner.auth).expect(200)).body).not.toHaveProperty('webhook_secret');
    return { owner, path, secret: res.body.webhook_secret };
  }
  const to = (path: string) => deliveries.filter((d) => d.path === path);

  it('fires once per crossing (not once per sale), re-arms above the threshold, and reaches the webhook signed', async () => {
    const { owner, path, secret } = await storeWithWebhook();
    const p = await stockedProduct(t, owner, { stock: 10, lowStockThreshold: 5 });
    const adjust = (quantity: number) => t.http.put(`/api/inventory/products/${p.id}/stock`).set(owner.auth).send({ quantity, reason: 'test' }).expect(200);
    const reserve = (quantity: number) => t.http.post(`/api/inventory/products/${p.id}/reserve`).set(owner.auth).send({ quantity }).expect(201);

    await adjust(-3); // available 7: above
    await reserve(2); // available 5: crosses (at or below 5) → alert 1
    await reserve(1); // 4: still low, no alert
    await adjust(-1); // 3: still low, no alert
    const first = await eventually(() => to(path), (d) => d.length >= 1);
    expect(first).toHaveLength(1);
    const delivery = first[0];
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(delivery.headers['x-commerce-event']).toBe('inventory.low_stock');
    expect(verifyWebhook(secret, delivery.body, delivery.headers['x-commerce-signature'] as string)).toBe(true);
    expect(verifyWebhook('not-the-secret-at-all', delivery.body, delivery.headers['x-commerce-signature'] as string)).toBe(false);
    const payload = JSON.parse(delivery.body);
    expect(payload).toMatchObject({ type: 'inventory.low_stock', merchant_id: owner.merchantId, data: { product_id: p.id, variant_id: p.variantIds[0], available: 5, threshold: 5, on_hand: 7, reserved: 2 } });
    expect(payload.id).toBe(delivery.headers['x-commerce-delivery']);

    await adjust(10); // available 13: back above → re-armed, no alert
    await reserve(9); // 4: crosses again → alert 2
    const both = await eventually(() => to(path), (d) => d.length >= 2);
    expect(both.map((d) => JSON.parse(d.body).data.available)).toEqual([5, 4]);
    await new Promise((r) => setTimeout(r, 500));
    expect(to(path)).toHaveLength(2);
    const events = await t.dataSource.query(`SELECT count(*)::int AS n FROM outbox_events WHERE name = $1 AND payload->>'merchant_id' = $2`, [Jobs.LowStockAlert.name, owner.merchantId]);
    expect(events).toEqual([{ n: 2 }]);

    const list = await eventually(
      async () => (await t.http.get('/api/notifications').set(owner.auth).expect(200)).body,
      (b) => b.items.every((n: { deliveries: { webhook: { status: string } } }) => n.deliveries.webhook.status === 'delivered') && b.total === 2,
    );
    expect(list.items.map((n: Record<string, unknown>) => [n.type, (n.data as { available: number }).available])).toEqual([
      ['inventory.low_stock', 4],
      ['inventory.low_stock', 5],
    ]);
    expect(list.items[0].deliveries).toMatchObject({ webhook: { status: 'delivered', attempts: 1 }, email: { status: 'delivered' } });
    expect(list.items[0].title).toMatch(/^Low stock/);
    // The low-stock list agrees.
    const low = await t.http.get('/api/inventory/low-stock').set(owner.auth).expect(200);
    expect(low.body.items.map((i: { variant_id: string; available: number }) => [i.variant_id, i.available])).toEqual([[p.variantIds[0], 4]]);
  });

  it('retries a failed delivery: the same notification arrives again, never a second one', async () => {
    const { owner, path, secret } = await storeWithWebhook();
    receiver.failNext(path, 1);
    const p = await stockedProduct(t, owner, { stock: 3, lowStockThreshold: 2 });
    await t.http.put(`/api/inventory/products/${p.id}/stock`).set(owner.auth).send({ quantity: -1, reason: 'test' }).expect(200);
    const attempts = await eventually(() => to(path), (d) => d.length >= 2, 20_000);
    expect(attempts).toHaveLength(2);
    expect(new Set(attempts.map((d) => d.headers['x-commerce-delivery'])).size).toBe(1);
    expect(attempts.every((d) => verifyWebhook(secret, d.body, d.headers['x-commerce-signature'] as string))).toBe(true);
    const list = await eventually(
      async () => (await t.http.get('/api/notifications').set(owner.auth).expect(200)).body,
      (b) => b.items[0]?.deliveries.webhook.status === 'delivered',
    );
    expect(list.total).toBe(1);
    expect(list.items[0].deliveries.webhook).toMatchObject({ status: 'delivered', attempts: 2, last_error: null });
  }, 30_000);

  it('records but does not deliver when the merchant turned low-stock alerts off', async () => {
    const { owner, path } = await storeWithWebhook();
    await t.http.put('/api/notifications/settings').set(owner.auth).send({ low_stock_alerts: false }).expect(200);
    const p = await stockedProduct(t, owner, { stock: 3, lowStockThreshold: 2 });
    await t.http.put(`/api/inventory/products/${p.id}/stock`).set(owner.auth).send({ quantity: -2, reason: 'test' }).expect(200);
    const list = await eventually(async () => (await t.http.get('/api/notifications').set(owner.auth).expect(200)).body, (b) => b.total === 1);
    expect(list.items[0].deliveries.webhook.status).toBe('none');
    expect(to(path)).toEqual([]);
  });

  it('the repeatable job (every INVENTORY_EXPIRY_SWEEP_SECONDS) releases an expired hold and tells the orders module', async () => {
    const owner = await registerMerchant(t, { approve: true });
    const p = await stockedProduct(t, owner, { stock: 5 });
    const held = await t.http.post(`/api/inventory/products/${p.id}/reserve`).set(owner.auth).send({ quantity: 2, ttl_seconds: 1 }).expect(201);
    const kept = await t.http.post(`/api/inventory/products/${p.id}/reserve`).set(owner.auth).send({ quantity: 1 }).expect(201);
    const expired = await eventually(
      async () => (await t.http.get(`/api/inventory/reservations/${held.body.id}`).set(owner.auth).expect(200)).body.status,
      (s) => s === 'expired',
    );
    expect(expired).toBe('expired');
    expect((await t.http.get(`/api/inventory/reservations/${kept.body.id}`).set(owner.auth).expect(200)).body.status).toBe('active');
    expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 5, reserved: 1 });
    const schedulers = await t.app.get(QueueRegistry).get(Jobs.InventoryExpireReservations.queue).getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.every])).toEqual([['inventory-expire-reservations', 1000]]);
    // The event for the orders module was relayed and handled.
    const [event] = await t.dataSource.query(`SELECT id FROM outbox_events WHERE name = $1 AND payload->>'reservation_id' = $2`, [Jobs.ReservationExpired.name, held.body.id]);
    const job = await eventually(() => t.app.get(QueueRegistry).get(Jobs.ReservationExpired.queue).getJob(event.id), (j) => Boolean(j?.finishedOn));
    expect(await job?.getState()).toBe('completed');
  });
});
