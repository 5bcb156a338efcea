import TestAgent from 'supertest/lib/agent';
import { bootTestApp, TestApp } from './harness/app';
import { registerMerchant, TestAccount } from './support/identity';
import { bootSecondApp, ledgerViolations, levelOf, listening, seededRandom, shuffled, stockedProduct } from './support/inventory';

type Line = { variant_id: string; quantity: number };

/**
 * The same races with two API apps (two Nest containers, two connection pools, two HTTP servers)
 * on ONE database, as when the API runs as several processes: correctness must come from the
 * database, not from anything in one process's memory.
 */
describe('Inventory under concurrency (two API apps, one database)', () => {
  let t: TestApp;
  let second: Awaited<ReturnType<typeof bootSecondApp>>;
  let apps: TestAgent[];
  let shop: TestAccount;

  beforeAll(async () => {
    t = await bootTestApp({ env: { DATABASE_POOL_SIZE: '15' } });
    second = await bootSecondApp(t);
    apps = [await listening(t), second.http];
    shop = await registerMerchant(t, { approve: true });
  });
  afterEach(async () => {
    expect(await ledgerViolations(t.dataSource)).toEqual([]);
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  it('runs two apps with their own pools on one database', () => {
    expect(second.app).not.toBe(t.app);
    expect(second.dataSource).not.toBe(t.dataSource);
    expect(second.dataSource.options).toMatchObject({ url: t.config.database.url });
  });

  it('100 parallel reservations of 1 unit against 10, split over both apps: exactly 10 succeed', async () => {
    const p = await stockedProduct(t, shop, { stock: 10 });
    const reserve = (app: TestAgent) => app.post(`/api/inventory/products/${p.id}/reserve`).set(shop.auth).send({ quantity: 1 });
    // One hold through each app first (both pools warm and both apps proven to serve), then 98 at once, alternating apps.
    await reserve(apps[0]).expect(201);
    await reserve(apps[1]).expect(201);
    const responses = await Promise.all(Array.from({ length: 98 }, (_, i) => reserve(apps[i % 2])));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(8);
    expect(responses.filter((r) => r.status === 409).map((r) => r.body.error.detail.reason)).toEqual(Array(90).fill('insufficient_stock'));
    expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 10, reserved: 10 });
  });

  it('overlapping multi-line orders (with duplicate lines) across both apps: no deadlock, all or nothing', async () => {
    const p = await stockedProduct(t, shop, { variants: 3, stock: 15 });
    const random = seededRandom(66);
    const orders = Array.from({ length: 60 }, (_, i) => {
      const variants = shuffled(p.variantIds, random).slice(0, 2 + (i % 2));
      // Every fifth order repeats its first variant as an extra line.
      const items: Line[] = variants.map((variant_id) => ({ variant_id, quantity: 1 + Math.floor(random() * 2) }));
      if (i % 5 === 0) items.push({ variant_id: variants[0], quantity: 1 });
      return { reference: `two-apps-${i}-${p.id}`, items };
    });
    const responses = await Promise.all(orders.map((o, i) => apps[i % 2].post('/api/inventory/reservations').set(shop.auth).send(o)));

    const reasons = new Set(responses.filter((r) => r.status !== 201).map((r) => `${r.status} ${r.body.error?.detail?.reason}`));
    expect([...reasons]).toEqual(['409 insufficient_stock']);
    const won = orders.filter((_, i) => responses[i].status === 201);
    const lost = orders.filter((_, i) => responses[i].status === 409);
    expect(won.length).toBeGreaterThan(3);
    expect(lost.length).toBeGreaterThan(3);
    const lostLeftovers = await t.dataSource.query(`SELECT 1 FROM inventory_movements WHERE reference = ANY($1)`, [lost.map((o) => o.reference)]);
    expect(lostLeftovers).toEqual([]);
    for (const variantId of p.variantIds) {
      const held = won.flatMap((o) => o.items).filter((l) => l.variant_id === variantId).reduce((s, l) => s + l.quantity, 0);
      expect({ variantId, ...(await levelOf(t.dataSource, variantId)) }).toEqual({ variantId, on_hand: 15, reserved: held });
    }
  });

  it('commits and releases retried on both apps at once apply exactly once', async () => {
    const p = await stockedProduct(t, shop, { stock: 10 });
    const held = await Promise.all(Array.from({ length: 4 }, () => apps[0].post(`/api/inventory/products/${p.id}/reserve`).set(shop.auth).send({ quantity: 2 }).expect(201)));
    const [c1, c2, r1, r2] = held.map((r) => r.body.id);
    const calls = await Promise.all([
      ...[c1, c2].flatMap((id) => apps.flatMap((app) => [app.post(`/api/inventory/reservations/${id}/commit`).set(shop.auth), app.post(`/api/inventory/reservations/${id}/commit`).set(shop.auth)])),
      ...[r1, r2].flatMap((id) => apps.map((app) => app.post(`/api/inventory/reservations/${id}/release`).set(shop.auth))),
    ]);
    expect(calls.map((c) => c.status)).toEqual(Array(calls.length).fill(200));
    // Per reservation: exactly one call changed it.
    expect(calls.slice(0, 4).filter((c) => c.body.changed)).toHaveLength(1);
    expect(calls.slice(4, 8).filter((c) => c.body.changed)).toHaveLength(1);
    expect(calls.slice(8, 10).filter((c) => c.body.changed)).toHaveLength(1);
    expect(calls.slice(10, 12).filter((c) => c.body.changed)).toHaveLength(1);
    // Two reservations of 2 sold, two released.
    expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 6, reserved: 0 });
  });
});
