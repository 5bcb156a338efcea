import { randomUUID } from 'node:crypto';
import { CatalogVersionService } from '../src/modules/catalog/catalog-version.service';
import { bootTestApp, TestApp } from './harness/app';
import { auditRows } from './support/audit';
import { createProduct, tok } from './support/catalog';
import { createAdmin, registerCustomer, registerMerchant, TestAccount } from './support/identity';

type Res = { status: number; body: any };

const PRODUCT_TRANSLATION_FIELDS = ['language_code', 'name', 'description', 'meta_title', 'meta_description', 'variant_attributes_translations', 'created_at', 'updated_at'].sort();
const COLLECTION_TRANSLATION_FIELDS = ['language_code', 'name', 'description', 'meta_title', 'meta_description', 'created_at', 'updated_at'].sort();

describe('Catalog: translations and languages', () => {
  let t: TestApp;
  let admin: TestAccount;
  let customer: TestAccount;
  let shop: TestAccount;
  let rival: TestAccount;

  beforeAll(async () => {
    t = await bootTestApp();
    [admin, customer] = await Promise.all([createAdmin(t), registerCustomer(t)]);
    [shop, rival] = await Promise.all([registerMerchant(t, { approve: true, admin }), registerMerchant(t, { approve: true, admin })]);
    // A language the platform has retired: listed, but no longer offered for new translations.
    await t.dataSource.query(`INSERT INTO languages (code, name, native_name, is_active) VALUES ('eo', 'Esperanto', 'Esperanto', false)`);
  });
  afterAll(() => t?.close());

  const product = async (owner: TestAccount) => (await createProduct(t, owner, { name: `Product ${tok()}`, price: '10.00', variants: [{ attributes: { color: 'red' } }] })).id;
  async function collection(owner: TestAccount): Promise<{ id: string; slug: string }> {
    const res = await t.http.post('/api/collections').set(owner.auth).send({ slug: `col-${tok()}`, name: 'Summer' });
    if (res.status !== 201) throw new Error(`collection create failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  const version = (merchantId: string) => t.app.get(CatalogVersionService).current(merchantId).then(Number);

  function expectRefused(res: Res, status: number, fields: string[] = []) {
    expect([res.status, res.body.success]).toEqual([status, false]);
    expect(res.body.error.code).toBe({ 401: 'ERR_UNAUTHORIZED', 403: 'ERR_FORBIDDEN', 404: 'ERR_NOT_FOUND', 409: 'ERR_CONFLICT', 422: 'ERR_VALIDATION' }[status]);
    for (const field of fields) expect(Object.keys(res.body.error.detail.fields)).toContain(field);
  }

  describe('GET /api/languages', () => {
    it('is public and lists every language with the contract fields, retired ones included', async () => {
      const res = await t.http.get('/api/languages').expect(200);
      expect(Object.keys(res.body)).toEqual(['languages']);
      const byCode = new Map(res.body.languages.map((l: { code: string }) => [l.code, l]));
      for (const code of ['en-US', 'zh-CN', 'ja-JP', 'fr']) expect(byCode.get(code)).toMatchObject({ code, is_active: true });
      expect(byCode.get('zh-CN')).toEqual({ code: 'zh-CN', name: 'Chinese (Simplified)', native_name: '简体中文', is_active: true });
      expect(byCode.get('eo')).toMatchObject({ is_active: false });
      expect(res.headers['cache-control']).toContain('max-age');
    });

    it('active_only=true leaves out retired languages; a non-boolean is refused', async () => {
      const res = await t.http.get('/api/languages?active_only=true').expect(200);
      expect(res.body.languages.length).toBeGreaterThanOrEqual(30);
      expect(res.body.languages.every((l: { is_active: boolean }) => l.is_active)).toBe(true);
      expect(res.body.languages.map((l: { code: string }) => l.code)).not.toContain('eo');
      expect((await t.http.get('/api/languages?active_only=false').expect(200)).body.languages.map((l: { code: string }) => l.code)).toContain('eo');
      expectRefused(await t.http.get('/api/languages?active_only=maybe'), 422, ['active_only']);
    });
  });

  describe('product translations', () => {
    const base = (productId: string) => `/api/products/${productId}/translations`;

    it('POST adds a language with every field, GET lists and reads it', async () => {
      const p = await product(shop);
      const body = {
        language_code: 'fr',
        name: 'T-shirt mérinos',
        description: 'Laine douce',
        meta_title: 'T-shirt | Boutique',
        meta_description: 'Le plus doux',
        variant_attributes_translations: { Color: { label: 'Couleur', values: { red: 'Rouge' } } },
      };
      const res = await t.http.post(base(p)).set(shop.auth).send(body).expect(201);
      expect(Object.keys(res.body).sort()).toEqual(PRODUCT_TRANSLATION_FIELDS);
      // Attribute names are normalized like variant attributes are (lower-case), so the labels line up.
      expect(res.body).toMatchObject({ ...body, variant_attributes_translations: { color: { label: 'Couleur', values: { red: 'Rouge' } } } });

      await t.http.post(base(p)).set(shop.auth).send({ language_code: 'ja-JP', name: 'メリノTシャツ' }).expect(201);
      const list = await t.http.get(base(p)).set(shop.auth).expect(200);
      expect(list.body.total).toBe(2);
      expect(list.body.items.map((x: { language_code: string }) => x.language_code)).toEqual(['fr', 'ja-JP']);
      expect((await t.http.get(`${base(p)}/fr`).set(shop.auth).expect(200)).body).toEqual(res.body);
      expect((await t.http.get(`${base(p)}/ja-JP`).set(shop.auth).expect(200)).body).toMatchObject({ name: 'メリノTシャツ', description: null, variant_attributes_translations: null });
    });

    it('POST of a language the product already has is 409 and changes nothing', async () => {
      const p = await product(shop);
      await t.http.post(base(p)).set(shop.auth).send({ language_code: 'de', name: 'Hemd' }).expect(201);
      expectRefused(await t.http.post(base(p)).set(shop.auth).send({ language_code: 'de', name: 'Anderes Hemd' }), 409);
      expect((await t.http.get(`${base(p)}/de`).set(shop.auth).expect(200)).body.name).toBe('Hemd');
    });

    it('PUT creates the language when missing and replaces it when present', async () => {
      const p = await product(shop);
      const created = await t.http.put(`${base(p)}/zh-CN`).set(shop.auth).send({ name: '美利奴T恤', description: '柔软' }).expect(200);
      expect(created.body).toMatchObject({ language_code: 'zh-CN', name: '美利奴T恤', description: '柔软' });

      const replaced = await t.http.put(`${base(p)}/zh-CN`).set(shop.auth).send({ language_code: 'zh-CN', name: '新名字', meta_title: '标题' }).expect(200);
      expect(replaced.body).toMatchObject({ language_code: 'zh-CN', name: '新名字', description: null, meta_title: '标题' });
      expect((await t.http.get(base(p)).set(shop.auth).expect(200)).body.total).toBe(1);
    });

    it('DELETE removes a language; a missing one is 404', async () => {
      const p = await product(shop);
      await t.http.put(`${base(p)}/fr`).set(shop.auth).send({ name: 'Produit' }).expect(200);
      await t.http.delete(`${base(p)}/fr`).set(shop.auth).expect(204);
      expectRefused(await t.http.get(`${base(p)}/fr`).set(shop.auth), 404);
      expectRefused(await t.http.delete(`${base(p)}/fr`).set(shop.auth), 404);
    });

    it('accepts a code in any letter case and stores the languages table\'s spelling', async () => {
      const p = await product(shop);
      const res = await t.http.post(base(p)).set(shop.auth).send({ language_code: 'en-us', name: 'Shirt' }).expect(201);
      expect(res.body.language_code).toBe('en-US');
      await t.http.get(`${base(p)}/en-US`).set(shop.auth).expect(200);
      await t.http.get(`${base(p)}/en-us`).set(shop.auth).expect(200);
    });

    it.each([
      ['a malformed code', { language_code: 'english', name: 'x' }, 'language_code'],
      ['an upper-case primary subtag', { language_code: 'EN', name: 'x' }, 'language_code'],
      ['a well-formed code that is not a language of the table', { language_code: 'xx', name: 'x' }, 'language_code'],
      ['a retired language', { language_code: 'eo', name: 'x' }, 'language_code'],
      ['no language_code', { name: 'x' }, 'language_code'],
      ['no name', { language_code: 'fr' }, 'name'],
      ['an empty name', { language_code: 'fr', name: '' }, 'name'],
      ['a meta_description over 1000 characters', { language_code: 'fr', name: 'x', meta_description: 'y'.repeat(1001) }, 'meta_description'],
      ['attribute labels that are not an object', { language_code: 'fr', name: 'x', variant_attributes_translations: 'Couleur' }, 'variant_attributes_translations'],
      ['an attribute value label that is not a string', { language_code: 'fr', name: 'x', variant_attributes_translations: { color: { values: { red: 1 } } } }, 'variant_attributes_translations.color.values.red'],
      ['an unknown key in attribute labels', { language_code: 'fr', name: 'x', variant_attributes_translations: { color: { title: 'Couleur' } } }, 'variant_attributes_translations.color'],
    ])('POST refuses %s with 422 and writes nothing', async (_label, body, field) => {
      const p = await product(shop);
      expectRefused(await t.http.post(base(p)).set(shop.auth).send(body), 422, [field]);
      expect((await t.http.get(base(p)).set(shop.auth).expect(200)).body.total).toBe(0);
    });

    it('PUT refuses an unknown or malformed language in the path, and a body language that disagrees with it', async () => {
      const p = await product(shop);
      expectRefused(await t.http.put(`${base(p)}/xx`).set(shop.auth).send({ name: 'x' }), 422, ['lang']);
      expectRefused(await t.http.put(`${base(p)}/not_a_code`).set(shop.auth).send({ name: 'x' }), 422, ['lang']);
      expectRefused(await t.http.put(`${base(p)}/fr`).set(shop.auth).send({ language_code: 'de', name: 'x' }), 422, ['language_code']);
      expectRefused(await t.http.get(`${base(p)}/xx`).set(shop.auth), 422, ['lang']);
      expect((await t.http.get(base(p)).set(shop.auth).expect(200)).body.total).toBe(0);
    });

    it('needs a live product of the caller\'s store: deleted, unknown and other stores\' products are 404', async () => {
      const deleted = await product(shop);
      await t.http.put(`${base(deleted)}/fr`).set(shop.auth).send({ name: 'Produit' }).expect(200);
      await t.http.delete(`/api/products/${deleted}`).set(shop.auth).expect(204);
      for (const id of [deleted, randomUUID(), 'not-a-uuid']) {
        expectRefused(await t.http.get(base(id)).set(shop.auth), 404);
        expectRefused(await t.http.post(base(id)).set(shop.auth).send({ language_code: 'de', name: 'x' }), 404);
        expectRefused(await t.http.put(`${base(id)}/fr`).set(shop.auth).send({ name: 'x' }), 404);
      }
    });

    it('writes audit rows and bumps the catalog version on each mutation', async () => {
      const m = await registerMerchant(t, { approve: true, admin });
      const p = await product(m);
      const v0 = await version(m.merchantId!);
      await t.http.post(base(p)).set(m.auth).send({ language_code: 'fr', name: 'Un' }).expect(201);
      const v1 = await version(m.merchantId!);
      await t.http.put(`${base(p)}/fr`).set(m.auth).send({ name: 'Deux' }).expect(200);
      const v2 = await version(m.merchantId!);
      await t.http.delete(`${base(p)}/fr`).set(m.auth).expect(204);
      const v3 = await version(m.merchantId!);
      // Increasing rather than +1 each: the product's own created event may bump it in between.
      expect(v1).toBeGreaterThan(v0);
      expect(v2).toBeGreaterThan(v1);
      expect(v3).toBeGreaterThan(v2);

      const rows = await auditRows(t, { entityId: `${p}:fr` });
      expect(rows.map((r) => r.action)).toEqual(['product_translation.create', 'product_translation.update', 'product_translation.delete']);
      for (const row of rows) expect(row).toMatchObject({ merchant_id: m.merchantId, actor_id: m.id, entity_type: 'product_translation' });
      expect(rows[1].changes.name).toEqual({ before: 'Un', after: 'Deux' });
      expect(rows[2].changes.name).toEqual({ before: 'Deux', after: null });
    });
  });

  describe('collection translations', () => {
    const base = (idOrSlug: string) => `/api/collections/${idOrSlug}/translations`;

    it('go through the same lifecycle, addressed by collection id or slug', async () => {
      const c = await collection(shop);
      const body = { language_code: 'fr', name: 'Été', description: 'Pour la plage', meta_title: 'Été | Boutique', meta_description: 'Nos choix' };
      const created = await t.http.post(base(c.slug)).set(shop.auth).send(body).expect(201);
      expect(Object.keys(created.body).sort()).toEqual(COLLECTION_TRANSLATION_FIELDS);
      expect(created.body).toMatchObject(body);

      expectRefused(await t.http.post(base(c.id)).set(shop.auth).send({ language_code: 'fr', name: 'Encore' }), 409);
      expect((await t.http.get(`${base(c.id)}/fr`).set(shop.auth).expect(200)).body).toEqual(created.body);

      const replaced = await t.http.put(`${base(c.id)}/fr`).set(shop.auth).send({ name: 'Été 2' }).expect(200);
      expect(replaced.body).toMatchObject({ language_code: 'fr', name: 'Été 2', description: null });
      await t.http.put(`${base(c.slug)}/ja-JP`).set(shop.auth).send({ name: '夏' }).expect(200);

      const list = await t.http.get(base(c.slug)).set(shop.auth).expect(200);
      expect(list.body).toMatchObject({ total: 2 });
      expect(list.body.items.map((x: { language_code: string; name: string }) => [x.language_code, x.name])).toEqual([['fr', 'Été 2'], ['ja-JP', '夏']]);

      await t.http.delete(`${base(c.slug)}/ja-JP`).set(shop.auth).expect(204);
      expectRefused(await t.http.get(`${base(c.id)}/ja-JP`).set(shop.auth), 404);

      const rows = await auditRows(t, { entityId: `${c.id}:fr` });
      expect(rows.map((r) => r.action)).toEqual(['collection_translation.create', 'collection_translation.update']);
    });

    it('validates the language like product translations do', async () => {
      const c = await collection(shop);
      expectRefused(await t.http.post(base(c.id)).set(shop.auth).send({ language_code: 'xx', name: 'x' }), 422, ['language_code']);
      expectRefused(await t.http.post(base(c.id)).set(shop.auth).send({ language_code: 'fr-', name: 'x' }), 422, ['language_code']);
      expectRefused(await t.http.put(`${base(c.id)}/eo`).set(shop.auth).send({ name: 'x' }), 422, ['lang']);
      expectRefused(await t.http.post(base(c.id)).set(shop.auth).send({ language_code: 'fr' }), 422, ['name']);
      expect((await t.http.get(base(c.id)).set(shop.auth).expect(200)).body.total).toBe(0);
    });

    it('bumps the catalog version on each mutation', async () => {
      const m = await registerMerchant(t, { approve: true, admin });
      const c = await collection(m);
      const v0 = await version(m.merchantId!);
      await t.http.post(base(c.id)).set(m.auth).send({ language_code: 'fr', name: 'Un' }).expect(201);
      const v1 = await version(m.merchantId!);
      await t.http.put(`${base(c.id)}/fr`).set(m.auth).send({ name: 'Deux' }).expect(200);
      const v2 = await version(m.merchantId!);
      await t.http.delete(`${base(c.id)}/fr`).set(m.auth).expect(204);
      const v3 = await version(m.merchantId!);
      expect(v1).toBeGreaterThan(v0);
      expect(v2).toBeGreaterThan(v1);
      expect(v3).toBeGreaterThan(v2);
    });
  });

  describe('isolation between stores', () => {
    it('merchant B cannot read, add, change or delete translations of A\'s products or collections (404), and they stay as they were', async () => {
      const p = await product(shop);
      const c = await collection(shop);
      await t.http.post(`/api/products/${p}/translations`).set(shop.auth).send({ language_code: 'fr', name: 'Produit A' }).expect(201);
      await t.http.post(`/api/collections/${c.id}/translations`).set(shop.auth).send({ language_code: 'fr', name: 'Collection A' }).expect(201);

      for (const base of [`/api/products/${p}/translations`, `/api/collections/${c.id}/translations`, `/api/collections/${c.slug}/translations`]) {
        expectRefused(await t.http.get(base).set(rival.auth), 404);
        expectRefused(await t.http.post(base).set(rival.auth).send({ language_code: 'de', name: 'Hijack' }), 404);
        expectRefused(await t.http.get(`${base}/fr`).set(rival.auth), 404);
        expectRefused(await t.http.put(`${base}/fr`).set(rival.auth).send({ name: 'Hijack' }), 404);
        expectRefused(await t.http.delete(`${base}/fr`).set(rival.auth), 404);
      }

      const productTranslations = await t.http.get(`/api/products/${p}/translations`).set(shop.auth).expect(200);
      expect(productTranslations.body.items.map((x: { language_code: string; name: string }) => [x.language_code, x.name])).toEqual([['fr', 'Produit A']]);
      const collectionTranslations = await t.http.get(`/api/collections/${c.id}/translations`).set(shop.auth).expect(200);
      expect(collectionTranslations.body.items.map((x: { language_code: string; name: string }) => [x.language_code, x.name])).toEqual([['fr', 'Collection A']]);
      const [{ count }] = await t.dataSource.query(
        `SELECT (SELECT count(*) FROM product_translations WHERE merchant_id = $1) + (SELECT count(*) FROM collection_translations WHERE merchant_id = $1) AS count`,
        [rival.merchantId],
      );
      expect(Number(count)).toBe(0);
    });
  });

  describe('who may call', () => {
    it('refuses anonymous callers with 401 and customers with 403 on every translation route', async () => {
      const p = await product(shop);
      const c = await collection(shop);
      const routes: [string, string][] = [];
      for (const base of [`/api/products/${p}/translations`, `/api/collections/${c.id}/translations`]) {
        routes.push(['get', base], ['post', base], ['get', `${base}/fr`], ['put', `${base}/fr`], ['delete', `${base}/fr`]);
      }
      for (const [method, path] of routes) {
        const call = (headers: object = {}) => {
          const req = (t.http as any)[method](path).set(headers);
          return method === 'get' ? req : req.send({ language_code: 'fr', name: 'x' });
        };
        expectRefused(await call(), 401);
        expectRefused(await call(customer.auth), 403);
      }
      expect((await t.http.get(`/api/products/${p}/translations`).set(shop.auth).expect(200)).body.total).toBe(0);
    });

    it('lets an admin act on a store named with merchant_id', async () => {
      const p = await product(shop);
      await t.http.put(`/api/products/${p}/translations/fr?merchant_id=${shop.merchantId}`).set(admin.auth).send({ name: 'Par admin' }).expect(200);
      expect((await t.http.get(`/api/products/${p}/translations/fr`).set(shop.auth).expect(200)).body.name).toBe('Par admin');
      expectRefused(await t.http.get(`/api/products/${p}/translations`).set(admin.auth), 422, ['merchant_id']);
    });
  });
});
