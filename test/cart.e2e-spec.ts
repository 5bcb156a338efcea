import { randomBytes, randomUUID } from 'node:crypto';
import TestAgent from 'supertest/lib/agent';
import { CartService } from '../src/modules/cart/cart.service';
import { GuestCartRepository } from '../src/modules/cart/cart-stores';
import { bootTestApp, TestApp } from './harness/app';
import { createProduct, tok } from './support/catalog';
import { createAdmin, login, registerCustomer, registerMerchant, TestAccount } from './support/identity';
import { listening } from './support/inventory';
import { SqlStatementCounter } from './support/sql-statements';

type Body = Record<string, any>;

/** A fresh guest session id, as a storefront would generate one. */
const newSession = () => `sess_${randomBytes(12).toString('hex')}`;

/**
 * Issue 7, the cart: guest carts in Redis by X-Session-ID, users' carts in PostgreSQL, the merge at
 * sign-in, current prices and availability on every read, every refusal leaving the cart unchanged,
 * no lost update under concurrency, and a fixed number of SQL statements per read.
 */
describe('Cart', () => {
  let t: TestApp;
  let admin: TestAccount;
  let shop: TestAccount;
  let otherShop: TestAccount;

  beforeAll(async () => {
    t = await bootTestApp();
    admin = await createAdmin(t);
    [shop, otherShop] = await Promise.all([registerMerchant(t, { approve: true, admin }), registerMerchant(t, { approve: true, admin })]);
  });
  afterAll(() => t?.close());

  /** The app on a real port, so many parallel requests share one server (after this, SqlStatementCounter no longer counts). */
  let listeningAgent: TestAgent | undefined;
  const parallel = async (): Promise<TestAgent> => (listeningAgent ??= await listening(t));

  /** An active product with one default variant. */
  async function simpleProduct(owner: TestAccount = shop, body: Body = {}): Promise<{ id: string; variantId: string }> {
    const p = await createProduct(t, owner, { name: `Mug ${tok()}`, price: '10.00', stock_quantity: 20, status: 'active', ...body });
    return { id: p.id, variantId: p.variants![0].id };
  }

  /** An active product with `sizes` variants, `stock` units each. */
  async function sizedProduct(sizes: string[], stock = 10, owner: TestAccount = shop, body: Body = {}): Promise<{ id: string; variantIds: string[] }> {
    const p = await createProduct(t, owner, {
      name: `Tee ${tok()}`,
      price: '20.00',
      status: 'active',
      variants: sizes.map((size) => ({ attributes: { size }, stock, sku: `TEE-${tok()}-${size}` })),
      ...body,
    });
    return { id: p.id, variantIds: p.variants!.map((v) => v.id) };
  }

  const asGuest = (session: string) => ({ 'X-Session-ID': session });
  const getCart = (headers: Record<string, string>) => t.http.get('/api/cart').set(headers);
  const add = (headers: Record<string, string>, body: Body) => t.http.post('/api/cart/items').set(headers).send(body);
  const patch = (headers: Record<string, string>, id: string, quantity: unknown) => t.http.patch(`/api/cart/items/${id}`).set(headers).send({ quantity });
  const lines = (cart: Body) => cart.items.map((i: Body) => [i.variant_id, i.quantity]);
  const adjustStock = (owner: TestAccount, productId: string, delta: number, variantId?: string) =>
    t.http.put(`/api/inventory/products/${productId}/stock`).set(owner.auth).send({ quantity: delta, reason: 'cart test', ...(variantId ? { variant_id: variantId } : {}) }).expect(200);

  describe('SQL statements per read', () => {
    it('reads a cart of 30 items in as many statements as a cart of 3, at most 3', async () => {
      const counter = new SqlStatementCounter(t).install();
      try {
        const wide = await sizedProduct(Array.from({ length: 30 }, (_, i) => `W${i}`), 5);
        const customer = await registerCustomer(t);
        const small = newSession();
        const large = newSession();
        for (const [session, count] of [[small, 3], [large, 30]] as const) {
          for (const variantId of wide.variantIds.slice(0, count)) {
            await add(asGuest(session), { product_id: wide.id, variant_id: variantId, quantity: 1 }).expect(200);
            if (session === large) await add(customer.auth, { product_id: wide.id, variant_id: variantId, quantity: 1 }).expect(200);
          }
        }
        // One line deleted from the catalog: its name is then looked up too, still one statement for all.
        await t.http.delete(`/api/products/${wide.id}/variants/${wide.variantIds[0]}`).set(shop.auth).expect((r) => expect(r.status).toBeLessThan(300));

        const guestSmall = await counter.get('/api/cart', asGuest(small));
        const guestLarge = await counter.get('/api/cart', asGuest(large));
        const user = await counter.get('/api/cart', customer.auth);
        expect(guestSmall.response.body.items).toHaveLength(3);
        expect(guestLarge.response.body.items).toHaveLength(30);
        expect(user.response.body.items).toHaveLength(30);
        expect(guestLarge.response.body.items[0].unavailable_reason).toBe('product_unavailable');
        expect(guestLarge.response.body.items[1].purchasable).toBe(true);

        // Runs first in this file: once the app listens on a port (the concurrency tests) the counter cannot attribute statements.
        expect(guestSmall.statements.length).toBeGreaterThan(0);
        expect(guestLarge.statements.length).toBe(guestSmall.statements.length);
        expect(guestLarge.statements.length).toBeLessThanOrEqual(2);
        expect(user.statements.length).toBe(guestLarge.statements.length + 1); // + the user's cart itself
        expect(user.statements.length).toBeLessThanOrEqual(3);
      } finally {
        counter.uninstall();
      }
    });
  });

  describe('guest carts', () => {
    it('adds, reads, updates, removes and clears; the Redis cart expires CART_TTL_SECONDS after its last change', async () => {
      const session = newSession();
      const mug = await simpleProduct(shop, { sku: `MUG-${tok()}` });
      const tee = await sizedProduct(['S', 'M']);

      const first = await add(asGuest(session), { product_id: mug.id, quantity: 2 }).expect(200);
      expect(first.body).toMatchObject({ merchant_id: shop.merchantId, currency: 'USD', item_count: 2, line_count: 1, subtotal: '20.00', purchasable: true });
      expect(first.body.id).toBeUndefined();
      expect(first.body.warnings).toBeUndefined();
      expect(first.body.items[0]).toEqual({
        product_id: mug.id,
        variant_id: mug.variantId,
        product_name: expect.stringMatching(/^Mug /),
        variant_title: null,
        sku: expect.stringMatching(/^MUG-/),
        variant_attributes: {},
        image_url: null,
        quantity: 2,
        unit_price: '10.00',
        total: '20.00',
        available_quantity: 20,
        in_stock: true,
        purchasable: true,
        unavailable_reason: null,
      });

      await add(asGuest(session), { product_id: tee.id, variant_id: tee.variantIds[1], quantity: 1 }).expect(200);
      const read = await getCart(asGuest(session)).expect(200);
      expect(lines(read.body)).toEqual([[mug.variantId, 2], [tee.variantIds[1], 1]]);
      expect(read.body.items[1]).toMatchObject({ variant_title: 'M', variant_attributes: { size: 'M' }, unit_price: '20.00' });
      expect(read.body).toMatchObject({ item_count: 3, subtotal: '40.00' });

      const ttl = await t.app.get(GuestCartRepository).ttl(session);
      expect(ttl).toBeGreaterThan(t.config.cart.guestTtlSeconds - 10);
      expect(ttl).toBeLessThanOrEqual(t.config.cart.guestTtlSeconds);

      // By product id (one line of that product), then by variant id.
      expect(lines((await patch(asGuest(session), mug.id, 5).expect(200)).body)).toEqual([[mug.variantId, 5], [tee.variantIds[1], 1]]);
      expect(lines((await patch(asGuest(session), tee.variantIds[1], 3).expect(200)).body)).toEqual([[mug.variantId, 5], [tee.variantIds[1], 3]]);
      expect(lines((await patch(asGuest(session), mug.variantId, 0).expect(200)).body)).toEqual([[tee.variantIds[1], 3]]);

      await add(asGuest(session), { product_id: mug.id, quantity: 1 }).expect(200);
      const removed = await t.http.delete(`/api/cart/items/${tee.variantIds[1]}`).set(asGuest(session)).expect(200);
      expect(lines(removed.body)).toEqual([[mug.variantId, 1]]);

      const cleared = await t.http.delete('/api/cart').set(asGuest(session)).expect(200);
      expect(cleared.body).toEqual({ merchant_id: null, currency: null, items: [], item_count: 0, line_count: 0, subtotal: '0', purchasable: false });
      expect((await getCart(asGuest(session)).expect(200)).body.items).toEqual([]);
      expect(await t.app.get(GuestCartRepository).ttl(session)).toBe(-2); // an empty cart is not kept
    });

    it('an emptied cart accepts another store; a product id removes all of its lines', async () => {
      const session = newSession();
      const tee = await sizedProduct(['S', 'M']);
      await add(asGuest(session), { product_id: tee.id, variant_id: tee.variantIds[0], quantity: 1 }).expect(200);
      await add(asGuest(session), { product_id: tee.id, variant_id: tee.variantIds[1], quantity: 1 }).expect(200);
      // A product id naming two lines is ambiguous for PATCH, fine for DELETE.
      expect((await patch(asGuest(session), tee.id, 2).expect(422)).body.error.code).toBe('ERR_VALIDATION');
      expect((await t.http.delete(`/api/cart/items/${tee.id}`).set(asGuest(session)).expect(200)).body.items).toEqual([]);

      const elsewhere = await simpleProduct(otherShop);
      const res = await add(asGuest(session), { product_id: elsewhere.id, quantity: 1 }).expect(200);
      expect(res.body.merchant_id).toBe(otherShop.merchantId);
    });
  });

  describe('fresh prices and availability on every read', () => {
    it('shows a catalog price change on the next read, for the product and for a variant with its own price', async () => {
      const session = newSession();
      const mug = await simpleProduct();
      const tee = await sizedProduct(['S']);
      await add(asGuest(session), { product_id: mug.id, quantity: 2 }).expect(200);
      await add(asGuest(session), { product_id: tee.id, quantity: 1 }).expect(200); // its only variant: variant_id optional
      expect((await getCart(asGuest(session))).body.subtotal).toBe('40.00');

      await t.http.put(`/api/products/${mug.id}`).set(shop.auth).send({ price: '12.50' }).expect(200);
      await t.http.put(`/api/products/${tee.id}/variants/${tee.variantIds[0]}`).set(shop.auth).send({ price: '7.25' }).expect(200);
      const read = await getCart(asGuest(session)).expect(200);
      expect(read.body.items.map((i: Body) => [i.unit_price, i.total])).toEqual([
        ['12.50', '25.00'],
        ['7.25', '7.25'],
      ]);
      expect(read.body.subtotal).toBe('32.25');
    });

    it('flags, never drops, items whose stock fell, that were unpublished or deleted, or whose store closed', async () => {
      const session = newSession();
      const stocked = await simpleProduct(shop, { stock_quantity: 5 });
      const unpublished = await simpleProduct();
      const deleted = await simpleProduct();
      await add(asGuest(session), { product_id: stocked.id, quantity: 3 }).expect(200);
      await add(asGuest(session), { product_id: unpublished.id, quantity: 1 }).expect(200);
      await add(asGuest(session), { product_id: deleted.id, quantity: 1 }).expect(200);

      await adjustStock(shop, stocked.id, -4);
      await t.http.put(`/api/products/${unpublished.id}`).set(shop.auth).send({ status: 'inactive' }).expect(200);
      await t.http.delete(`/api/products/${deleted.id}`).set(shop.auth).expect((r) => expect(r.status).toBeLessThan(300));

      const read = (await getCart(asGuest(session)).expect(200)).body;
      expect(read.items.map((i: Body) => [i.product_id, i.quantity, i.available_quantity, i.in_stock, i.purchasable, i.unavailable_reason])).toEqual([
        [stocked.id, 3, 1, true, false, 'insufficient_stock'],
        [unpublished.id, 1, 0, false, false, 'product_unavailable'],
        [deleted.id, 1, 0, false, false, 'product_unavailable'],
      ]);
      expect(read.items[2].product_name).toMatch(/^Mug /); // still says what it was
      expect(read.warnings.map((w: Body) => [w.code, w.product_id])).toEqual([
        ['insufficient_stock', stocked.id],
        ['product_unavailable', unpublished.id],
        ['product_unavailable', deleted.id],
      ]);
      expect(read).toMatchObject({ subtotal: '0.00', purchasable: false, item_count: 5 });

      // Lowering a flagged line is allowed and makes it purchasable again; raising an unlisted one is not.
      const lowered = (await patch(asGuest(session), stocked.id, 1).expect(200)).body;
      expect(lowered.items[0]).toMatchObject({ purchasable: true, unavailable_reason: null, total: '10.00' });
      expect((await patch(asGuest(session), unpublished.id, 2).expect(409)).body.error.code).toBe('ERR_CART_ITEMS_UNAVAILABLE');

      await adjustStock(shop, stocked.id, -1);
      const soldOut = (await getCart(asGuest(session))).body.items[0];
      expect(soldOut).toMatchObject({ available_quantity: 0, in_stock: false, purchasable: false, unavailable_reason: 'out_of_stock' });
    });

    it('flags the items of a store that is no longer ACTIVE', async () => {
      const closing = await registerMerchant(t, { approve: true, admin });
      const session = newSession();
      const p = await simpleProduct(closing);
      await add(asGuest(session), { product_id: p.id, quantity: 1 }).expect(200);
      await t.http.post(`/api/admin/merchants/${closing.merchantId}/suspend`).set(admin.auth).send({}).expect(200);
      const item = (await getCart(asGuest(session))).body.items[0];
      expect(item).toMatchObject({ purchasable: false, in_stock: false, unavailable_reason: 'store_unavailable' });
      expect((await add(asGuest(session), { product_id: p.id, quantity: 1 }).expect(404)).body.error.code).toBe('ERR_NOT_FOUND');
    });

    it('has no stock limit for products that do not track inventory or allow backorders', async () => {
      const session = newSession();
      const untracked = await simpleProduct(shop, { track_inventory: false, stock_quantity: 0 });
      const backorder = await simpleProduct(shop, { stock_quantity: 1 });
      await t.http
        .post('/api/inventory/update')
        .set(shop.auth)
        .send({ items: [{ product_id: backorder.id, quantity: 1, mode: 'set', reason: 'preorders open', allow_backorder: true }] })
        .expect(200);
      await add(asGuest(session), { product_id: untracked.id, quantity: 50 }).expect(200);
      const res = await add(asGuest(session), { product_id: backorder.id, quantity: 30 }).expect(200);
      expect(res.body.items.map((i: Body) => [i.quantity, i.available_quantity, i.in_stock, i.purchasable])).toEqual([
        [50, null, true, true],
        [30, null, true, true],
      ]);
    });
  });

  describe('refusals leave the cart unchanged', () => {
    let session: string;
    let mug: { id: string; variantId: string };
    let tee: { id: string; variantIds: string[] };
    let before: Body;

    beforeAll(async () => {
      session = newSession();
      mug = await simpleProduct(shop, { stock_quantity: 5 });
      tee = await sizedProduct(['S', 'M', 'L'], 3);
      await add(asGuest(session), { product_id: mug.id, quantity: 2 }).expect(200);
      await add(asGuest(session), { product_id: tee.id, variant_id: tee.variantIds[0], quantity: 1 }).expect(200);
      before = (await getCart(asGuest(session)).expect(200)).body;
    });

    async function refused(request: PromiseLike<{ status: number; body: Body }>, status: number, code: string): Promise<Body> {
      const res = await request;
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
      expect((await getCart(asGuest(session)).expect(200)).body).toEqual(before);
      return res.body;
    }

    it('refuses products and variants the storefront does not show (404)', async () => {
      const draft = await createProduct(t, shop, { name: `Draft ${tok()}`, price: '5.00', stock_quantity: 5 });
      const gone = await simpleProduct();
      await t.http.delete(`/api/products/${gone.id}`).set(shop.auth).expect((r) => expect(r.status).toBeLessThan(300));
      const pending = await registerMerchant(t);
      const pendingDraft = await createProduct(t, pending, { name: `Pending ${tok()}`, price: '5.00' });
      const inactiveVariant = await sizedProduct(['S', 'M']);
      await t.http.put(`/api/products/${inactiveVariant.id}/variants/${inactiveVariant.variantIds[1]}`).set(shop.auth).send({ status: 'inactive' }).expect(200);

      await refused(add(asGuest(session), { product_id: randomUUID(), quantity: 1 }), 404, 'ERR_NOT_FOUND');
      await refused(add(asGuest(session), { product_id: draft.id, quantity: 1 }), 404, 'ERR_NOT_FOUND');
      await refused(add(asGuest(session), { product_id: gone.id, quantity: 1 }), 404, 'ERR_NOT_FOUND');
      await refused(add(asGuest(session), { product_id: pendingDraft.id, quantity: 1 }), 404, 'ERR_NOT_FOUND');
      await refused(add(asGuest(session), { product_id: tee.id, variant_id: randomUUID(), quantity: 1 }), 404, 'ERR_NOT_FOUND');
      await refused(add(asGuest(session), { product_id: tee.id, variant_id: mug.variantId, quantity: 1 }), 404, 'ERR_NOT_FOUND'); // another product's variant
      await refused(add(asGuest(session), { product_id: inactiveVariant.id, variant_id: inactiveVariant.variantIds[1], quantity: 1 }), 404, 'ERR_NOT_FOUND');
      await refused(add(asGuest(session), { product_id: mug.id, quantity: 1, merchant_id: otherShop.merchantId }), 404, 'ERR_NOT_FOUND');
    });

    it('refuses bad bodies, a product with several variants named without one, and unknown items (422 / 404)', async () => {
      await refused(add(asGuest(session), { product_id: 'not-a-uuid', quantity: 1 }), 422, 'ERR_VALIDATION');
      await refused(add(asGuest(session), { product_id: mug.id, quantity: 0 }), 422, 'ERR_VALIDATION');
      await refused(add(asGuest(session), { product_id: mug.id, quantity: 1.5 }), 422, 'ERR_VALIDATION');
      await refused(add(asGuest(session), { product_id: mug.id, quantity: 1000 }), 422, 'ERR_VALIDATION');
      await refused(add(asGuest(session), { product_id: mug.id }), 422, 'ERR_VALIDATION');
      const body = await refused(add(asGuest(session), { product_id: tee.id, quantity: 1 }), 422, 'ERR_VALIDATION');
      expect(body.error.detail.fields).toHaveProperty('variant_id');
      await refused(patch(asGuest(session), mug.variantId, -1), 422, 'ERR_VALIDATION');
      await refused(patch(asGuest(session), randomUUID(), 1), 404, 'ERR_NOT_FOUND');
      await refused(patch(asGuest(session), 'not-an-id', 1), 404, 'ERR_NOT_FOUND');
      await refused(t.http.delete(`/api/cart/items/${randomUUID()}`).set(asGuest(session)), 404, 'ERR_NOT_FOUND');
    });

    it('refuses another store\'s product in a non-empty cart (409 ERR_CART_MERCHANT_MISMATCH)', async () => {
      const elsewhere = await simpleProduct(otherShop);
      const body = await refused(add(asGuest(session), { product_id: elsewhere.id, quantity: 1 }), 409, 'ERR_CART_MERCHANT_MISMATCH');
      expect(body.error.detail).toEqual({ cart_merchant_id: shop.merchantId, product_merchant_id: otherShop.merchantId });
    });

    it('refuses more than is available, counting what the cart holds, on add and on update (409 ERR_OUT_OF_STOCK)', async () => {
      await refused(add(asGuest(session), { product_id: mug.id, quantity: 6 }), 409, 'ERR_OUT_OF_STOCK');
      const body = await refused(add(asGuest(session), { product_id: mug.id, quantity: 4 }), 409, 'ERR_OUT_OF_STOCK'); // 2 + 4 > 5
      expect(body.error.detail).toMatchObject({ available: 5, requested: 6, in_cart: 2, variant_id: mug.variantId });
      await refused(patch(asGuest(session), mug.variantId, 6), 409, 'ERR_OUT_OF_STOCK');
      await refused(add(asGuest(session), { product_id: tee.id, variant_id: tee.variantIds[0], quantity: 3 }), 409, 'ERR_OUT_OF_STOCK');
    });

    it('refuses more than the per-line maximum in total, and a line past the most lines a cart holds (422)', async () => {
      const manyLines = newSession();
      const untracked = await simpleProduct(shop, { track_inventory: false });
      await add(asGuest(manyLines), { product_id: untracked.id, quantity: 600 }).expect(200);
      const limit = await add(asGuest(manyLines), { product_id: untracked.id, quantity: 400 }).expect(422);
      expect(limit.body.error).toMatchObject({ code: 'ERR_CART_LINE_LIMIT', detail: { max_quantity: 999, in_cart: 600 } });

      const wide = await sizedProduct(Array.from({ length: 101 }, (_, i) => `S${i}`), 5);
      await t.http.delete('/api/cart').set(asGuest(manyLines)).expect(200);
      for (let i = 0; i < 100; i += 10) {
        await Promise.all(wide.variantIds.slice(i, i + 10).map((variantId) => add(asGuest(manyLines), { product_id: wide.id, variant_id: variantId, quantity: 1 }).expect(200)));
      }
      const full = await add(asGuest(manyLines), { product_id: wide.id, variant_id: wide.variantIds[100], quantity: 1 }).expect(422);
      expect(full.body.error).toMatchObject({ code: 'ERR_CART_FULL', detail: { max_lines: 100 } });
      const read = (await getCart(asGuest(manyLines)).expect(200)).body;
      expect(read.line_count).toBe(100);
      expect(read.items.map((i: Body) => i.variant_id)).not.toContain(wide.variantIds[100]);
      // An existing line can still grow.
      await add(asGuest(manyLines), { product_id: wide.id, variant_id: wide.variantIds[0], quantity: 1 }).expect(200);
    });

    it('needs a valid X-Session-ID when nobody is signed in (400)', async () => {
      const missing = await getCart({}).expect(400);
      expect(missing.body.error.code).toBe('ERR_CART_SESSION_REQUIRED');
      expect(missing.body.error.message).toMatch(/X-Session-ID/);
      for (const bad of ['short', 'x'.repeat(129), 'has spaces in it!!', '../../etc/passwd-00']) {
        expect((await add(asGuest(bad), { product_id: mug.id, quantity: 1 }).expect(400)).body.error.code).toBe('ERR_CART_SESSION_INVALID');
      }
      expect((await getCart(asGuest(session)).expect(200)).body).toEqual(before);
    });
  });

  describe('concurrency', () => {
    let agent: TestAgent;
    beforeAll(async () => {
      agent = await parallel();
    });

    it('counts every one of many concurrent adds to the same guest cart', async () => {
      const session = newSession();
      const mug = await simpleProduct(shop, { stock_quantity: 100 });
      const tee = await sizedProduct(['S', 'M'], 100);
      const requests = [
        ...Array.from({ length: 12 }, () => agent.post('/api/cart/items').set(asGuest(session)).send({ product_id: mug.id, quantity: 1 })),
        ...Array.from({ length: 6 }, (_, i) => agent.post('/api/cart/items').set(asGuest(session)).send({ product_id: tee.id, variant_id: tee.variantIds[i % 2], quantity: 2 })),
      ];
      const statuses = (await Promise.all(requests)).map((r) => r.status);
      expect(statuses).toEqual(Array(18).fill(200));
      const read = (await getCart(asGuest(session))).body;
      expect(Object.fromEntries(lines(read))).toEqual({ [mug.variantId]: 12, [tee.variantIds[0]]: 6, [tee.variantIds[1]]: 6 });
    });

    it('never lets concurrent adds exceed the stock together', async () => {
      const session = newSession();
      const mug = await simpleProduct(shop, { stock_quantity: 5 });
      const results = await Promise.all(Array.from({ length: 8 }, () => agent.post('/api/cart/items').set(asGuest(session)).send({ product_id: mug.id, quantity: 1 })));
      expect(results.filter((r) => r.status === 200)).toHaveLength(5);
      expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'ERR_OUT_OF_STOCK')).toBe(true);
      expect(lines((await getCart(asGuest(session))).body)).toEqual([[mug.variantId, 5]]);
    });

    it('counts every concurrent add to the same user cart', async () => {
      const customer = await registerCustomer(t);
      const mug = await simpleProduct(shop, { stock_quantity: 100 });
      const results = await Promise.all(Array.from({ length: 10 }, () => agent.post('/api/cart/items').set(customer.auth).send({ product_id: mug.id, quantity: 3 })));
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(lines((await getCart(customer.auth)).body)).toEqual([[mug.variantId, 30]]);
    });
  });

  describe('user carts and the merge at sign-in', () => {
    it('keeps a signed-in user\'s cart across sessions and new tokens, recognised by the token on the public route', async () => {
      const customer = await registerCustomer(t);
      const mug = await simpleProduct();
      const added = await add(customer.auth, { product_id: mug.id, quantity: 2 }).expect(200);
      expect(added.body.id).toEqual(expect.any(String));

      const { token } = await login(t, customer.email);
      const later = await getCart({ Authorization: `Bearer ${token}` }).expect(200);
      expect(later.body.id).toBe(added.body.id);
      expect(lines(later.body)).toEqual([[mug.variantId, 2]]);
      const [row] = await t.dataSource.query(`SELECT c.user_id, i.quantity FROM carts c JOIN cart_items i ON i.cart_id = c.id WHERE c.id = $1`, [added.body.id]);
      expect(row).toEqual({ user_id: customer.id, quantity: 2 });
    });

    it('merges the guest cart into the user\'s on the first request carrying both, summing and capping, then deletes it', async () => {
      const customer = await registerCustomer(t);
      const session = newSession();
      const mug = await simpleProduct(shop, { stock_quantity: 4 });
      const tee = await sizedProduct(['S', 'M'], 10);
      await add(customer.auth, { product_id: mug.id, quantity: 3 }).expect(200);
      await add(customer.auth, { product_id: tee.id, variant_id: tee.variantIds[0], quantity: 1 }).expect(200);
      await add(asGuest(session), { product_id: tee.id, variant_id: tee.variantIds[0], quantity: 2 }).expect(200);
      await add(asGuest(session), { product_id: mug.id, quantity: 3 }).expect(200);
      await add(asGuest(session), { product_id: tee.id, variant_id: tee.variantIds[1], quantity: 1 }).expect(200);

      // Signed in again, the storefront still sends its session id.
      const { token } = await login(t, customer.email);
      const merged = await getCart({ Authorization: `Bearer ${token}`, ...asGuest(session) }).expect(200);
      expect(lines(merged.body)).toEqual([
        [mug.variantId, 4], // 3 + 3, capped by the 4 in stock
        [tee.variantIds[0], 3],
        [tee.variantIds[1], 1],
      ]);
      expect(merged.body.warnings).toEqual([expect.objectContaining({ code: 'merge_quantity_reduced', variant_id: mug.variantId })]);
      expect((await getCart(asGuest(session))).body.items).toEqual([]); // the guest cart is gone
      const again = await getCart({ Authorization: `Bearer ${token}`, ...asGuest(session) }).expect(200);
      expect(lines(again.body)).toEqual(lines(merged.body));
      expect(again.body.warnings).toBeUndefined();
    });

    it('merges once when two requests race after sign-in', async () => {
      const customer = await registerCustomer(t);
      const session = newSession();
      const mug = await simpleProduct(shop, { stock_quantity: 50 });
      await add(asGuest(session), { product_id: mug.id, quantity: 2 }).expect(200);
      const agent = await parallel();
      const both = { ...customer.auth, ...asGuest(session) };
      const results = await Promise.all(Array.from({ length: 5 }, () => agent.get('/api/cart').set(both)));
      expect(results.map((r) => r.status)).toEqual(Array(5).fill(200));
      expect(lines((await getCart(customer.auth)).body)).toEqual([[mug.variantId, 2]]);
    });

    it('gives an empty user cart the guest cart of any store; a non-empty one of another store is kept, with a warning', async () => {
      const fresh = await registerCustomer(t);
      const busy = await registerCustomer(t);
      const mine = await simpleProduct(shop);
      const theirs = await simpleProduct(otherShop);
      const s1 = newSession();
      const s2 = newSession();
      await add(asGuest(s1), { product_id: theirs.id, quantity: 1 }).expect(200);
      await add(asGuest(s2), { product_id: theirs.id, quantity: 1 }).expect(200);
      await add(busy.auth, { product_id: mine.id, quantity: 1 }).expect(200);

      const took = await getCart({ ...fresh.auth, ...asGuest(s1) }).expect(200);
      expect([took.body.merchant_id, lines(took.body)]).toEqual([otherShop.merchantId, [[theirs.variantId, 1]]]);

      const kept = await getCart({ ...busy.auth, ...asGuest(s2) }).expect(200);
      expect([kept.body.merchant_id, lines(kept.body)]).toEqual([shop.merchantId, [[mine.variantId, 1]]]);
      expect(kept.body.warnings).toEqual([expect.objectContaining({ code: 'merge_other_store_discarded', merchant_id: otherShop.merchantId })]);
      expect((await getCart(asGuest(s2))).body.items).toEqual([]);
    });
  });

  describe('isolation', () => {
    it('never shows another user\'s or another session\'s cart; API keys and bad tokens do not own carts', async () => {
      const [alice, bob] = await Promise.all([registerCustomer(t), registerCustomer(t)]);
      const mug = await simpleProduct();
      const aliceSession = newSession();
      await add(alice.auth, { product_id: mug.id, quantity: 1 }).expect(200);
      await add(asGuest(aliceSession), { product_id: mug.id, quantity: 2 }).expect(200);

      expect((await getCart(bob.auth).expect(200)).body.items).toEqual([]);
      expect((await getCart(asGuest(newSession())).expect(200)).body.items).toEqual([]);
      // A guest cart is only reachable with its own session id, signed in or not.
      expect(lines((await getCart(asGuest(aliceSession))).body)).toEqual([[mug.variantId, 2]]);

      // A bad token on a public route is ignored: the caller is a guest.
      expect((await getCart({ Authorization: 'Bearer not.a.jwt' }).expect(400)).body.error.code).toBe('ERR_CART_SESSION_REQUIRED');
      const session = newSession();
      await add({ Authorization: 'Bearer not.a.jwt', ...asGuest(session) }, { product_id: mug.id, quantity: 1 }).expect(200);
      expect(lines((await getCart(asGuest(session))).body)).toEqual([[mug.variantId, 1]]);

      // A merchant API key acts for a store, not a shopper: no user cart, only the session's.
      const key = (await t.http.post('/api/merchant/api-keys').set(shop.auth).send({ name: `cart ${tok()}`, scopes: ['read', 'write'] }).expect(201)).body.key;
      expect((await getCart({ 'X-API-Key': key }).expect(400)).body.error.code).toBe('ERR_CART_SESSION_REQUIRED');
      const keySession = newSession();
      await add({ 'X-API-Key': key, ...asGuest(keySession) }, { product_id: mug.id, quantity: 1 }).expect(200);
      expect(await t.dataSource.query(`SELECT 1 FROM carts WHERE user_id = $1`, [shop.id])).toEqual([]);
      expect(lines((await getCart(alice.auth)).body)).toEqual([[mug.variantId, 1]]);
    });
  });

  describe('for checkout', () => {
    it('hands checkout the lines of the owner\'s cart, refuses empty or unbuyable carts, and clears them', async () => {
      const carts = t.app.get(CartService);
      const session = newSession();
      await expect(carts.checkoutLines({ sessionId: session })).rejects.toMatchObject({ code: 'ERR_CART_EMPTY' });
      await expect(carts.checkoutLines({})).rejects.toMatchObject({ code: 'ERR_CART_SESSION_REQUIRED' });

      const mug = await simpleProduct();
      const tee = await sizedProduct(['S', 'M']);
      await add(asGuest(session), { product_id: mug.id, quantity: 2 }).expect(200);
      await add(asGuest(session), { product_id: tee.id, variant_id: tee.variantIds[1], quantity: 1 }).expect(200);
      expect(await carts.checkoutLines({ sessionId: session }, shop.merchantId)).toEqual({
        merchantId: shop.merchantId,
        currency: 'USD',
        lines: [
          { productId: mug.id, variantId: mug.variantId, quantity: 2 },
          { productId: tee.id, variantId: tee.variantIds[1], quantity: 1 },
        ],
      });
      await expect(carts.checkoutLines({ sessionId: session }, otherShop.merchantId)).rejects.toMatchObject({ code: 'ERR_CART_MERCHANT_MISMATCH' });

      await t.http.put(`/api/products/${tee.id}`).set(shop.auth).send({ status: 'draft' }).expect(200);
      await expect(carts.checkoutLines({ sessionId: session })).rejects.toMatchObject({
        code: 'ERR_CART_ITEMS_UNAVAILABLE',
        detail: { items: [expect.objectContaining({ variant_id: tee.variantIds[1] })] },
      });

      await carts.clear({ sessionId: session });
      expect((await getCart(asGuest(session))).body.items).toEqual([]);

      const customer = await registerCustomer(t);
      await add(customer.auth, { product_id: mug.id, quantity: 1 }).expect(200);
      expect((await carts.checkoutLines({ userId: customer.id })).lines).toHaveLength(1);
      await carts.clear({ userId: customer.id, sessionId: newSession() });
      expect((await getCart(customer.auth)).body.items).toEqual([]);
    });
  });

});
