import { randomUUID } from 'node:crypto';
import { CatalogVersionService } from '../src/modules/catalog/catalog-version.service';
import type { CollectionDto } from '../src/modules/catalog/dto/collection.dto';
import { bootTestApp, TestApp } from './harness/app';
import { auditRows } from './support/audit';
import { createProduct, tok } from './support/catalog';
import { createAdmin, registerCustomer, registerMerchant, TestAccount } from './support/identity';
import { SqlStatementCounter } from './support/sql-statements';

type Res = { status: number; body: any };

const CONTRACT_FIELDS = [
  'id', 'merchant_id', 'slug', 'name', 'description', 'image_url', 'cover_media_id', 'display_order',
  'meta_title', 'meta_description', 'product_count', 'created_at', 'updated_at',
].sort();

describe('Catalog: collections and their products', () => {
  let t: TestApp;
  let admin: TestAccount;
  let customer: TestAccount;
  let shop: TestAccount;
  let rival: TestAccount;

  beforeAll(async () => {
    t = await bootTestApp();
    [admin, customer] = await Promise.all([createAdmin(t), registerCustomer(t)]);
    [shop, rival] = await Promise.all([registerMerchant(t, { approve: true, admin }), registerMerchant(t, { approve: true, admin })]);
  });
  afterAll(() => t?.close());

  const product = async (owner: TestAccount, name = `Product ${tok()}`) => (await createProduct(t, owner, { name, price: '10.00' })).id;
  const create = (owner: TestAccount, body: object) => t.http.post('/api/collections').set(owner.auth).send(body);
  async function collection(owner: TestAccount, body: Record<string, unknown> = {}): Promise<CollectionDto> {
    const res = await create(owner, { slug: `col-${tok()}`, name: `Collection ${tok()}`, ...body });
    if (res.status !== 201) throw new Error(`collection create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  const get = (owner: TestAccount, idOrSlug: string) => t.http.get(`/api/collections/${idOrSlug}`).set(owner.auth);
  const attach = (owner: TestAccount, idOrSlug: string, productIds: string[]) => t.http.post(`/api/collections/${idOrSlug}/products`).set(owner.auth).send({ product_ids: productIds });
  const members = (owner: TestAccount, idOrSlug: string, query = '') => t.http.get(`/api/collections/${idOrSlug}/products${query}`).set(owner.auth);
  const memberIds = async (collectionId: string): Promise<string[]> =>
    (await t.dataSource.query('SELECT product_id FROM collection_products WHERE collection_id = $1 ORDER BY position, created_at', [collectionId])).map((r: { product_id: string }) => r.product_id);
  const version = (merchantId: string) => t.app.get(CatalogVersionService).current(merchantId).then(Number);

  /** A refused request: its status, the envelope, and (for 422) the fields it names. */
  function expectRefused(res: Res, status: number, fields: string[] = []) {
    expect([res.status, res.body.success]).toEqual([status, false]);
    expect(res.body.error.code).toBe({ 401: 'ERR_UNAUTHORIZED', 403: 'ERR_FORBIDDEN', 404: 'ERR_NOT_FOUND', 409: 'ERR_CONFLICT', 422: 'ERR_VALIDATION' }[status]);
    for (const field of fields) expect(Object.keys(res.body.error.detail.fields)).toContain(field);
  }

  describe('create, read, update, delete', () => {
    it('POST takes every contract field and answers the collection; GET by id and by slug answer the same', async () => {
      const slug = `summer-${tok()}`;
      const body = {
        slug,
        name: 'Summer sale',
        description: 'Everything for the beach',
        image_url: 'https://cdn.example.com/summer.jpg',
        cover_media_id: randomUUID(),
        display_order: 3,
        meta_title: 'Summer | Shop',
        meta_description: 'Our summer picks',
      };
      const res = await create(shop, body).expect(201);
      expect(Object.keys(res.body).sort()).toEqual(CONTRACT_FIELDS);
      expect(res.body).toMatchObject({ ...body, merchant_id: shop.merchantId, product_count: 0 });
      expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);

      expect((await get(shop, res.body.id).expect(200)).body).toEqual(res.body);
      expect((await get(shop, slug).expect(200)).body).toEqual(res.body);
      expect((await get(shop, slug.toUpperCase()).expect(200)).body.id).toBe(res.body.id);
    });

    it('defaults the optional fields', async () => {
      const res = await create(shop, { slug: `plain-${tok()}`, name: 'Plain' }).expect(201);
      expect(res.body).toMatchObject({ description: null, image_url: null, cover_media_id: null, display_order: 0, meta_title: null, meta_description: null, product_count: 0 });
    });

    it.each([
      ['capitals and spaces', { slug: 'Summer Sale' }, 'slug'],
      ['an underscore', { slug: 'summer_sale' }, 'slug'],
      ['a leading dash', { slug: '-summer' }, 'slug'],
      ['a trailing dash', { slug: 'summer-' }, 'slug'],
      ['an empty slug', { slug: '' }, 'slug'],
      ['no slug', { slug: undefined }, 'slug'],
      ['a slug of 151 characters', { slug: 'a'.repeat(151) }, 'slug'],
      ['no name', { name: undefined }, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['an image_url that is not a URL', { image_url: 'summer.jpg' }, 'image_url'],
      ['a cover_media_id that is not a uuid', { cover_media_id: 'abc' }, 'cover_media_id'],
      ['a fractional display_order', { display_order: 1.5 }, 'display_order'],
      ['a null display_order', { display_order: null }, 'display_order'],
      ['a meta_title over 300 characters', { meta_title: 'x'.repeat(301) }, 'meta_title'],
    ])('POST refuses %s with 422 and creates nothing', async (_label, override, field) => {
      const before = (await t.http.get('/api/collections').set(shop.auth).expect(200)).body.total;
      const res = await create(shop, { slug: `ok-${tok()}`, name: 'Fine', ...override });
      expectRefused(res, 422, [field]);
      expect((await t.http.get('/api/collections').set(shop.auth).expect(200)).body.total).toBe(before);
    });

    it('refuses a slug with the shape of an id (collections are addressed by either)', async () => {
      expectRefused(await create(shop, { slug: randomUUID(), name: 'Sneaky' }), 422, ['slug']);
    });

    it('refuses a slug the store already uses with 409, on create and on update; another store may use it', async () => {
      const taken = await collection(shop);
      expectRefused(await create(shop, { slug: taken.slug, name: 'Twin' }), 409);

      const other = await collection(shop);
      expectRefused(await t.http.put(`/api/collections/${other.id}`).set(shop.auth).send({ slug: taken.slug, name: 'Renamed' }), 409);
      expect((await get(shop, other.id).expect(200)).body).toMatchObject({ slug: other.slug, name: other.name });

      await create(rival, { slug: taken.slug, name: 'Same slug, other store' }).expect(201);
    });

    it('PUT changes only the fields sent (by id or slug), null clears an optional field, and the name cannot be cleared', async () => {
      const c = await collection(shop, { description: 'Old', meta_title: 'Old title', display_order: 5 });
      const res = await t.http.put(`/api/collections/${c.slug}`).set(shop.auth).send({ name: 'New name', description: null }).expect(200);
      expect(res.body).toMatchObject({ id: c.id, slug: c.slug, name: 'New name', description: null, meta_title: 'Old title', display_order: 5 });
      expect((await get(shop, c.id).expect(200)).body).toEqual(res.body);

      const newSlug = `renamed-${tok()}`;
      await t.http.put(`/api/collections/${c.id}`).set(shop.auth).send({ slug: newSlug }).expect(200);
      await get(shop, newSlug).expect(200);
      expectRefused(await get(shop, c.slug), 404);

      expectRefused(await t.http.put(`/api/collections/${c.id}`).set(shop.auth).send({ name: null }), 422, ['name']);
      expectRefused(await t.http.put(`/api/collections/${c.id}`).set(shop.auth).send({ slug: 'Bad Slug' }), 422, ['slug']);
      expect((await get(shop, c.id).expect(200)).body.name).toBe('New name');
    });

    it('DELETE removes the collection with its memberships and translations; the products stay', async () => {
      const c = await collection(shop);
      const p = await product(shop);
      await attach(shop, c.id, [p]).expect(200);
      await t.http.post(`/api/collections/${c.id}/translations`).set(shop.auth).send({ language_code: 'fr', name: 'Été' }).expect(201);

      await t.http.delete(`/api/collections/${c.slug}`).set(shop.auth).expect(204);
      expectRefused(await get(shop, c.id), 404);
      expectRefused(await t.http.delete(`/api/collections/${c.id}`).set(shop.auth), 404);
      expect(await memberIds(c.id)).toEqual([]);
      expect(await t.dataSource.query('SELECT 1 FROM collection_translations WHERE collection_id = $1', [c.id])).toEqual([]);
      const productNow = await t.http.get(`/api/products/${p}`).set(shop.auth).expect(200);
      expect(productNow.body.collections).toEqual([]);
    });

    it('answers 404 for an unknown id, an unknown slug and a malformed one', async () => {
      for (const idOrSlug of [randomUUID(), `nope-${tok()}`, 'Not A Slug!']) {
        expectRefused(await get(shop, encodeURIComponent(idOrSlug)), 404);
        expectRefused(await t.http.put(`/api/collections/${encodeURIComponent(idOrSlug)}`).set(shop.auth).send({ name: 'x' }), 404);
      }
    });
  });

  describe('list', () => {
    it('orders by display_order then name, pages with limit+offset (or page+per_page), and counts live products per collection', async () => {
      const m = await registerMerchant(t, { approve: true, admin });
      const zeta = await collection(m, { name: 'Zeta', display_order: 1 });
      const alpha = await collection(m, { name: 'Alpha', display_order: 1 });
      const first = await collection(m, { name: 'Omega', display_order: 0 });
      const last = await collection(m, { name: 'Beta', display_order: 9 });
      const [p1, p2, p3] = [await product(m), await product(m), await product(m)];
      await attach(m, alpha.id, [p1, p2, p3]).expect(200);
      await attach(m, zeta.id, [p1]).expect(200);
      // Soft-deleted behind the API's back, so the membership stays: the count must still leave it out.
      await t.dataSource.query('UPDATE products SET deleted_at = now() WHERE id = $1', [p3]);

      const all = await t.http.get('/api/collections').set(m.auth).expect(200);
      expect(Object.keys(all.body).sort()).toEqual(['collections', 'limit', 'offset', 'total']);
      expect(all.body).toMatchObject({ total: 4, limit: 20, offset: 0 });
      expect(all.body.collections.map((c: CollectionDto) => c.id)).toEqual([first.id, alpha.id, zeta.id, last.id]);
      expect(all.body.collections.map((c: CollectionDto) => c.product_count)).toEqual([0, 2, 1, 0]);
      for (const c of all.body.collections) expect(Object.keys(c).sort()).toEqual(CONTRACT_FIELDS);

      const page = await t.http.get('/api/collections?limit=2&offset=1').set(m.auth).expect(200);
      expect(page.body).toMatchObject({ total: 4, limit: 2, offset: 1 });
      expect(page.body.collections.map((c: CollectionDto) => c.id)).toEqual([alpha.id, zeta.id]);

      const byPage = await t.http.get('/api/collections?page=2&per_page=3').set(m.auth).expect(200);
      expect(byPage.body).toMatchObject({ total: 4, limit: 3, offset: 3 });
      expect(byPage.body.collections.map((c: CollectionDto) => c.id)).toEqual([last.id]);

      expectRefused(await t.http.get('/api/collections?limit=101').set(m.auth), 422, ['limit']);
      expectRefused(await t.http.get('/api/collections?offset=-1').set(m.auth), 422, ['offset']);
    });

    it('counts products of a whole page in a fixed number of statements', async () => {
      const m = await registerMerchant(t, { approve: true, admin });
      const counter = new SqlStatementCounter(t).install();
      try {
        const statementsFor = async () => {
          const { response, statements } = await counter.request({ method: 'GET', url: '/api/collections?limit=100', headers: m.auth });
          expect(response.status).toBe(200);
          return statements.length;
        };
        const p = await product(m);
        await attach(m, (await collection(m)).id, [p]).expect(200);
        const few = await statementsFor();
        expect(few).toBeGreaterThan(0);
        for (let i = 0; i < 6; i++) await attach(m, (await collection(m)).id, [p]).expect(200);
        expect(await statementsFor()).toBe(few);
      } finally {
        counter.uninstall();
      }
    });
  });

  describe('membership', () => {
    it('attaches by id or slug, lists the products in attach order with the product views, and reports product_count', async () => {
      const c = await collection(shop);
      const [p1, p2, p3] = [await product(shop, 'First'), await product(shop, 'Second'), await product(shop, 'Third')];

      const res = await attach(shop, c.slug, [p2, p1]).expect(200);
      expect(res.body).toMatchObject({ id: c.id, product_count: 2 });
      await attach(shop, c.id, [p3]).expect(200);

      const list = await members(shop, c.id).expect(200);
      expect(Object.keys(list.body).sort()).toEqual(['products', 'total']);
      expect(list.body.total).toBe(3);
      expect(list.body.products.map((x: { id: string }) => x.id)).toEqual([p2, p1, p3]);
      expect(list.body.products[0]).toMatchObject({ id: p2, name: 'Second', price: '10.00', collections: [{ id: c.id, slug: c.slug, name: c.name }] });
      expect(list.body.products[0].variants).toBeUndefined();
      const withVariants = await members(shop, c.slug, '?include_variants=true').expect(200);
      expect(withVariants.body.products[0].variants).toHaveLength(1);

      expect((await get(shop, c.id).expect(200)).body.product_count).toBe(3);
    });

    it('is idempotent: attaching products already there keeps one membership each, where they were', async () => {
      const c = await collection(shop);
      const [p1, p2] = [await product(shop), await product(shop)];
      await attach(shop, c.id, [p1]).expect(200);
      const again = await attach(shop, c.id, [p2, p1, p1.toUpperCase(), p2]).expect(200);
      expect(again.body.product_count).toBe(2);
      expect(await memberIds(c.id)).toEqual([p1, p2]);

      const audits = await auditRows(t, { action: 'collection.add_products', entityId: c.id });
      expect(audits.map((a) => a.changes.product_ids.after)).toEqual([[p1], [p2]]);
      // Nothing new: no audit row, no version bump.
      const v = await version(shop.merchantId!);
      await attach(shop, c.id, [p1, p2]).expect(200);
      expect(await auditRows(t, { action: 'collection.add_products', entityId: c.id })).toHaveLength(2);
      expect(await version(shop.merchantId!)).toBe(v);
    });

    it('is all or nothing: one foreign, deleted, unknown or malformed id refuses the request, names the bad ids, and attaches none', async () => {
      const c = await collection(shop);
      const [mine, deleted] = [await product(shop), await product(shop)];
      await t.http.delete(`/api/products/${deleted}`).set(shop.auth).expect(204);
      const foreign = await product(rival);
      const unknown = randomUUID();

      for (const bad of [[foreign], [deleted], [unknown], ['not-an-id'], [foreign, unknown, 'not-an-id']]) {
        const res = await attach(shop, c.id, [mine, ...bad]);
        expectRefused(res, 422, ['product_ids']);
        expect(res.body.error.detail.product_ids).toEqual(bad);
        for (const id of bad) expect(res.body.error.message).toContain(id);
        expect(res.body.error.message).not.toContain(mine);
      }
      expect(await memberIds(c.id)).toEqual([]);
      expect((await get(shop, c.id).expect(200)).body.product_count).toBe(0);
      expect(await auditRows(t, { action: 'collection.add_products', entityId: c.id })).toEqual([]);
    });

    it('refuses an empty or missing product_ids', async () => {
      const c = await collection(shop);
      expectRefused(await attach(shop, c.id, []), 422, ['product_ids']);
      expectRefused(await t.http.post(`/api/collections/${c.id}/products`).set(shop.auth).send({}), 422, ['product_ids']);
      expectRefused(await t.http.post(`/api/collections/${c.id}/products`).set(shop.auth).send({ product_ids: [42] }), 422, ['product_ids']);
    });

    it('lists only live products and pages them with limit+offset', async () => {
      const c = await collection(shop);
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await product(shop, `Paged ${i}`));
      await attach(shop, c.id, ids).expect(200);
      await t.http.delete(`/api/products/${ids[1]}`).set(shop.auth).expect(204);
      // A deleted product whose membership was left behind is still not listed.
      await t.dataSource.query('UPDATE products SET deleted_at = now() WHERE id = $1', [ids[3]]);
      const live = [ids[0], ids[2], ids[4]];

      const all = await members(shop, c.id).expect(200);
      expect(all.body.total).toBe(3);
      expect(all.body.products.map((x: { id: string }) => x.id)).toEqual(live);

      const page = await members(shop, c.id, '?limit=1&offset=1').expect(200);
      expect(page.body).toMatchObject({ total: 3 });
      expect(page.body.products.map((x: { id: string }) => x.id)).toEqual([live[1]]);
      const byPage = await members(shop, c.id, '?page=2&per_page=2').expect(200);
      expect(byPage.body.products.map((x: { id: string }) => x.id)).toEqual([live[2]]);
      expect((await get(shop, c.id).expect(200)).body.product_count).toBe(3);
    });

    it('lists a page of products in a fixed number of statements, however many products', async () => {
      const counter = new SqlStatementCounter(t).install();
      try {
        const c = await collection(shop);
        const statementsFor = async () => {
          const { response, statements } = await counter.request({ method: 'GET', url: `/api/collections/${c.id}/products?limit=100&include_variants=true`, headers: shop.auth });
          expect(response.status).toBe(200);
          return statements.length;
        };
        await attach(shop, c.id, [await product(shop)]).expect(200);
        const one = await statementsFor();
        expect(one).toBeGreaterThan(0);
        const more = [];
        for (let i = 0; i < 8; i++) more.push(await product(shop));
        await attach(shop, c.id, more).expect(200);
        expect(await statementsFor()).toBe(one);
      } finally {
        counter.uninstall();
      }
    });

    it('DELETE …/products/{product_id} takes the product out; again is a no-op; another store\'s product is 404', async () => {
      const c = await collection(shop);
      const [p1, p2] = [await product(shop), await product(shop)];
      await attach(shop, c.id, [p1, p2]).expect(200);

      await t.http.delete(`/api/collections/${c.slug}/products/${p1}`).set(shop.auth).expect(204);
      expect(await memberIds(c.id)).toEqual([p2]);
      await t.http.delete(`/api/collections/${c.id}/products/${p1}`).set(shop.auth).expect(204);
      expect(await auditRows(t, { action: 'collection.remove_product', entityId: c.id })).toHaveLength(1);

      expectRefused(await t.http.delete(`/api/collections/${c.id}/products/${await product(rival)}`).set(shop.auth), 404);
      expectRefused(await t.http.delete(`/api/collections/${c.id}/products/${randomUUID()}`).set(shop.auth), 404);
      expect(await memberIds(c.id)).toEqual([p2]);
      expect((await get(shop, c.id).expect(200)).body.product_count).toBe(1);
    });
  });

  describe('audit and catalog version', () => {
    it('writes one audit row per mutation and bumps the store\'s catalog version', async () => {
      const m = await registerMerchant(t, { approve: true, admin });
      const v0 = await version(m.merchantId!);
      const c = await collection(m, { name: 'Audited' });
      const v1 = await version(m.merchantId!);
      const p = await product(m);
      await t.http.put(`/api/collections/${c.id}`).set(m.auth).send({ name: 'Audited 2' }).expect(200);
      const v2 = await version(m.merchantId!);
      await attach(m, c.id, [p]).expect(200);
      const v3 = await version(m.merchantId!);
      await t.http.delete(`/api/collections/${c.id}/products/${p}`).set(m.auth).expect(204);
      const v4 = await version(m.merchantId!);
      await t.http.delete(`/api/collections/${c.id}`).set(m.auth).expect(204);
      const v5 = await version(m.merchantId!);
      expect(v1).toBeGreaterThan(v0);
      expect(v2).toBeGreaterThan(v1);
      // Product creation bumps the version too (its own event), hence "greater", not "+1".
      expect(v3).toBeGreaterThan(v2);
      expect(v4).toBeGreaterThan(v3);
      expect(v5).toBeGreaterThan(v4);

      const rows = (await auditRows(t, { entityId: c.id })).filter((r) => r.action.startsWith('collection.'));
      expect(rows.map((r) => r.action)).toEqual(['collection.create', 'collection.update', 'collection.add_products', 'collection.remove_product', 'collection.delete']);
      for (const row of rows) expect(row).toMatchObject({ merchant_id: m.merchantId, actor_id: m.id, actor_role: 'merchant', entity_type: 'collection' });
      expect(rows[1].changes).toEqual({ name: { before: 'Audited', after: 'Audited 2' } });
      expect(rows[2].changes.product_ids.after).toEqual([p]);
      expect(rows[4].changes.slug).toEqual({ before: c.slug, after: null });
    });
  });

  describe('isolation between stores', () => {
    it('merchant B cannot read, list, change or delete A\'s collection, by id or slug (404), and A\'s collection is untouched', async () => {
      const a = await collection(shop, { name: 'A only' });
      const p = await product(shop);
      await attach(shop, a.id, [p]).expect(200);
      const before = (await get(shop, a.id).expect(200)).body;

      for (const ref of [a.id, a.slug]) {
        expectRefused(await get(rival, ref), 404);
        expectRefused(await t.http.put(`/api/collections/${ref}`).set(rival.auth).send({ name: 'Hijacked' }), 404);
        expectRefused(await t.http.delete(`/api/collections/${ref}`).set(rival.auth), 404);
        expectRefused(await members(rival, ref), 404);
        expectRefused(await t.http.delete(`/api/collections/${ref}/products/${p}`).set(rival.auth), 404);
      }
      const rivalList = await t.http.get('/api/collections?limit=100').set(rival.auth).expect(200);
      expect(rivalList.body.collections.map((c: CollectionDto) => c.id)).not.toContain(a.id);
      expect(rivalList.body.collections.every((c: CollectionDto) => c.merchant_id === rival.merchantId)).toBe(true);

      expect((await get(shop, a.id).expect(200)).body).toEqual(before);
      expect(await memberIds(a.id)).toEqual([p]);
    });

    it('merchant B cannot attach A\'s products to B\'s collection (422), nor B\'s products to A\'s collection (404)', async () => {
      const aCollection = await collection(shop);
      const aProduct = await product(shop);
      const bCollection = await collection(rival);
      const bProduct = await product(rival);

      const foreignProduct = await attach(rival, bCollection.id, [bProduct, aProduct]);
      expectRefused(foreignProduct, 422, ['product_ids']);
      expect(foreignProduct.body.error.detail.product_ids).toEqual([aProduct]);
      expect(await memberIds(bCollection.id)).toEqual([]);

      expectRefused(await attach(rival, aCollection.id, [bProduct]), 404);
      expectRefused(await attach(rival, aCollection.slug, [bProduct]), 404);
      expectRefused(await attach(rival, aCollection.id, [aProduct]), 404);
      expect(await memberIds(aCollection.id)).toEqual([]);
    });

    it('resolves a slug within the caller\'s own store when both stores use it', async () => {
      const slug = `shared-${tok()}`;
      const mine = await collection(shop, { slug, name: 'Mine' });
      const theirs = await collection(rival, { slug, name: 'Theirs' });
      expect((await get(shop, slug).expect(200)).body.id).toBe(mine.id);
      expect((await get(rival, slug).expect(200)).body.id).toBe(theirs.id);
      await t.http.put(`/api/collections/${slug}`).set(rival.auth).send({ name: 'Theirs 2' }).expect(200);
      expect((await get(shop, mine.id).expect(200)).body.name).toBe('Mine');
    });
  });

  describe('who may call', () => {
    it('refuses anonymous callers with 401 and customers with 403 on every collection route', async () => {
      const c = await collection(shop);
      const p = await product(shop);
      const routes: [string, string][] = [
        ['get', '/api/collections'],
        ['post', '/api/collections'],
        ['get', `/api/collections/${c.id}`],
        ['put', `/api/collections/${c.id}`],
        ['delete', `/api/collections/${c.id}`],
        ['get', `/api/collections/${c.id}/products`],
        ['post', `/api/collections/${c.id}/products`],
        ['delete', `/api/collections/${c.id}/products/${p}`],
      ];
      for (const [method, path] of routes) {
        const call = (headers: object = {}) => {
          const req = (t.http as any)[method](path).set(headers);
          return method === 'get' ? req : req.send({});
        };
        expectRefused(await call(), 401);
        expectRefused(await call(customer.auth), 403);
      }
      await get(shop, c.id).expect(200);
    });

    it('lets an admin act on a store named with merchant_id, and requires it', async () => {
      const created = await t.http.post(`/api/collections?merchant_id=${shop.merchantId}`).set(admin.auth).send({ slug: `admin-${tok()}`, name: 'By admin' }).expect(201);
      expect(created.body.merchant_id).toBe(shop.merchantId);
      await get(shop, created.body.id).expect(200);
      const list = await t.http.get(`/api/collections?merchant_id=${shop.merchantId}&limit=100`).set(admin.auth).expect(200);
      expect(list.body.collections.map((c: CollectionDto) => c.id)).toContain(created.body.id);

      expectRefused(await t.http.get('/api/collections').set(admin.auth), 422, ['merchant_id']);
      expectRefused(await t.http.get(`/api/collections/${created.body.id}?merchant_id=not-a-uuid`).set(admin.auth), 422, ['merchant_id']);
      expectRefused(await t.http.get(`/api/collections/${created.body.id}?merchant_id=${rival.merchantId}`).set(admin.auth), 404);
    });

    it('ignores merchant_id from a merchant: it always acts on its own store', async () => {
      const a = await collection(shop);
      expectRefused(await t.http.get(`/api/collections/${a.id}?merchant_id=${shop.merchantId}`).set(rival.auth), 404);
    });
  });
});
