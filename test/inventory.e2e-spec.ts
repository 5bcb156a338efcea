import { randomUUID } from 'node:crypto';
import { QueryFailedError } from 'typeorm';
import { Jobs, pipelinedTransaction, toErrorResponse } from '@app/common';
import { InventoryService } from '../src/modules/inventory/inventory.service';
import { bootTestApp, TestApp } from './harness/app';
import { createAdmin, registerCustomer, registerMerchant, TestAccount } from './support/identity';
import { inventorySnapshot, ledgerViolations, levelOf, stockedProduct } from './support/inventory';

/** Issue 6: levels, the ledger, adjustments, reservations and their lifecycle, refusals, access. */
describe('Inventory', () => {
  let t: TestApp;
  let shop: TestAccount;
  let other: TestAccount;
  let admin: TestAccount;
  let customer: TestAccount;
  let inventory: InventoryService;

  beforeAll(async () => {
    t = await bootTestApp();
    admin = await createAdmin(t);
    [shop, other, customer] = await Promise.all([registerMerchant(t, { approve: true, admin }), registerMerchant(t, { approve: true, admin }), registerCustomer(t)]);
    inventory = t.app.get(InventoryService);
  });
  afterEach(async () => {
    expect(await ledgerViolations(t.dataSource)).toEqual([]);
  });
  afterAll(() => t?.close());

  const adjust = (productId: string, body: object, key?: string, who: TestAccount = shop) => {
    const req = t.http.put(`/api/inventory/products/${productId}/stock`).set(who.auth);
    if (key) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const snapshot = () => inventorySnapshot(t.dataSource, shop.merchantId!);

  describe('levels and the ledger', () => {
    it('shows levels per variant; catalog stock enters through the ledger and the product view reads it back', async () => {
      const p = await stockedProduct(t, shop, { variants: 2, stock: 4, lowStockThreshold: 3 });
      const levels = await t.http.get(`/api/inventory/${p.id}`).set(shop.auth).expect(200);
      expect(levels.body).toMatchObject({ product_id: p.id, track_inventory: true, low_stock_threshold: 3, on_hand: 8, reserved: 0, available: 8 });
      expect(levels.body.variants.map((v: Record<string, unknown>) => [v.variant_id, v.on_hand, v.reserved, v.available, v.low_stock_threshold, v.low_stock])).toEqual([
        [p.variantIds[0], 4, 0, 4, 3, false],
        [p.variantIds[1], 4, 0, 4, 3, false],
      ]);
      expect(levels.body.variants[0].locations).toEqual([expect.objectContaining({ location_name: 'Default', is_default: true, on_hand: 4 })]);

      // The variant route's stock goes through the same service: a ledger row, and the product view follows.
      await t.http.put(`/api/products/${p.id}/variants/${p.variantIds[1]}`).set(shop.auth).send({ stock: 9 }).expect(200);
      const history = await t.http.get(`/api/inventory/products/${p.id}/history`).set(shop.auth).expect(200);
      const rows = history.body.items.map((m: Record<string, unknown>) => [m.type, m.variant_id, m.quantity, m.on_hand_delta, m.on_hand_after, m.reason]);
      expect(rows[0]).toEqual(['adjustment', p.variantIds[1], 9, 5, 9, 'stock set (variant update)']);
      // The two opening movements were written together (in the canonical variant order).
      expect(rows.slice(1).sort()).toEqual(
        [
          ['adjustment', p.variantIds[0], 4, 4, 4, 'initial stock (product created)'],
          ['adjustment', p.variantIds[1], 4, 4, 4, 'initial stock (product created)'],
        ].sort(),
      );
      expect(history.body.items[0].actor).toEqual({ type: 'user', id: shop.id });
      const product = await t.http.get(`/api/products/${p.id}`).set(shop.auth).expect(200);
      expect([product.body.stock_quantity, product.body.variants.map((v: { stock: number }) => v.stock)]).toEqual([13, [4, 9]]);
    });

    it('adjusts by a delta with a reason, pages the history newest first, and audits the change', async () => {
      const p = await stockedProduct(t, shop, { stock: 10 });
      const up = await adjust(p.id, { quantity: 5, reason: 'delivery' }).expect(200);
      expect(up.body).toMatchObject({ product_id: p.id, variant_id: p.variantIds[0], on_hand: 15, reserved: 0, available: 15, movement_id: expect.any(String) });
      await adjust(p.id, { quantity: -3, reason: 'damaged', variant_id: p.variantIds[0] }).expect(200);
      const page1 = await t.http.get(`/api/inventory/products/${p.id}/history?per_page=2`).set(shop.auth).expect(200);
      expect(page1.body).toMatchObject({ total: 3, page: 1, per_page: 2, has_next: true });
      expect(page1.body.items.map((m: Record<string, unknown>) => [m.quantity, m.on_hand_after, m.reason])).toEqual([
        [-3, 12, 'damaged'],
        [5, 15, 'delivery'],
      ]);
      const page2 = await t.http.get(`/api/inventory/products/${p.id}/history?page=2&per_page=2`).set(shop.auth).expect(200);
      expect(page2.body.items.map((m: Record<string, unknown>) => m.reason)).toEqual(['initial stock (product created)']);
      const audit = await t.dataSource.query(`SELECT actor_id, changes FROM audit_logs WHERE action = 'inventory.adjust' AND merchant_id = $1::uuid AND changes->'reason'->>'after' = 'delivery'`, [shop.merchantId]);
      expect(audit).toContainEqual({ actor_id: shop.id, changes: expect.objectContaining({ onHand: { before: 10, after: 15 } }) });
    });

    it('takes the CSV import\'s variant_stock through the ledger (import movements), refusing a row below what is reserved', async () => {
      const handle = `csv-${randomUUID().slice(0, 8)}`;
      const importCsv = (csv: string) => t.http.post('/api/products/import').set(shop.auth).attach('file', Buffer.from(csv), 'stock.csv').expect(200);
      expect((await importCsv(`handle,name,price,variant_stock\n${handle},CSV product,5.00,7\n`)).body).toMatchObject({ created: 1, failed: 0 });
      const [{ id }] = await t.dataSource.query(`SELECT id FROM products WHERE merchant_id = $1 AND handle = $2`, [shop.merchantId, handle]);
      const product = (await t.http.get(`/api/products/${id}`).set(shop.auth).expect(200)).body;
      expect(product.stock_quantity).toBe(7);
      expect((await importCsv(`handle,name,price,variant_stock\n${handle},CSV product,5.00,3\n`)).body).toMatchObject({ updated: 1, failed: 0 });
      const history = await t.http.get(`/api/inventory/products/${product.id}/history`).set(shop.auth).expect(200);
      expect(history.body.items.map((m: Record<string, unknown>) => [m.type, m.quantity, m.on_hand_delta, m.on_hand_after, m.reason])).toEqual([
        ['import', 3, -4, 3, 'CSV import'],
        ['import', 7, 7, 7, 'CSV import'],
      ]);
      await t.http.post(`/api/inventory/products/${product.id}/reserve`).set(shop.auth).send({ quantity: 2 }).expect(201);
      const refused = (await importCsv(`handle,name,price,variant_stock\n${handle},CSV product,5.00,1\n`)).body;
      expect(refused).toMatchObject({ updated: 0, failed: 1 });
      expect(JSON.stringify(refused.errors)).toMatch(/reserved/);
      expect((await t.http.get(`/api/inventory/${product.id}`).set(shop.auth).expect(200)).body).toMatchObject({ on_hand: 3, reserved: 2 });
    });

    it('keeps the ledger append-only', async () => {
      const quiet = jest.spyOn(console, 'log').mockImplementation(() => undefined); // TypeORM logs the refused queries
      await expect(t.dataSource.query(`UPDATE inventory_movements SET quantity = quantity + 1`)).rejects.toThrow(/append-only/);
      await expect(t.dataSource.query(`DELETE FROM inventory_movements`)).rejects.toThrow(/append-only/);
      quiet.mockRestore();
    });

    it('applies an adjustment with an Idempotency-Key once, even when retried in parallel', async () => {
      const p = await stockedProduct(t, shop, { stock: 10 });
      const key = `adj-${randomUUID()}`;
      const first = await adjust(p.id, { quantity: 4, reason: 'delivery' }, key).expect(200);
      const retry = await adjust(p.id, { quantity: 4, reason: 'delivery' }, key).expect(200);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      const parallelKey = `adj-${randomUUID()}`;
      const parallel = await Promise.all(Array.from({ length: 6 }, () => adjust(p.id, { quantity: 2, reason: 'delivery' }, parallelKey)));
      expect(parallel.map((r) => r.status)).toEqual(Array(6).fill(200));
      expect(new Set(parallel.map((r) => r.body.movement_id)).size).toBe(1);
      expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 16, reserved: 0 });
      // The same key with another body is refused, and changes nothing.
      const reused = await adjust(p.id, { quantity: 7, reason: 'delivery' }, key).expect(409);
      expect(reused.body.error.detail).toMatchObject({ reason: 'idempotency_key_reused' });
      expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 16, reserved: 0 });
    });

    it('refuses (409) an adjustment, a catalog stock update or a batch that would take on_hand below what is reserved', async () => {
      const p = await stockedProduct(t, shop, { stock: 10 });
      await t.http.post(`/api/inventory/products/${p.id}/reserve`).set(shop.auth).send({ quantity: 6 }).expect(201);
      const before = await snapshot();
      const refused = await adjust(p.id, { quantity: -5, reason: 'shrinkage' }).expect(409);
      expect(refused.body.error).toMatchObject({ code: 'ERR_CONFLICT', message: expect.stringMatching(/below the 6 units reserved/), detail: { reason: 'below_reserved', on_hand: 10, reserved: 6, requested_on_hand: 5 } });
      expect((await t.http.put(`/api/products/${p.id}`).set(shop.auth).send({ stock_quantity: 5 })).status).toBe(409);
      expect((await t.http.put(`/api/products/${p.id}/variants/${p.variantIds[0]}`).set(shop.auth).send({ stock: 2 })).status).toBe(409);
      expect((await t.http.post('/api/inventory/update').set(shop.auth).send({ items: [{ product_id: p.id, quantity: 3, mode: 'set', reason: 'count' }] })).status).toBe(409);
      expect(await snapshot()).toEqual(before);
      // Down to exactly what is reserved is fine.
      await adjust(p.id, { quantity: -4, reason: 'shrinkage' }).expect(200);
      expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 6, reserved: 6 });
    });

    it('batch-updates (set and adjust, several items per level in order) all or nothing', async () => {
      const a = await stockedProduct(t, shop, { stock: 5 });
      const b = await stockedProduct(t, shop, { variants: 2, stock: 5 });
      const ok = await t.http
        .post('/api/inventory/update')
        .set(shop.auth)
        .send({
          items: [
            { product_id: a.id, quantity: 20, mode: 'set', reason: 'count' },
            { product_id: b.id, variant_id: b.variantIds[1], quantity: -2, mode: 'adjust', reason: 'damaged' },
            { product_id: a.id, quantity: 3, mode: 'adjust', reason: 'found' },
          ],
        })
        .expect(200);
      expect(ok.body.movements).toBe(3);
      expect(ok.body.items.map((i: { variant_id: string; on_hand: number }) => [i.variant_id, i.on_hand])).toEqual([
        [a.variantIds[0], 23],
        [b.variantIds[1], 3],
        [a.variantIds[0], 23],
      ]);
      const before = await snapshot();
      // One bad item (below 0) and nothing of the batch is applied.
      const refused = await t.http
        .post('/api/inventory/update')
        .set(shop.auth)
        .send({
          items: [
            { product_id: a.id, quantity: 1, mode: 'adjust', reason: 'x' },
            { product_id: b.id, variant_id: b.variantIds[0], quantity: -6, mode: 'adjust', reason: 'x' },
          ],
        })
        .expect(409);
      expect(refused.body.error.detail).toMatchObject({ reason: 'on_hand_below_zero', item: 'items.1', variant_id: b.variantIds[0] });
      // A product with several variants needs variant_id; an unknown product is a 404.
      expect((await t.http.post('/api/inventory/update').set(shop.auth).send({ items: [{ product_id: a.id, quantity: 1, mode: 'adjust', reason: 'x' }, { product_id: b.id, quantity: 1, mode: 'adjust', reason: 'x' }] })).status).toBe(422);
      expect((await t.http.post('/api/inventory/update').set(shop.auth).send({ items: [{ product_id: a.id, quantity: 1, mode: 'adjust', reason: 'x' }, { product_id: randomUUID(), quantity: 1, mode: 'adjust', reason: 'x' }] })).status).toBe(404);
      expect(await snapshot()).toEqual(before);
    });

    it('lists low-stock levels by their own threshold or ?threshold=', async () => {
      const merchant = await registerMerchant(t, { approve: true, admin });
      const low = await stockedProduct(t, merchant, { stock: 2, lowStockThreshold: 5 });
      const fine = await stockedProduct(t, merchant, { stock: 9, lowStockThreshold: 5 });
      await stockedProduct(t, merchant, { stock: 0 }); // no threshold: never listed by default
      await stockedProduct(t, merchant, { stock: 0, lowStockThreshold: 5, trackInventory: false }); // untracked: never low
      const own = await t.http.get('/api/inventory/low-stock').set(merchant.auth).expect(200);
      expect(own.body.items.map((i: { product_id: string; available: number }) => [i.product_id, i.available])).toEqual([[low.id, 2]]);
      expect(own.body.items[0]).toMatchObject({ variant_id: low.variantIds[0], on_hand: 2, reserved: 0, low_stock_threshold: 5, location_name: 'Default' });
      const wider = await t.http.get('/api/inventory/low-stock?threshold=10').set(merchant.auth).expect(200);
      expect(wider.body.items.map((i: { product_id: string }) => i.product_id)).toEqual(expect.arrayContaining([low.id, fine.id]));
      expect(wider.body.total).toBe(3);
    });

    it('keeps stock per location: a second location has its own level, the product view sums them', async () => {
      const p = await stockedProduct(t, shop, { stock: 3 });
      const locations = await t.http.get('/api/inventory/locations').set(shop.auth).expect(200);
      expect(locations.body.items[0]).toMatchObject({ name: 'Default', is_default: true });
      const name = `Warehouse ${randomUUID().slice(0, 6)}`;
      const warehouse = await t.http.post('/api/inventory/locations').set(shop.auth).send({ name }).expect(201);
      await t.http.post('/api/inventory/locations').set(shop.auth).send({ name }).expect(409);
      await adjust(p.id, { quantity: 7, reason: 'transfer in', location_id: warehouse.body.id }).expect(200);
      const levels = await t.http.get(`/api/inventory/${p.id}`).set(shop.auth).expect(200);
      expect(levels.body.variants[0].locations.map((l: { location_name: string; on_hand: number }) => [l.location_name, l.on_hand])).toEqual([
        ['Default', 3],
        [name, 7],
      ]);
      expect((await t.http.get(`/api/products/${p.id}`).set(shop.auth).expect(200)).body.stock_quantity).toBe(10);
      // Another merchant's location is not found.
      await adjust(p.id, { quantity: 1, reason: 'x', location_id: warehouse.body.id }, undefined, shop).expect(200);
      const foreign = await stockedProduct(t, other, { stock: 1 });
      await adjust(foreign.id, { quantity: 1, reason: 'x', location_id: warehouse.body.id }, undefined, other).expect(404);
    });
  });

  describe('reservations', () => {
    it('commits idempotently: held units are sold once, a retry changes nothing', async () => {
      const p = await stockedProduct(t, shop, { stock: 10 });
      const held = await t.http.post(`/api/inventory/products/${p.id}/reserve`).set(shop.auth).send({ quantity: 3, reference: `order-${randomUUID()}` }).expect(201);
      expect(held.body).toMatchObject({ status: 'active', lines: [{ variant_id: p.variantIds[0], quantity: 3, tracked: true }] });
      expect(new Date(held.body.expires_at).getTime() - Date.now()).toBeGreaterThan(29 * 60_000); // the 30 min default
      const first = await t.http.post(`/api/inventory/reservations/${held.body.id}/commit`).set(shop.auth).expect(200);
      const again = await t.http.post(`/api/inventory/reservations/${held.body.id}/commit`).set(shop.auth).expect(200);
      expect([first.body.status, first.body.changed, again.body.status, again.body.changed]).toEqual(['committed', true, 'committed', false]);
      expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 7, reserved: 0 });
      // The service (what the payment flow calls) by reference: also a no-op now.
      expect((await inventory.commit(null, shop.merchantId!, { reference: held.body.reference })).changed).toBe(false);
      const sales = await t.dataSource.query(`SELECT quantity, on_hand_delta, reserved_delta FROM inventory_movements WHERE reservation_id = $1 AND type = 'sale'`, [held.body.id]);
      expect(sales).toEqual([{ quantity: 3, on_hand_delta: -3, reserved_delta: -3 }]);
      // A sold reservation cannot be released.
      expect((await t.http.post(`/api/inventory/reservations/${held.body.id}/release`).set(shop.auth)).status).toBe(409);
    });

    it('releases idempotently, and a released reservation cannot be committed', async () => {
      const p = await stockedProduct(t, shop, { stock: 10 });
      const held = await t.http.post(`/api/inventory/products/${p.id}/reserve`).set(shop.auth).send({ quantity: 4 }).expect(201);
      expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 10, reserved: 4 });
      const first = await t.http.post(`/api/inventory/reservations/${held.body.id}/release`).set(shop.auth).expect(200);
      const again = await t.http.post(`/api/inventory/reservations/${held.body.id}/release`).set(shop.auth).expect(200);
      expect([first.body.changed, again.body.changed, again.body.status]).toEqual([true, false, 'released']);
      expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 10, reserved: 0 });
      const refused = await t.http.post(`/api/inventory/reservations/${held.body.id}/commit`).set(shop.auth).expect(409);
      expect(refused.body.error.detail).toMatchObject({ reason: 'reservation_released' });
      expect((await t.http.get(`/api/inventory/reservations/${held.body.id}`).set(shop.auth).expect(200)).body.status).toBe('released');
    });

    it('treats the reference as the order: the same lines again return the same hold, other lines are refused', async () => {
      const p = await stockedProduct(t, shop, { variants: 2, stock: 10 });
      const reference = `order-${randomUUID()}`;
      const items = [{ variant_id: p.variantIds[0], quantity: 2 }, { variant_id: p.variantIds[1], quantity: 1 }];
      const first = await t.http.post('/api/inventory/reservations').set(shop.auth).send({ items, reference }).expect(201);
      const retry = await t.http.post('/api/inventory/reservations').set(shop.auth).send({ items: [...items].reverse(), reference }).expect(201);
      expect(retry.body.id).toBe(first.body.id);
      expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 10, reserved: 2 });
      const clash = await t.http.post('/api/inventory/reservations').set(shop.auth).send({ items: [{ variant_id: p.variantIds[0], quantity: 5 }], reference }).expect(409);
      expect(clash.body.error.detail).toMatchObject({ reason: 'reference_in_use', reservation_id: first.body.id });
    });

    describe("a new order's hold (holdForNewOrder: the checkout's, checked and taken in one statement)", () => {
      const variantsOf = (p: { id: string; variantIds: string[] }) => new Map(p.variantIds.map((id) => [id, { id, productId: p.id, trackInventory: true }]));
      const hold = (p: { id: string; variantIds: string[] }, quantities: number[], reference = randomUUID()) =>
        pipelinedTransaction(t.dataSource, (manager) =>
          inventory.holdForNewOrder(null, shop.merchantId!, p.variantIds.map((variantId, i) => ({ variantId, quantity: quantities[i] })), { manager, reference, variants: variantsOf(p) }),
        );
      const refusalOf = async (work: Promise<unknown>) => toErrorResponse(await work.then(() => null, (err: unknown) => err));
      /** What reserve() and holdForNewOrder wrote for a product, without its ids, in the order of its variants. */
      const written = async (p: { id: string; variantIds: string[] }) => {
        const [row] = await t.dataSource.query(
          `SELECT (SELECT json_agg(json_build_array(l.on_hand, l.reserved, l.low_stock_alerted) ORDER BY array_position($3::uuid[], l.variant_id)) FROM inventory_levels l WHERE l.product_id = $1) AS levels,
                  (SELECT json_agg(json_build_array(m.type, m.quantity, m.on_hand_delta, m.reserved_delta, m.on_hand_after, m.reserved_after, m.reason, m.actor_type) ORDER BY array_position($3::uuid[], m.variant_id))
                     FROM inventory_movements m WHERE m.product_id = $1 AND m.type = 'reservation') AS movements,
                  (SELECT json_agg((e.payload - 'product_id' - 'variant_id' - 'location_id' - 'sku') || jsonb_build_object('queue', e.queue, 'name', e.name) ORDER BY array_position($3::uuid[], (e.payload ->> 'variant_id')::uuid))
                     FROM outbox_events e WHERE e.name = $2 AND e.payload ->> 'product_id' = $1::text) AS alerts`,
          [p.id, Jobs.LowStockAlert.name, p.variantIds],
        );
        return row;
      };

      it('writes what reserve() writes: levels, ledger, low-stock flag and alert', async () => {
        const [viaReserve, viaHold] = [await stockedProduct(t, shop, { variants: 2, stock: 5, lowStockThreshold: 3 }), await stockedProduct(t, shop, { variants: 2, stock: 5, lowStockThreshold: 3 })];
        await pipelinedTransaction(t.dataSource, (manager) =>
          inventory.reserve(null, shop.merchantId!, viaReserve.variantIds.map((variantId, i) => ({ variantId, quantity: [3, 1][i] })), { manager, reference: randomUUID() }),
        );
        const held = await hold(viaHold, [3, 1]);
        expect(held.expiresAt.getTime()).toBeGreaterThan(Date.now());
        const [a, b] = [await written(viaReserve), await written(viaHold)];
        expect(b).toEqual(a);
        // One level crossed its threshold: flagged, one alert.
        expect(b.levels).toEqual([
          [5, 3, true],
          [5, 1, false],
        ]);
        expect(b.alerts).toHaveLength(1);
        const [reservation] = await t.dataSource.query(`SELECT r.status, (SELECT count(*)::int FROM inventory_reservation_lines WHERE reservation_id = r.id) AS lines FROM inventory_reservations r WHERE r.id = $1`, [held.id]);
        expect(reservation).toEqual({ status: 'active', lines: 2 });
      });

      it("refuses a line it cannot hold with reserve()'s 409, and the transaction writes nothing", async () => {
        const [viaReserve, viaHold] = [await stockedProduct(t, shop, { variants: 2, stock: 4 }), await stockedProduct(t, shop, { variants: 2, stock: 4 })];
        const expected = await refusalOf(inventory.reserve(null, shop.merchantId!, viaReserve.variantIds.map((variantId) => ({ variantId, quantity: 5 }))));
        const before = await snapshot();
        const refused = await refusalOf(hold(viaHold, [5, 5]));
        expect(await snapshot()).toEqual(before);
        expect(refused.status).toBe(409);
        // The same error but for the ids: the first line in variant order is refused.
        const comparable = (body: typeof refused.body, p: typeof viaHold) =>
          JSON.parse([...p.variantIds].sort().reduce((json, id, i) => json.split(id).join(`V${i}`), JSON.stringify(body).split(p.id).join('P')));
        expect(comparable(refused.body, viaHold)).toEqual(comparable(expected.body, viaReserve));
        expect(refused.body.detail).toMatchObject({ reason: 'insufficient_stock', variant_id: [...viaHold.variantIds].sort()[0], available: 4, requested: 5 });
      });

      it('fails the transaction when the reference is not new, holding nothing', async () => {
        const p = await stockedProduct(t, shop, { stock: 10 });
        const reference = randomUUID();
        await hold(p, [2], reference);
        const clash = await hold(p, [2], reference).catch((err: unknown) => err);
        expect((clash as QueryFailedError & { driverError: { code: string; constraint: string } }).driverError).toMatchObject({ code: '23505', constraint: 'uq_inventory_reservations_reference' });
        expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 10, reserved: 2 });
      });
    });

    it('reserves variants that do not track inventory without holding anything', async () => {
      const p = await stockedProduct(t, shop, { stock: 0, trackInventory: false });
      const held = await t.http.post(`/api/inventory/products/${p.id}/reserve`).set(shop.auth).send({ quantity: 50 }).expect(201);
      expect(held.body.lines).toEqual([expect.objectContaining({ quantity: 50, tracked: false, location_id: null })]);
      expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 0, reserved: 0 });
      await t.http.post(`/api/inventory/reservations/${held.body.id}/commit`).set(shop.auth).expect(200);
      expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 0, reserved: 0 });
    });

    it('expiry releases exactly the expired holds, once, and tells the orders module', async () => {
      const p = await stockedProduct(t, shop, { stock: 10 });
      const holds = [];
      for (let i = 0; i < 4; i++) holds.push((await t.http.post(`/api/inventory/products/${p.id}/reserve`).set(shop.auth).send({ quantity: 1 + i, ttl_seconds: 600 }).expect(201)).body);
      const [expiredA, expiredB, fresh, committed] = holds;
      await t.http.post(`/api/inventory/reservations/${committed.id}/commit`).set(shop.auth).expect(200);
      // Two holds (1 + 2 units) and the committed one run out their TTL; the third (3 units) does not.
      await t.dataSource.query(`UPDATE inventory_reservations SET expires_at = now() - interval '1 second' WHERE id = ANY($1)`, [[expiredA.id, expiredB.id, committed.id]]);
      expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 6, reserved: 6 });

      const [first, second] = await Promise.all([inventory.expireDue(), inventory.expireDue()]);
      expect(first.expired + second.expired).toBe(2);
      expect((await inventory.expireDue()).expired).toBe(0);
      const rows: { id: string; status: string }[] = await t.dataSource.query(`SELECT id, status FROM inventory_reservations WHERE id = ANY($1)`, [holds.map((h) => h.id)]);
      const statusOf = new Map(rows.map((r) => [r.id, r.status]));
      expect(holds.map((h) => statusOf.get(h.id))).toEqual(['expired', 'expired', 'active', 'committed']);
      expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 6, reserved: 3 });
      const events = await t.dataSource.query(`SELECT payload FROM outbox_events WHERE queue = $1 AND name = $2 AND payload->>'merchant_id' = $3`, [
        Jobs.ReservationExpired.queue,
        Jobs.ReservationExpired.name,
        shop.merchantId,
      ]);
      expect(events.map((e: { payload: { reservation_id: string } }) => e.payload.reservation_id).sort()).toEqual([expiredA.id, expiredB.id].sort());
      // After expiry: a release is a no-op, a commit is refused.
      expect((await t.http.post(`/api/inventory/reservations/${expiredA.id}/release`).set(shop.auth).expect(200)).body.changed).toBe(false);
      expect((await t.http.post(`/api/inventory/reservations/${expiredB.id}/commit`).set(shop.auth).expect(409)).body.error.detail.reason).toBe('reservation_expired');
      await t.http.post(`/api/inventory/reservations/${fresh.id}/release`).set(shop.auth).expect(200);
    });

    it('races the expiry sweep against payment commits: each hold ends committed or expired, never both', async () => {
      const p = await stockedProduct(t, shop, { stock: 20 });
      const holds = [];
      for (let i = 0; i < 10; i++) holds.push((await t.http.post(`/api/inventory/products/${p.id}/reserve`).set(shop.auth).send({ quantity: 2 }).expect(201)).body);
      await t.dataSource.query(`UPDATE inventory_reservations SET expires_at = now() - interval '1 second' WHERE id = ANY($1)`, [holds.map((h) => h.id)]);
      const [sweep, ...commits] = await Promise.all([
        inventory.expireDue(),
        ...holds.map((h) => t.http.post(`/api/inventory/reservations/${h.id}/commit`).set(shop.auth)),
      ]);
      const committed = commits.filter((c) => c.status === 200).length;
      expect(commits.filter((c) => c.status !== 200).map((c) => [c.status, c.body.error.detail.reason])).toEqual(Array(10 - committed).fill([409, 'reservation_expired']));
      expect(sweep.expired).toBe(10 - committed);
      const statuses = await t.dataSource.query(`SELECT status, count(*)::int AS n FROM inventory_reservations WHERE id = ANY($1) GROUP BY status ORDER BY status`, [holds.map((h) => h.id)]);
      expect(statuses).toEqual([
        ...(committed ? [{ status: 'committed', n: committed }] : []),
        ...(committed < 10 ? [{ status: 'expired', n: 10 - committed }] : []),
      ]);
      expect(await levelOf(t.dataSource, p.variantIds[0])).toEqual({ on_hand: 20 - 2 * committed, reserved: 0 });
    });
  });

  describe('bad input changes nothing', () => {
    it.each([
      ['a negative quantity', 422, { quantity: -1 }],
      ['zero', 422, { quantity: 0 }],
      ['a non-integer quantity', 422, { quantity: 1.5 }],
      ['a numeric string', 422, { quantity: '2' }],
      ['10^12 units', 422, { quantity: 1e12 }],
      ['no quantity', 422, {}],
      ['an unknown variant', 404, { quantity: 1, variant_id: randomUUID() }],
      ['a malformed variant id', 422, { quantity: 1, variant_id: 'nope' }],
      ['a zero TTL', 422, { quantity: 1, ttl_seconds: 0 }],
    ])('reserve with %s → %i', async (_, status, body) => {
      const p = await stockedProduct(t, shop, { stock: 5 });
      const before = await snapshot();
      const res = await t.http.post(`/api/inventory/products/${p.id}/reserve`).set(shop.auth).send(body);
      expect(res.status).toBe(status);
      expect(await snapshot()).toEqual(before);
    });

    it.each([
      ['a non-integer quantity', 422, { quantity: 2.5, reason: 'x' }],
      ['10^12 units', 422, { quantity: 1e12, reason: 'x' }],
      ['-10^12 units', 422, { quantity: -1e12, reason: 'x' }],
      ['no reason', 422, { quantity: 2 }],
      ['an unknown variant', 404, { quantity: 2, reason: 'x', variant_id: randomUUID() }],
      ['a result past 10^9', 422, { quantity: 1_000_000_000, reason: 'x' }],
    ])('adjust with %s → %i', async (_, status, body) => {
      const p = await stockedProduct(t, shop, { stock: 5 });
      const before = await snapshot();
      const res = await adjust(p.id, body, `bad-${randomUUID()}`);
      expect(res.status).toBe(status);
      expect(await snapshot()).toEqual(before);
    });

    it('refuses bad multi-line reservations and batches as a whole', async () => {
      const p = await stockedProduct(t, shop, { stock: 5 });
      const v = p.variantIds[0];
      const before = await snapshot();
      const cases: [object, number][] = [
        [{ items: [] }, 422],
        [{ items: [{ variant_id: v, quantity: 1 }, { variant_id: v, quantity: -1 }] }, 422],
        [{ items: [{ variant_id: v, quantity: 1 }, { variant_id: randomUUID(), quantity: 1 }] }, 404],
        [{ items: [{ variant_id: v, quantity: 600_000_000 }, { variant_id: v, quantity: 600_000_000 }] }, 422],
      ];
      for (const [body, status] of cases) expect([body, (await t.http.post('/api/inventory/reservations').set(shop.auth).send(body)).status]).toEqual([body, status]);
      const batches: [object, number][] = [
        [{ items: [{ product_id: p.id, quantity: -1, mode: 'set', reason: 'x' }] }, 422],
        [{ items: [{ product_id: p.id, quantity: 1e12, mode: 'adjust', reason: 'x' }] }, 422],
        [{ items: [{ product_id: p.id, quantity: 1, mode: 'replace', reason: 'x' }] }, 422],
        [{ items: [{ product_id: p.id, quantity: 0.5, mode: 'adjust', reason: 'x' }] }, 422],
      ];
      for (const [body, status] of batches) expect([body, (await t.http.post('/api/inventory/update').set(shop.auth).send(body)).status]).toEqual([body, status]);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('access', () => {
    it("answers another merchant's product, variant and reservation ids with 404, changing nothing", async () => {
      const p = await stockedProduct(t, shop, { stock: 5 });
      const held = await t.http.post(`/api/inventory/products/${p.id}/reserve`).set(shop.auth).send({ quantity: 1 }).expect(201);
      const before = await snapshot();
      const calls = [
        t.http.get(`/api/inventory/${p.id}`),
        t.http.get(`/api/inventory/products/${p.id}/history`),
        t.http.put(`/api/inventory/products/${p.id}/stock`).send({ quantity: 1, reason: 'x' }),
        t.http.post(`/api/inventory/products/${p.id}/reserve`).send({ quantity: 1 }),
        t.http.post('/api/inventory/reservations').send({ items: [{ variant_id: p.variantIds[0], quantity: 1 }] }),
        t.http.post('/api/inventory/update').send({ items: [{ product_id: p.id, quantity: 1, mode: 'adjust', reason: 'x' }] }),
        t.http.get(`/api/inventory/reservations/${held.body.id}`),
        t.http.post(`/api/inventory/reservations/${held.body.id}/commit`),
        t.http.post(`/api/inventory/reservations/${held.body.id}/release`),
      ];
      const statuses = [];
      for (const call of calls) statuses.push((await call.set(other.auth)).status);
      expect(statuses).toEqual(Array(calls.length).fill(404));
      expect(await snapshot()).toEqual(before);
      // An admin names the store.
      await t.http.get(`/api/inventory/${p.id}?merchant_id=${shop.merchantId}`).set(admin.auth).expect(200);
    });

    it('refuses anonymous callers (401) and customers (403)', async () => {
      const p = await stockedProduct(t, shop, { stock: 5 });
      const routes: [string, string][] = [
        ['get', `/api/inventory/${p.id}`],
        ['get', '/api/inventory/low-stock'],
        ['get', `/api/inventory/products/${p.id}/history`],
        ['put', `/api/inventory/products/${p.id}/stock`],
        ['post', `/api/inventory/products/${p.id}/reserve`],
        ['post', '/api/inventory/update'],
        ['post', '/api/inventory/reservations'],
        ['get', '/api/notifications'],
        ['put', '/api/notifications/settings'],
      ];
      for (const [method, path] of routes) {
        const call = (who?: TestAccount) => {
          const req = (t.http as unknown as Record<string, (p: string) => ReturnType<typeof t.http.get>>)[method](path);
          return who ? req.set(who.auth) : req;
        };
        expect([path, (await call()).status]).toEqual([path, 401]);
        expect([path, (await call(customer)).status]).toEqual([path, 403]);
      }
    });
  });
});
