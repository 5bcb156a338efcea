import TestAgent from 'supertest/lib/agent';
import { bootTestApp, TestApp } from './harness/app';
import { registerMerchant, TestAccount } from './support/identity';
import { ledgerViolations, levelOf, listening, seededRandom, shuffled, stockedProduct } from './support/inventory';

type Line = { variant_id: string; quantity: number };

/** Every refusal must be the stock rule's own 409, never a deadlock or serialization failure (also 409, without a reason). */
const refusalReasons = (responses: { status: number; body: { error?: { detail?: { reason?: string } } } }[]) =>
  [...new Set(responses.filter((r) => r.status !== 201 && r.status !== 200).map((r) => `${r.status} ${r.body.error?.detail?.reason ?? JSON.stringify(r.body)}`))];

/**
 * Issue 6, "correct under any concurrency, and prove it": many requests at once on one API, real
 * Postgres. After every test the ledger invariant is checked on every level of the database.
 */
describe('Inventory under concurrency (one API process)', () => {
  let t: TestApp;
  let http: TestAgent;
  let shop: TestAccount;

  beforeAll(async () => {
    t = await bootTestApp({ env: { DATABASE_POOL_SIZE: '20' } });
    http = await listening(t);
    shop = await registerMerchant(t, { approve: true });
  });
  afterEach(async () => {
    expect(await ledgerViolations(t.dataSource)).toEqual([]);
  });
  afterAll(() => t?.close());

  it('100 parallel reservations of 1 unit against 10 in stock: exactly 10 succeed, and reserved never exceeds on_hand', async () => {
    const p = await stockedProduct(t, shop, { stock: 10 });
    let sampling = true;
    const samples: { on_hand: number; reserved: number }[] = [];
    const sampler = (async () => {
      while (sampling) samples.push(await levelOf(t.dataSource, p.variantIds[0]));
    })();

    const responses = await Promise.all(Array.from({ length: 100 }, () => http.post(`/api/inventory/products/${p.id}/reserve`).set(shop.auth).send({ quantity: 1 })));
    sampling = false;
    await sampler;

    expect(responses.filter((r) => r.status === 201)).toHaveLength(10);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(90);
    expect(refusalReasons(responses)).toEqual(['409 insufficient_stock']);
    expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 10, reserved: 10 });
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.filter((s) => s.reserved > s.on_hand)).toEqual([]);
    const [counts] = await t.dataSource.query(
      `SELECT (SELECT count(*)::int FROM inventory_reservations WHERE merchant_id = $1 AND status = 'active') AS reservations,
              (SELECT count(*)::int FROM inventory_movements WHERE variant_id = $2 AND type = 'reservation') AS movements`,
      [shop.merchantId, p.variantIds[0]],
    );
    expect(counts).toEqual({ reservations: 10, movements: 10 });
  });

  it('orders of 2–3 lines overlapping on the same variants in every order: no deadlock, no partial reservation', async () => {
    const p = await stockedProduct(t, shop, { variants: 4, stock: 12 });
    const random = seededRandom(6);
    const orders = Array.from({ length: 80 }, (_, i) => ({
      reference: `overlap-${i}-${p.id}`,
      items: shuffled(p.variantIds, random)
        .slice(0, 2 + (i % 2))
        .map((variant_id) => ({ variant_id, quantity: 1 + Math.floor(random() * 2) })),
    }));
    const responses = await Promise.all(orders.map((o) => http.post('/api/inventory/reservations').set(shop.auth).send(o)));

    expect(refusalReasons(responses)).toEqual(['409 insufficient_stock']);
    const won = orders.filter((_, i) => responses[i].status === 201);
    const lost = orders.filter((_, i) => responses[i].status === 409);
    expect(won.length).toBeGreaterThan(5);
    expect(lost.length).toBeGreaterThan(5);
    // A winner holds every one of its lines, as sent…
    won.forEach((o) => {
      const body = responses[orders.indexOf(o)].body;
      expect(body.lines.map((l: Line) => [l.variant_id, l.quantity]).sort()).toEqual(o.items.map((l) => [l.variant_id, l.quantity]).sort());
    });
    // …a loser holds none of them: no reservation, no movement under its reference.
    const leftovers = await t.dataSource.query(
      `SELECT reference FROM inventory_reservations WHERE reference = ANY($1) UNION ALL SELECT reference FROM inventory_movements WHERE reference = ANY($1)`,
      [lost.map((o) => o.reference)],
    );
    expect(leftovers).toEqual([]);
    // And the levels hold exactly the winners' lines.
    for (const variantId of p.variantIds) {
      const held = won.flatMap((o) => o.items).filter((l) => l.variant_id === variantId).reduce((s, l) => s + l.quantity, 0);
      expect({ variantId, ...(await levelOf(t.dataSource, variantId)) }).toEqual({ variantId, on_hand: 12, reserved: held });
      expect(held).toBeLessThanOrEqual(12);
    }
  });

  it('sums duplicate lines of one variant: [a, a] needs two available units', async () => {
    const p = await stockedProduct(t, shop, { variants: 2, stock: 10 });
    const [a, b] = p.variantIds;
    const first = await http.post('/api/inventory/reservations').set(shop.auth).send({ items: [{ variant_id: a, quantity: 1 }, { variant_id: b, quantity: 1 }, { variant_id: a, quantity: 2 }] }).expect(201);
    expect(first.body.lines.map((l: Line) => [l.variant_id, l.quantity]).sort()).toEqual([[a, 3], [b, 1]].sort());
    expect(await levelOf(t.dataSource, a)).toEqual({ on_hand: 10, reserved: 3 });

    // 7 left on a: of 20 parallel orders of [a×1, a×1], exactly 3 fit (6 units).
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => http.post('/api/inventory/reservations').set(shop.auth).send({ items: [{ variant_id: a, quantity: 1 }, { variant_id: a, quantity: 1 }] })),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(3);
    expect(refusalReasons(responses)).toEqual(['409 insufficient_stock']);
    expect(await levelOf(t.dataSource, a)).toEqual({ on_hand: 10, reserved: 9 });

    // 1 left: two lines of 1 unit each are 2 units, so this is refused as a whole.
    const refused = await http.post('/api/inventory/reservations').set(shop.auth).send({ items: [{ variant_id: a, quantity: 1 }, { variant_id: a, quantity: 1 }] }).expect(409);
    expect(refused.body.error.detail).toMatchObject({ reason: 'insufficient_stock', variant_id: a, available: 1, requested: 2 });
  });

  it('mixed traffic — adjustments, reservations, commits (each sent twice) and releases at once — keeps every level exact', async () => {
    const p = await stockedProduct(t, shop, { variants: 3, stock: 20 });
    const random = seededRandom(7);
    const adjust = (delta: number) =>
      http.put(`/api/inventory/products/${p.id}/stock`).set(shop.auth).send({ quantity: delta, reason: 'recount', variant_id: p.variantIds[Math.floor(random() * 3)] });

    const adjustments: { delta: number; variant: string; status: number }[] = [];
    const tracked = async (delta: number) => {
      const res = await adjust(delta);
      adjustments.push({ delta, variant: res.body.variant_id, status: res.status });
      return res;
    };
    const phase1 = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) =>
        http
          .post('/api/inventory/reservations')
          .set(shop.auth)
          .send({ items: shuffled(p.variantIds, random).slice(0, 1 + (i % 3)).map((variant_id) => ({ variant_id, quantity: 1 + (i % 4) })) }),
      ),
      ...Array.from({ length: 20 }, (_, i) => tracked(i % 2 ? 3 : -2)),
    ]);
    const reservations = phase1.slice(0, 30).filter((r) => r.status === 201).map((r) => r.body);
    expect(reservations.length).toBeGreaterThan(3);
    for (const reason of refusalReasons(phase1)) expect(['409 insufficient_stock', '409 below_reserved', '409 on_hand_below_zero']).toContain(reason);

    const toCommit = reservations.filter((_, i) => i % 2 === 0);
    const toRelease = reservations.filter((_, i) => i % 2 === 1);
    const phase2 = await Promise.all([
      ...toCommit.flatMap((r) => [http.post(`/api/inventory/reservations/${r.id}/commit`).set(shop.auth), http.post(`/api/inventory/reservations/${r.id}/commit`).set(shop.auth)]),
      ...toRelease.map((r) => http.post(`/api/inventory/reservations/${r.id}/release`).set(shop.auth)),
      ...Array.from({ length: 10 }, () => tracked(1)),
    ]);
    for (const reason of refusalReasons(phase2)) expect(['409 below_reserved', '409 on_hand_below_zero']).toContain(reason);
    const commits = phase2.slice(0, toCommit.length * 2);
    // Each reservation committed exactly once: one of its two calls changed it, the other found it done.
    toCommit.forEach((_, i) => expect([commits[2 * i].body.changed, commits[2 * i + 1].body.changed].sort()).toEqual([false, true]));

    for (const variantId of p.variantIds) {
      const sold = toCommit.flatMap((r) => r.lines).filter((l: Line) => l.variant_id === variantId).reduce((s: number, l: Line) => s + l.quantity, 0);
      const adjusted = adjustments.filter((a) => a.status === 200 && a.variant === variantId).reduce((s, a) => s + a.delta, 0);
      expect({ variantId, ...(await levelOf(t.dataSource, variantId)) }).toEqual({ variantId, on_hand: 20 + adjusted - sold, reserved: 0 });
    }
  });
});
