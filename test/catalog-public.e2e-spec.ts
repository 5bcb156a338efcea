import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { REDIS_CLIENT } from '@app/common';
import { CatalogVersionService } from '../src/modules/catalog/catalog-version.service';
import { bootTestApp, TestApp } from './harness/app';
import { createProduct, insertCollection, setStoreCurrencies, tok } from './support/catalog';
import { createAdmin, registerMerchant, TestAccount } from './support/identity';
import { SqlStatementCounter } from './support/sql-statements';

type Item = Record<string, any>;
const ids = (items: Item[]) => items.map((i) => i.id).sort();
const byId = (items: Item[], id: string) => items.find((i) => i.id === id)!;

/** Polls until `check` holds (for the catalog version bump that follows a commit). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Public catalog: GET /api/public/products[/{id_or_handle}]', () => {
  let t: TestApp;
  let admin: TestAccount;
  /** ACTIVE, USD with EUR prices, default language en. */
  let shop: TestAccount;
  let shopSlug: string;
  /** Another ACTIVE store, with a product under the same handle as the shop's tee. */
  let rival: TestAccount;
  let summer: string;
  let winter: string;
  let categoryId: string;
  const p: Record<'tee' | 'mug' | 'draft' | 'inactive' | 'archived' | 'deleted' | 'rivalTee', Item> = {} as never;
  let counter: SqlStatementCounter;

  const list = (query: string, headers: Record<string, string> = {}) => t.http.get(`/api/public/products?${query}`).set(headers);
  const one = (idOrHandle: string, query = '', headers: Record<string, string> = {}) => t.http.get(`/api/public/products/${idOrHandle}?${query}`).set(headers);
  const versions = () => t.app.get(CatalogVersionService);

  async function insertTranslation(productId: string, merchantId: string, languageCode: string, fields: { name: string; description?: string; metaTitle?: string }) {
    await t.dataSource.query(
      `INSERT INTO product_translations (merchant_id, product_id, language_code, name, description, meta_title, variant_attributes_translations)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [merchantId, productId, languageCode, fields.name, fields.description ?? null, fields.metaTitle ?? null, JSON.stringify({ size: { label: 'Taille' } })],
    );
  }

  beforeAll(async () => {
    t = await bootTestApp();
    counter = new SqlStatementCounter(t).install();
    admin = await createAdmin(t);
    [shop, rival] = await Promise.all([registerMerchant(t, { approve: true, admin }), registerMerchant(t, { approve: true, admin })]);
    await setStoreCurrencies(t, shop, 'USD', ['USD', 'EUR']);
    shopSlug = (await t.http.get('/api/merchants/me').set(shop.auth).expect(200)).body.slug;
    summer = `summer-${tok()}`;
    winter = `winter-${tok()}`;
    categoryId = randomUUID();
    await insertCollection(t, shop.merchantId!, summer);
    await insertCollection(t, shop.merchantId!, winter);

    p.tee = await createProduct(t, shop, {
      name: 'Linen Tee',
      description: 'A light linen tee',
      price: '20.00',
      original_price: '25.00',
      cost_price: '8.00',
      status: 'active',
      tags: ['summer', 'linen'],
      collections: [summer],
      category_id: categoryId,
      meta_title: 'Linen tee',
      prices: [{ currency: 'EUR', price: '18.50', original_price: '23.00' }],
      variants: [
        { sku: `TEE-S-${tok()}`, attributes: { size: 'S' }, stock: 3 },
        { sku: `TEE-M-${tok()}`, attributes: { size: 'M' }, price: '22.00', prices: [{ currency: 'EUR', price: '20.00' }], stock: 2 },
        { sku: `TEE-L-${tok()}`, attributes: { size: 'L' }, status: 'inactive', stock: 50 },
      ],
    });
    p.mug = await createProduct(t, shop, { name: 'Stoneware Mug', price: '10.00', cost_price: '3.00', status: 'active', tags: ['kitchen'], collections: [winter], sku: `MUG-${tok()}` });
    p.draft = await createProduct(t, shop, { name: 'Draft Jacket', price: '99.00' });
    p.inactive = await createProduct(t, shop, { name: 'Inactive Scarf', price: '15.00', status: 'inactive' });
    p.archived = await createProduct(t, shop, { name: 'Archived Hat', price: '12.00', status: 'archived' });
    p.deleted = await createProduct(t, shop, { name: 'Deleted Sock', price: '5.00', status: 'active' });
    await t.http.delete(`/api/products/${p.deleted.id}`).set(shop.auth).expect(204);
    p.rivalTee = await createProduct(t, rival, { name: 'Linen Tee', price: '30.00', status: 'active' });
    expect(p.rivalTee.handle).toBe(p.tee.handle);

    await insertTranslation(p.tee.id, shop.merchantId!, 'fr', { name: 'T-shirt en lin', description: 'Un t-shirt léger', metaTitle: 'T-shirt lin' });
    await t.dataSource.query(`INSERT INTO product_images (merchant_id, product_id, url, position) VALUES ($1, $2, $3, 0)`, [
      shop.merchantId,
      p.tee.id,
      'https://cdn.example.com/tee.jpg',
    ]);
  });
  afterAll(async () => {
    counter?.uninstall();
    await t?.close();
  });

  describe('visibility', () => {
    it('lists only the active, live products of the named store', async () => {
      const res = await list(`merchant=${shop.merchantId}`).expect(200);
      expect(ids(res.body.items)).toEqual(ids([p.tee, p.mug]));
      expect(res.body).toMatchObject({ total: 2, page: 1, per_page: 20, has_next: false });
      expect(res.body.items.every((i: Item) => i.status === 'active' && i.merchant_id === shop.merchantId)).toBe(true);
    });

    it('answers 404 for draft, inactive, archived and deleted products, by id and by handle', async () => {
      for (const hidden of [p.draft, p.inactive, p.archived, p.deleted]) {
        await one(hidden.id).expect(404);
        await one(hidden.handle, `merchant=${shop.merchantId}`).expect(404);
      }
    });

    it('never mixes in another store: the rival lists only its own, and a shop id with the rival as merchant is 404', async () => {
      const res = await list(`merchant=${rival.merchantId}`).expect(200);
      expect(ids(res.body.items)).toEqual([p.rivalTee.id]);
      await one(p.tee.id, `merchant=${rival.merchantId}`).expect(404);
    });

    it('hides every product of a SUSPENDED or PENDING store (404), and shows them while ACTIVE', async () => {
      const suspended = await registerMerchant(t, { approve: true, admin });
      const pending = await registerMerchant(t, { approve: true, admin });
      const [a, b] = [
        await createProduct(t, suspended, { name: 'Tent', price: '100.00', status: 'active' }),
        await createProduct(t, pending, { name: 'Stove', price: '40.00', status: 'active' }),
      ];
      await list(`merchant=${suspended.merchantId}`).expect(200);
      await one(a.id).expect(200);

      await t.http.post(`/api/admin/merchants/${suspended.merchantId}/suspend`).set(admin.auth).send({}).expect(200);
      // No admin transition leads back to PENDING; a store in that state with active rows is set up directly.
      await t.dataSource.query(`UPDATE merchants SET status = 'PENDING' WHERE id = $1`, [pending.merchantId]);

      // The suspended store was seen moments ago and may still be remembered (for up to 30 s): its
      // list may answer 200, but empty, as products are filtered on the store status in SQL.
      const suspendedList = await list(`merchant=${suspended.merchantId}`);
      expect(suspendedList.status === 404 || (suspendedList.status === 200 && suspendedList.body.items.length === 0)).toBe(true);
      await list(`merchant=${pending.merchantId}`).expect(404);
      for (const [store, product] of [[suspended, a], [pending, b]] as const) {
        await one(product.id).expect(404);
        await one(product.handle, `merchant=${store.merchantId}`).expect(404);
      }
    });

    it('answers 404 for an unknown store and 422 without merchant=', async () => {
      await list(`merchant=${randomUUID()}`).expect(404);
      await list(`merchant=no-such-store-${tok()}`).expect(404);
      const missing = await list('').expect(422);
      expect(missing.body.error.code).toBe('ERR_VALIDATION');
      expect(Object.keys(missing.body.error.detail.fields)).toContain('merchant');
    });

    it('finds the store by slug as well as by id', async () => {
      const res = await list(`merchant=${shopSlug}`).expect(200);
      expect(ids(res.body.items)).toEqual(ids([p.tee, p.mug]));
    });

    it('never shows cost_price, in lists or single products', async () => {
      const listed = await list(`merchant=${shop.merchantId}&include_variants=true`).expect(200);
      const single = await one(p.tee.id).expect(200);
      for (const item of [...listed.body.items, single.body]) expect(item).not.toHaveProperty('cost_price');
      expect(listed.text).not.toContain('cost_price');
      expect(single.text).not.toContain('cost_price');
    });

    it('shows active variants only (in stock_quantity too), with images and collections on the single product', async () => {
      const single = await one(p.tee.id).expect(200);
      expect(single.body.variants.map((v: Item) => v.attributes.size)).toEqual(['S', 'M']);
      expect(single.body.stock_quantity).toBe(5);
      expect(single.body.collections).toEqual([expect.objectContaining({ slug: summer })]);
      expect(single.body.images).toEqual([expect.objectContaining({ url: 'https://cdn.example.com/tee.jpg', position: 1 })]);

      const listed = await list(`merchant=${shop.merchantId}&include_variants=true`).expect(200);
      expect(byId(listed.body.items, p.tee.id).variants).toHaveLength(2);
      const plain = await list(`merchant=${shop.merchantId}`).expect(200);
      expect(byId(plain.body.items, p.tee.id)).not.toHaveProperty('variants');
    });
  });

  describe('single product by id or handle', () => {
    it('finds by id alone, and by handle with merchant= (id or slug, any case)', async () => {
      expect((await one(p.tee.id).expect(200)).body.id).toBe(p.tee.id);
      expect((await one(p.tee.handle, `merchant=${shop.merchantId}`).expect(200)).body.id).toBe(p.tee.id);
      expect((await one(p.tee.handle.toUpperCase(), `merchant=${shopSlug}`).expect(200)).body.id).toBe(p.tee.id);
      expect((await one(p.tee.handle, `merchant=${rival.merchantId}`).expect(200)).body.id).toBe(p.rivalTee.id);
    });

    it('refuses a handle without merchant= (422: handles are unique per store only) and 404s unknown ones', async () => {
      const res = await one(p.tee.handle).expect(422);
      expect(Object.keys(res.body.error.detail.fields)).toEqual(['merchant']);
      await one(`no-such-${tok()}`, `merchant=${shop.merchantId}`).expect(404);
      await one(randomUUID()).expect(404);
    });
  });

  describe('language', () => {
    it('falls back fr-FR → fr and says which language each item is in', async () => {
      const res = await list(`merchant=${shop.merchantId}&locale=fr-FR`).expect(200);
      expect(res.body.locale).toBe('fr-FR');
      expect(byId(res.body.items, p.tee.id)).toMatchObject({
        name: 'T-shirt en lin',
        title: 'T-shirt en lin',
        description: 'Un t-shirt léger',
        meta_title: 'T-shirt lin',
        locale: 'fr',
        variant_attributes_translations: { size: { label: 'Taille' } },
      });
      // No translation: the store default language, the product's own text.
      expect(byId(res.body.items, p.mug.id)).toMatchObject({ name: 'Stoneware Mug', locale: 'en', variant_attributes_translations: null });
    });

    it('reads Accept-Language (first tag) when there is no ?locale=, and ?locale= wins over it', async () => {
      const header = await list(`merchant=${shop.merchantId}`, { 'Accept-Language': 'fr-CA,fr;q=0.9,en;q=0.5' }).expect(200);
      expect(header.body.locale).toBe('fr-CA');
      expect(byId(header.body.items, p.tee.id)).toMatchObject({ name: 'T-shirt en lin', locale: 'fr' });
      expect(header.headers.vary).toMatch(/Accept-Language/i);

      const both = await one(p.tee.id, 'locale=en', { 'Accept-Language': 'fr' }).expect(200);
      expect(both.body).toMatchObject({ name: 'Linen Tee', locale: 'en' });
    });

    it('falls back to the store default for a language without translations, and when none is asked for', async () => {
      const german = await one(p.tee.id, 'locale=de-DE').expect(200);
      expect(german.body).toMatchObject({ name: 'Linen Tee', description: 'A light linen tee', locale: 'en' });
      const none = await list(`merchant=${shop.merchantId}`).expect(200);
      expect(none.body.locale).toBe('en');
      expect(none.body.items.map((i: Item) => i.locale)).toEqual(['en', 'en']);
    });

    it('refuses a malformed ?locale= (422) but ignores a malformed Accept-Language', async () => {
      await list(`merchant=${shop.merchantId}&locale=${encodeURIComponent('fr_FR!')}`).expect(422);
      await list(`merchant=${shop.merchantId}`, { 'Accept-Language': '*;q=0.1' }).expect(200);
    });
  });

  describe('currency', () => {
    it('answers in EUR from the explicit prices, variants included, and keeps the own currency where there is none', async () => {
      const res = await list(`merchant=${shop.merchantId}&currency=eur&include_variants=true`).expect(200);
      expect(res.body.currency).toBe('EUR');
      const tee = byId(res.body.items, p.tee.id);
      expect(tee).toMatchObject({ price: '18.50', original_price: '23.00', currency: 'EUR' });
      // S inherits the product price, so the product's EUR price; M has its own EUR price.
      expect(tee.variants.map((v: Item) => [v.attributes.size, v.price, v.currency])).toEqual([
        ['S', '18.50', 'EUR'],
        ['M', '20.00', 'EUR'],
      ]);
      // The mug has no EUR price: it stays in USD and says so, rather than being converted.
      expect(byId(res.body.items, p.mug.id)).toMatchObject({ price: '10.00', currency: 'USD' });
    });

    it('answers in the product currency without ?currency=, and on the single product as well', async () => {
      const res = await list(`merchant=${shop.merchantId}`).expect(200);
      expect(res.body.currency).toBe('USD');
      expect(byId(res.body.items, p.tee.id)).toMatchObject({ price: '20.00', original_price: '25.00', currency: 'USD' });
      const single = await one(p.tee.id, 'currency=EUR').expect(200);
      expect(single.body).toMatchObject({ price: '18.50', currency: 'EUR' });
      const jpy = await one(p.tee.id, 'currency=JPY').expect(200);
      expect(jpy.body).toMatchObject({ price: '20.00', currency: 'USD' });
    });

    it('refuses an unknown or malformed currency with 422', async () => {
      for (const bad of ['XYZ', 'EURO', '12', 'XXX']) {
        const res = await list(`merchant=${shop.merchantId}&currency=${bad}`).expect(422);
        expect(Object.keys(res.body.error.detail.fields)).toContain('currency');
        await one(p.tee.id, `currency=${bad}`).expect(422);
      }
    });
  });

  describe('listing: filters, search, sorting, pagination', () => {
    it('pages with page/per_page and with limit/offset alike', async () => {
      const byName = `merchant=${shop.merchantId}&sort_by=name&sort_order=asc`;
      const second = await list(`${byName}&page=2&per_page=1`).expect(200);
      expect(second.body).toMatchObject({ total: 2, page: 2, per_page: 1, has_next: false });
      expect(second.body.items.map((i: Item) => i.name)).toEqual(['Stoneware Mug']);
      const first = await list(`${byName}&limit=1&offset=0`).expect(200);
      expect(first.body).toMatchObject({ total: 2, page: 1, per_page: 1, has_next: true });
      expect(first.body.items.map((i: Item) => i.name)).toEqual(['Linen Tee']);
      const viaOffset = await list(`${byName}&limit=1&offset=1`).expect(200);
      expect(viaOffset.body.items.map((i: Item) => i.id)).toEqual(second.body.items.map((i: Item) => i.id));
      await list(`${byName}&per_page=101`).expect(422);
    });

    it('filters by tags, collection(s), category and search, and ignores a status filter', async () => {
      const names = async (query: string) => (await list(`merchant=${shop.merchantId}&${query}`).expect(200)).body.items.map((i: Item) => i.name).sort();
      expect(await names('tags=Summer,linen')).toEqual(['Linen Tee']);
      expect(await names('tags=summer,kitchen')).toEqual([]);
      expect(await names(`collection=${summer}`)).toEqual(['Linen Tee']);
      expect(await names(`collections=${winter.toUpperCase()},${summer}`)).toEqual(['Linen Tee', 'Stoneware Mug']);
      expect(await names(`category_id=${categoryId}`)).toEqual(['Linen Tee']);
      expect(await names('search=stoneware')).toEqual(['Stoneware Mug']);
      expect(await names('search=ston')).toEqual(['Stoneware Mug']);
      expect(await names(`search=${encodeURIComponent(p.mug.sku)}`)).toEqual(['Stoneware Mug']);
      expect(await names('search=jacket')).toEqual([]);
      expect(await names('status=draft')).toEqual(['Linen Tee', 'Stoneware Mug']);
      expect(await names(`tags=summer&collection=${winter}`)).toEqual([]);
    });

    it('sorts by price both ways', async () => {
      const asc = await list(`merchant=${shop.merchantId}&sort_by=price&sort_order=asc`).expect(200);
      expect(asc.body.items.map((i: Item) => i.name)).toEqual(['Stoneware Mug', 'Linen Tee']);
      const desc = await list(`merchant=${shop.merchantId}&sort_by=price&sort_order=desc`).expect(200);
      expect(desc.body.items.map((i: Item) => i.name)).toEqual(['Linen Tee', 'Stoneware Mug']);
    });
  });

  describe('HTTP caching', () => {
    it('sends Cache-Control, Vary and an ETag on both routes', async () => {
      for (const res of [await list(`merchant=${shop.merchantId}`).expect(200), await one(p.tee.id).expect(200)]) {
        expect(res.headers['cache-control']).toBe('public, max-age=60, stale-while-revalidate=300');
        expect(res.headers.vary).toMatch(/Accept-Language/i);
        expect(res.headers.etag).toMatch(/^W\/".+"$/);
      }
    });

    it('answers a revalidation 304 with an empty body and no SQL at all, until the catalog changes', async () => {
      const query = `merchant=${shopSlug}&locale=fr&currency=EUR&include_variants=true`;
      const { response: first, statements: full } = await counter.get(`/api/public/products?${query}`);
      expect(first.status).toBe(200);
      expect(full.length).toBeGreaterThanOrEqual(1); // the counter does see this request's statements
      const etag = first.headers.etag;

      const { response, statements } = await counter.get(`/api/public/products?${query}`, { 'If-None-Match': etag });
      expect(response.status).toBe(304);
      expect(response.text).toBe('');
      expect(response.headers.etag).toBe(etag);
      expect(response.headers['cache-control']).toBe('public, max-age=60, stale-while-revalidate=300');
      expect(statements).toEqual([]);

      // Another language, currency or page is another representation.
      await list(`merchant=${shopSlug}&locale=en&currency=EUR&include_variants=true`, { 'If-None-Match': etag }).expect(200);
      await list(`${query}&page=2`, { 'If-None-Match': etag }).expect(200);
      // Weak comparison and lists of tags, as browsers and CDNs send them.
      await list(query, { 'If-None-Match': `"other", ${etag.replace(/^W\//, '')}` }).expect(304);

      const before = await versions().current(shop.merchantId!);
      await t.http.put(`/api/products/${p.mug.id}`).set(shop.auth).send({ description: 'Now dishwasher safe' }).expect(200);
      await eventually(async () => (await versions().current(shop.merchantId!)) !== before);
      const after = await list(query, { 'If-None-Match': etag }).expect(200);
      expect(after.headers.etag).not.toBe(etag);
      expect(byId(after.body.items, p.mug.id).description).toBe('Now dishwasher safe');
      await list(query, { 'If-None-Match': after.headers.etag }).expect(304);
    });

    it('revalidates a single product the same way, by id and by handle', async () => {
      const first = await one(p.tee.id, 'locale=fr').expect(200);
      const again = await one(p.tee.id, 'locale=fr', { 'If-None-Match': first.headers.etag }).expect(304);
      expect(again.text).toBe('');
      await one(p.tee.id, 'locale=en', { 'If-None-Match': first.headers.etag }).expect(200);

      const byHandle = await one(p.tee.handle, `merchant=${shop.merchantId}`).expect(200);
      await one(p.tee.handle, `merchant=${shop.merchantId}`, { 'If-None-Match': byHandle.headers.etag }).expect(304);

      const before = await versions().current(shop.merchantId!);
      await t.http.put(`/api/products/${p.tee.id}`).set(shop.auth).send({ meta_description: 'Breathable' }).expect(200);
      await eventually(async () => (await versions().current(shop.merchantId!)) !== before);
      const changed = await one(p.tee.id, 'locale=fr', { 'If-None-Match': first.headers.etag }).expect(200);
      expect(changed.headers.etag).not.toBe(first.headers.etag);
    });

    it('ends ETags and cached answers when stock changes: stock_quantity is never served stale', async () => {
      const query = `merchant=${shopSlug}&include_variants=true`;
      const first = await list(query).expect(200);
      const single = await one(p.mug.id).expect(200);
      const stock = byId(first.body.items, p.mug.id).stock_quantity;
      expect(single.body.stock_quantity).toBe(stock);
      await list(query, { 'If-None-Match': first.headers.etag }).expect(304);
      // Served again (from the API's answer cache): the same bytes, no SQL.
      const { response: again, statements } = await counter.get(`/api/public/products?${query}`);
      expect(again.text).toBe(first.text);
      expect(statements).toEqual([]);

      // The bump happens after the commit, so the very next request sees the new stock.
      await t.http.put(`/api/inventory/products/${p.mug.id}/stock`).set(shop.auth).send({ quantity: 4, reason: 'delivery' }).expect(200);
      const after = await list(query, { 'If-None-Match': first.headers.etag }).expect(200);
      expect(after.headers.etag).not.toBe(first.headers.etag);
      expect(byId(after.body.items, p.mug.id).stock_quantity).toBe(stock + 4);
      const singleAfter = await one(p.mug.id, '', { 'If-None-Match': single.headers.etag }).expect(200);
      expect(singleAfter.body.stock_quantity).toBe(stock + 4);
      await one(p.mug.id, '', { 'If-None-Match': singleAfter.headers.etag }).expect(304);
    });

    it('serves normally, without an ETag, when Redis cannot give the catalog version', async () => {
      const query = `merchant=${shop.merchantId}`;
      const etag = (await list(query).expect(200)).headers.etag;
      const redis = t.app.get<Redis>(REDIS_CLIENT);
      const get = jest.spyOn(redis, 'get').mockRejectedValue(new Error('Connection is closed.'));
      try {
        const listed = await list(query, { 'If-None-Match': etag }).expect(200);
        expect(listed.body.items).toHaveLength(2);
        expect(listed.headers.etag).toBeUndefined();
        expect(listed.headers['cache-control']).toBe('public, max-age=60, stale-while-revalidate=300');
        const single = await one(p.tee.id).expect(200);
        expect(single.headers.etag).toBeUndefined();
      } finally {
        get.mockRestore();
      }
      await list(query, { 'If-None-Match': etag }).expect(304);
    });

    it('does not let errors be cached publicly', async () => {
      const res = await list(`merchant=${randomUUID()}`).expect(404);
      expect(res.headers['cache-control'] ?? '').not.toContain('public');
    });
  });

  it('serves anonymous callers that send a stale token', async () => {
    await list(`merchant=${shop.merchantId}`, { Authorization: 'Bearer not-a-token' }).expect(200);
  });
});
