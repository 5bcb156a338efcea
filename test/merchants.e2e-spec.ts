import { randomBytes, randomUUID } from 'node:crypto';
import { bootTestApp, TestApp } from './harness/app';
import { createAdmin, registerCustomer, registerMerchant, TestAccount } from './support/identity';

const CONTRACT_FIELDS = [
  'id', 'name', 'slug', 'email', 'description', 'logo_url', 'logo_media_id', 'default_currency', 'primary_color', 'status',
  'origin_country_alpha2', 'origin_city', 'origin_postal_code', 'origin_line_1', 'origin_line_2', 'origin_state',
  'contact_name', 'contact_phone', 'contact_email', 'company_name', 'created_at',
];
const PUBLIC_FIELDS = ['id', 'name', 'slug', 'description', 'logo_url', 'default_currency', 'supported_currencies', 'default_locale', 'supported_locales', 'primary_color', 'locale'];
const PRIVATE_FIELDS = [
  'email', 'status', 'status_reason', 'contact_name', 'contact_phone', 'contact_email', 'company_name', 'origin_line_1',
  'origin_postal_code', 'owner_user_id', 'ownerUserId', 'created_at',
];

const token = () => randomBytes(4).toString('hex');

/** A complete store profile, as a merchant tool sends it on first-time setup. */
const fullProfile = (slug: string) => ({
  name: 'Acme Outdoor',
  slug,
  email: 'shop@acme.example',
  description: 'Tents and stoves',
  logo_url: 'https://cdn.example.com/acme.png',
  logo_media_id: randomUUID(),
  default_currency: 'EUR',
  primary_color: '#1a73e8',
  origin_country_alpha2: 'FR',
  origin_city: 'Lyon',
  origin_postal_code: '69002',
  origin_line_1: '1 Rue de la République',
  origin_line_2: 'Bât. B',
  origin_state: 'Rhône',
  contact_name: 'Ada Lovelace',
  contact_phone: '+33 4 00 00 00 00',
  contact_email: 'ada@acme.example',
  company_name: 'Acme SAS',
});

describe('Merchants: store profile, translations, status, public store', () => {
  let t: TestApp;
  let admin: TestAccount;
  let customer: TestAccount;

  beforeAll(async () => {
    t = await bootTestApp();
    [admin, customer] = await Promise.all([createAdmin(t), registerCustomer(t)]);
  });
  afterAll(() => t?.close());

  const approve = (id: string) => t.http.post(`/api/admin/merchants/${id}/approve`).set(admin.auth).send({});
  const reject = (id: string) => t.http.post(`/api/admin/merchants/${id}/reject`).set(admin.auth).send({ reason: 'Missing documents' });
  const suspend = (id: string) => t.http.post(`/api/admin/merchants/${id}/suspend`).set(admin.auth).send({});
  const publicStore = (idOrSlug: string, query = '') => t.http.get(`/api/public/stores/${idOrSlug}${query}`);

  describe('profile', () => {
    it('GET /api/merchants/me answers the contract fields of the caller\'s own store', async () => {
      const m = await registerMerchant(t);
      const res = await t.http.get('/api/merchants/me').set(m.auth).expect(200);
      for (const field of CONTRACT_FIELDS) expect(res.body).toHaveProperty(field);
      expect(res.body).toMatchObject({ id: m.merchantId, email: m.email, status: 'PENDING', default_currency: 'USD', description: null, contact_email: null });
      expect(res.body.slug).toMatch(/^shop-[0-9a-f]{6}/);
      expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);
    });

    it('POST sets up the whole profile and it persists', async () => {
      const m = await registerMerchant(t);
      const profile = fullProfile(`acme-${token()}`);
      const res = await t.http.post('/api/merchants/me').set(m.auth).send(profile).expect(200);
      expect(res.body).toMatchObject({ ...profile, id: m.merchantId, status: 'PENDING' });

      const again = await t.http.get('/api/merchants/me').set(m.auth).expect(200);
      expect(again.body).toMatchObject(profile);
      const [row] = await t.dataSource.query('SELECT name, slug, default_currency, contact_email, origin_line_1 FROM merchants WHERE id = $1', [m.merchantId]);
      expect(row).toEqual({ name: profile.name, slug: profile.slug, default_currency: 'EUR', contact_email: profile.contact_email, origin_line_1: profile.origin_line_1 });
    });

    it('PUT updates only the fields sent', async () => {
      const m = await registerMerchant(t);
      const profile = fullProfile(`partial-${token()}`);
      await t.http.post('/api/merchants/me').set(m.auth).send(profile).expect(200);

      const res = await t.http.put('/api/merchants/me').set(m.auth).send({ description: 'Now with kayaks', primary_color: '#00AA00', default_currency: 'gbp' }).expect(200);
      expect(res.body).toMatchObject({ ...profile, description: 'Now with kayaks', primary_color: '#00AA00', default_currency: 'GBP' });

      const again = await t.http.get('/api/merchants/me').set(m.auth).expect(200);
      expect(again.body).toMatchObject({ ...profile, description: 'Now with kayaks', primary_color: '#00AA00', default_currency: 'GBP' });
    });

    it.each([
      ['an unknown currency', { default_currency: 'XYZ' }, 'default_currency'],
      ['a colour that is not #rrggbb', { primary_color: 'blue' }, 'primary_color'],
      ['a short colour', { primary_color: '#12345' }, 'primary_color'],
      ['a slug with spaces and capitals', { slug: 'My Shop!' }, 'slug'],
      ['a slug with a trailing dash', { slug: 'shop-' }, 'slug'],
      ['a malformed contact email', { contact_email: 'not-an-email' }, 'contact_email'],
    ])('PUT refuses %s with 422 and changes nothing', async (_label, body, field) => {
      const m = await registerMerchant(t);
      const before = await t.http.get('/api/merchants/me').set(m.auth).expect(200);
      const res = await t.http.put('/api/merchants/me').set(m.auth).send(body).expect(422);
      expect(res.body.error.code).toBe('ERR_VALIDATION');
      expect(Object.keys(res.body.error.detail.fields)).toEqual([field]);
      const after = await t.http.get('/api/merchants/me').set(m.auth).expect(200);
      expect(after.body).toEqual(before.body);
    });

    it('POST (full setup) requires a name', async () => {
      const m = await registerMerchant(t);
      const { name: _name, ...withoutName } = fullProfile(`noname-${token()}`);
      const res = await t.http.post('/api/merchants/me').set(m.auth).send(withoutName).expect(422);
      expect(res.body.error.detail.fields.name).toBeDefined();
    });

    it('refuses a slug another store already uses with 409, and keeps its own slug', async () => {
      const [a, b] = await Promise.all([registerMerchant(t), registerMerchant(t)]);
      const slug = `taken-${token()}`;
      await t.http.put('/api/merchants/me').set(a.auth).send({ slug }).expect(200);
      const before = await t.http.get('/api/merchants/me').set(b.auth).expect(200);

      const res = await t.http.put('/api/merchants/me').set(b.auth).send({ slug, description: 'should not stick' }).expect(409);
      expect(res.body.error.code).toBe('ERR_CONFLICT');
      const after = await t.http.get('/api/merchants/me').set(b.auth).expect(200);
      expect(after.body).toEqual(before.body);

      // Re-sending its own slug is not a conflict.
      await t.http.put('/api/merchants/me').set(a.auth).send({ slug }).expect(200);
    });

    it('two stores racing for the same slug: one wins, the other gets 409 (not 500)', async () => {
      const [a, b] = await Promise.all([registerMerchant(t), registerMerchant(t)]);
      const slug = `race-${token()}`;
      const results = await Promise.all([a, b].map((m) => t.http.put('/api/merchants/me').set(m.auth).send({ slug })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM merchants WHERE slug = $1', [slug]);
      expect(count).toBe(1);
    });

    it('ignores unknown fields, including ones that would change status or ownership', async () => {
      const m = await registerMerchant(t);
      const res = await t.http
        .put('/api/merchants/me')
        .set(m.auth)
        .send({ name: 'Renamed', status: 'ACTIVE', id: randomUUID(), owner_user_id: randomUUID(), ownerUserId: randomUUID(), favourite_colour: 'teal' })
        .expect(200);
      expect(res.body).toMatchObject({ id: m.merchantId, name: 'Renamed', status: 'PENDING' });
      expect(res.body).not.toHaveProperty('favourite_colour');
      const [row] = await t.dataSource.query('SELECT id, status, owner_user_id FROM merchants WHERE id = $1', [m.merchantId]);
      expect(row).toEqual({ id: m.merchantId, status: 'PENDING', owner_user_id: m.id });
    });
  });

  describe('translations', () => {
    const base = '/api/merchants/me/translations';

    it('creates, lists, reads, replaces and deletes a translation', async () => {
      const m = await registerMerchant(t);
      const created = await t.http.post(base).set(m.auth).send({ language_code: 'fr', name: 'Acme Plein Air', description: 'Tentes' }).expect(201);
      expect(created.body).toMatchObject({ language_code: 'fr', name: 'Acme Plein Air', description: 'Tentes' });
      await t.http.post(base).set(m.auth).send({ language_code: 'de', name: 'Acme Draußen' }).expect(201);

      const list = await t.http.get(base).set(m.auth).expect(200);
      expect(list.body.map((x: { language_code: string }) => x.language_code)).toEqual(['de', 'fr']);
      expect(list.body.find((x: { language_code: string }) => x.language_code === 'de').description).toBeNull();

      const one = await t.http.get(`${base}/fr`).set(m.auth).expect(200);
      expect(one.body).toMatchObject({ language_code: 'fr', name: 'Acme Plein Air', description: 'Tentes' });

      const put = await t.http.put(`${base}/fr`).set(m.auth).send({ name: 'Acme Nature', description: 'Tentes et réchauds' }).expect(200);
      expect(put.body).toMatchObject({ language_code: 'fr', name: 'Acme Nature', description: 'Tentes et réchauds' });
      expect((await t.http.get(`${base}/fr`).set(m.auth).expect(200)).body.name).toBe('Acme Nature');
      const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM merchant_translations WHERE merchant_id = $1', [m.merchantId]);
      expect(count).toBe(2);

      const del = await t.http.delete(`${base}/fr`).set(m.auth).expect(204);
      expect(del.text).toBe('');
      await t.http.get(`${base}/fr`).set(m.auth).expect(404);
      expect((await t.http.get(base).set(m.auth).expect(200)).body.map((x: { language_code: string }) => x.language_code)).toEqual(['de']);
    });

    it('answers 404 for a language without a translation and 422 for a malformed code', async () => {
      const m = await registerMerchant(t);
      const missing = await t.http.get(`${base}/it`).set(m.auth).expect(404);
      expect(missing.body.error.code).toBe('ERR_NOT_FOUND');
      await t.http.delete(`${base}/it`).set(m.auth).expect(404);

      for (const bad of ['english', 'FR', 'f', 'fr_FR']) {
        const res = await t.http.get(`${base}/${bad}`).set(m.auth);
        expect([bad, res.status, res.body.error?.code]).toEqual([bad, 422, 'ERR_VALIDATION']);
      }
      await t.http.put(`${base}/xx!`).set(m.auth).send({ name: 'x' }).expect(422);
      await t.http.delete(`${base}/123`).set(m.auth).expect(422);
      await t.http.post(base).set(m.auth).send({ language_code: 'Français', name: 'x' }).expect(422);
      await t.http.post(base).set(m.auth).send({ name: 'no language' }).expect(422);
      await t.http.post(base).set(m.auth).send({ language_code: 'fr' }).expect(422); // name is required
      expect((await t.http.get(base).set(m.auth).expect(200)).body).toEqual([]);
    });

    it('acts on the caller\'s own store only', async () => {
      const [a, b] = await Promise.all([registerMerchant(t), registerMerchant(t)]);
      await t.http.post(base).set(a.auth).send({ language_code: 'fr', name: 'Chez A' }).expect(201);

      expect((await t.http.get(base).set(b.auth).expect(200)).body).toEqual([]);
      await t.http.get(`${base}/fr`).set(b.auth).expect(404);
      await t.http.delete(`${base}/fr`).set(b.auth).expect(404);
      // B's PUT creates B's own translation; A's stays as it was.
      await t.http.put(`${base}/fr`).set(b.auth).send({ name: 'Chez B' }).expect(200);
      expect((await t.http.get(`${base}/fr`).set(a.auth).expect(200)).body.name).toBe('Chez A');
      expect((await t.http.get(`${base}/fr`).set(b.auth).expect(200)).body.name).toBe('Chez B');
      // Even when a merchant names another store, it acts on its own.
      expect((await t.http.get(`${base}?merchant_id=${a.merchantId}`).set(b.auth).expect(200)).body.map((x: { name: string }) => x.name)).toEqual(['Chez B']);
    });
  });

  describe('status machine and the public store', () => {
    it('a new store is PENDING and not published, by id or slug', async () => {
      const m = await registerMerchant(t);
      const me = await t.http.get('/api/merchants/me').set(m.auth).expect(200);
      expect(me.body.status).toBe('PENDING');
      expect((await publicStore(m.merchantId!).expect(404)).body.error.code).toBe('ERR_NOT_FOUND');
      await publicStore(me.body.slug).expect(404);
    });

    it('approve publishes the store with its public fields only; suspend unpublishes it', async () => {
      const m = await registerMerchant(t);
      const profile = fullProfile(`public-${token()}`);
      await t.http.post('/api/merchants/me').set(m.auth).send(profile).expect(200);

      const approved = await approve(m.merchantId!).expect(200);
      expect(approved.body).toMatchObject({ id: m.merchantId, status: 'ACTIVE' });
      expect((await t.http.get('/api/merchants/me').set(m.auth).expect(200)).body.status).toBe('ACTIVE');

      const byId = await publicStore(m.merchantId!).expect(200);
      expect(Object.keys(byId.body).sort()).toEqual([...PUBLIC_FIELDS].sort());
      expect(byId.body).toMatchObject({
        id: m.merchantId,
        name: profile.name,
        slug: profile.slug,
        description: profile.description,
        logo_url: profile.logo_url,
        default_currency: 'EUR',
        primary_color: profile.primary_color,
        locale: 'en',
      });
      for (const field of PRIVATE_FIELDS) expect(byId.body).not.toHaveProperty(field);
      const text = JSON.stringify(byId.body);
      for (const secret of [profile.email, profile.contact_email, profile.contact_phone, profile.origin_line_1, m.email]) expect(text).not.toContain(secret);

      const bySlug = await publicStore(profile.slug).expect(200);
      expect(bySlug.body).toEqual(byId.body);

      const suspended = await suspend(m.merchantId!).expect(200);
      expect(suspended.body.status).toBe('SUSPENDED');
      await publicStore(m.merchantId!).expect(404);
      await publicStore(profile.slug).expect(404);

      // Approving a suspended store publishes it again.
      expect((await approve(m.merchantId!).expect(200)).body.status).toBe('ACTIVE');
      await publicStore(m.merchantId!).expect(200);
    });

    it('serves the translated name for locale=fr (query or Accept-Language)', async () => {
      const m = await registerMerchant(t, { approve: true, admin });
      await t.http.put('/api/merchants/me').set(m.auth).send({ name: 'Green Grocer', description: 'Fresh food' }).expect(200);
      await t.http.post('/api/merchants/me/translations').set(m.auth).send({ language_code: 'fr', name: 'Épicerie Verte', description: 'Produits frais' }).expect(201);

      const fr = await publicStore(m.merchantId!, '?locale=fr').expect(200);
      expect(fr.body).toMatchObject({ name: 'Épicerie Verte', description: 'Produits frais', locale: 'fr' });
      const header = await publicStore(m.merchantId!).set('Accept-Language', 'fr;q=0.9, en;q=0.5').expect(200);
      expect(header.body).toMatchObject({ name: 'Épicerie Verte', locale: 'fr' });

      const plain = await publicStore(m.merchantId!).expect(200);
      expect(plain.body).toMatchObject({ name: 'Green Grocer', description: 'Fresh food', locale: 'en' });
      // A language without a translation falls back to the store's own.
      const de = await publicStore(m.merchantId!, '?locale=de').expect(200);
      expect(de.body).toMatchObject({ name: 'Green Grocer', locale: 'en' });
      await publicStore(m.merchantId!, '?locale=not a locale').expect(422);
    });

    it('refuses transitions the machine does not allow with 409 ERR_CONFLICT', async () => {
      const m = await registerMerchant(t);
      await approve(m.merchantId!).expect(200);

      const twice = await approve(m.merchantId!).expect(409);
      expect(twice.body.error.code).toBe('ERR_CONFLICT');
      const rejectActive = await reject(m.merchantId!).expect(409);
      expect(rejectActive.body.error).toMatchObject({ code: 'ERR_CONFLICT', detail: { status: 'ACTIVE' } });
      expect((await t.http.get('/api/merchants/me').set(m.auth).expect(200)).body.status).toBe('ACTIVE');

      await suspend(m.merchantId!).expect(200);
      expect((await suspend(m.merchantId!).expect(409)).body.error.code).toBe('ERR_CONFLICT');
      expect((await reject(m.merchantId!).expect(409)).body.error.code).toBe('ERR_CONFLICT');
    });

    it('rejects a PENDING store, which stays unpublished', async () => {
      const m = await registerMerchant(t);
      const res = await reject(m.merchantId!).expect(200);
      expect(res.body).toMatchObject({ id: m.merchantId, status: 'REJECTED', status_reason: 'Missing documents' });
      await publicStore(m.merchantId!).expect(404);
      expect((await suspend(m.merchantId!).expect(409)).body.error.code).toBe('ERR_CONFLICT');
    });

    it('answers 404 for an unknown or malformed merchant id, never 500', async () => {
      for (const id of [randomUUID(), 'not-a-uuid', '12345', "1' OR '1'='1"]) {
        for (const action of ['approve', 'reject', 'suspend']) {
          const res = await t.http.post(`/api/admin/merchants/${encodeURIComponent(id)}/${action}`).set(admin.auth).send({});
          expect([id, action, res.status, res.body.error?.code]).toEqual([id, action, 404, 'ERR_NOT_FOUND']);
        }
        const store = await publicStore(encodeURIComponent(id));
        expect([id, store.status]).toEqual([id, 404]);
      }
      // A malformed merchant_id in a query is bad input (422), the same on every admin-scoped route.
      const me = await t.http.get('/api/merchants/me?merchant_id=not-a-uuid').set(admin.auth);
      expect([me.status, me.body.error?.code]).toEqual([422, 'ERR_VALIDATION']);
      const unknown = await t.http.get(`/api/merchants/me?merchant_id=${randomUUID()}`).set(admin.auth);
      expect(unknown.status).toBe(404);
    });

    it('admin list filters by status and search, with page/per_page', async () => {
      const tag = `zeta${token()}`;
      const pending = await Promise.all([1, 2, 3].map(() => registerMerchant(t, { businessName: `Shop ${tag} ${token()}` })));
      const active = await registerMerchant(t, { businessName: `Shop ${tag} active`, approve: true, admin });
      await registerMerchant(t, { businessName: 'Unrelated pending store' });

      const page1 = await t.http.get(`/api/admin/merchants?status=PENDING&search=${tag}&page=1&per_page=2`).set(admin.auth).expect(200);
      expect(page1.body).toMatchObject({ total: 3, page: 1, per_page: 2, has_next: true });
      expect(page1.body.items).toHaveLength(2);
      const page2 = await t.http.get(`/api/admin/merchants?status=PENDING&search=${tag}&page=2&per_page=2`).set(admin.auth).expect(200);
      expect(page2.body).toMatchObject({ total: 3, page: 2, per_page: 2, has_next: false });
      expect(page2.body.items).toHaveLength(1);

      const seen = [...page1.body.items, ...page2.body.items];
      expect(seen.map((x: { id: string }) => x.id).sort()).toEqual(pending.map((p) => p.merchantId).sort());
      for (const item of seen) {
        expect(item.status).toBe('PENDING');
        expect(item.name).toContain(tag);
        for (const field of CONTRACT_FIELDS) expect(item).toHaveProperty(field);
      }

      const activeOnly = await t.http.get(`/api/admin/merchants?status=active&search=${tag.toUpperCase()}`).set(admin.auth).expect(200);
      expect(activeOnly.body).toMatchObject({ total: 1, has_next: false });
      expect(activeOnly.body.items.map((x: { id: string }) => x.id)).toEqual([active.merchantId]);

      const everyStatus = await t.http.get(`/api/admin/merchants?search=${tag}`).set(admin.auth).expect(200);
      expect(everyStatus.body.total).toBe(4);
      // search matches the email too
      const byEmail = await t.http.get(`/api/admin/merchants?search=${encodeURIComponent(active.email)}`).set(admin.auth).expect(200);
      expect(byEmail.body.items.map((x: { id: string }) => x.id)).toEqual([active.merchantId]);

      await t.http.get('/api/admin/merchants?status=DELETED').set(admin.auth).expect(422);
      await t.http.get('/api/admin/merchants?per_page=1000').set(admin.auth).expect(422);
    });
  });

  describe('access', () => {
    it('a customer gets 403 on store and admin routes', async () => {
      const m = await registerMerchant(t);
      for (const [method, path] of [
        ['get', '/api/merchants/me'],
        ['put', '/api/merchants/me'],
        ['get', '/api/merchants/me/translations'],
        ['get', '/api/admin/merchants'],
        ['post', `/api/admin/merchants/${m.merchantId}/approve`],
      ] as const) {
        const res = await t.http[method](path).set(customer.auth).send({});
        expect([method, path, res.status, res.body.error?.code]).toEqual([method, path, 403, 'ERR_FORBIDDEN']);
      }
    });

    it('a merchant gets 403 on admin routes and cannot approve itself', async () => {
      const m = await registerMerchant(t);
      await t.http.get('/api/admin/merchants').set(m.auth).expect(403);
      await t.http.post(`/api/admin/merchants/${m.merchantId}/approve`).set(m.auth).send({}).expect(403);
      expect((await t.http.get('/api/merchants/me').set(m.auth).expect(200)).body.status).toBe('PENDING');
    });

    it('anonymous callers get 401', async () => {
      for (const [method, path] of [
        ['get', '/api/merchants/me'],
        ['put', '/api/merchants/me'],
        ['post', '/api/merchants/me/translations'],
        ['get', '/api/admin/merchants'],
        ['post', `/api/admin/merchants/${randomUUID()}/approve`],
      ] as const) {
        const res = await t.http[method](path).send({});
        expect([method, path, res.status, res.body.error?.code]).toEqual([method, path, 401, 'ERR_UNAUTHORIZED']);
      }
    });

    it('an admin must name the store with merchant_id', async () => {
      const m = await registerMerchant(t);
      const missing = await t.http.get('/api/merchants/me').set(admin.auth).expect(422);
      expect(missing.body.error.code).toBe('ERR_VALIDATION');
      expect(missing.body.error.detail.fields.merchant_id).toBeDefined();

      const named = await t.http.get(`/api/merchants/me?merchant_id=${m.merchantId}`).set(admin.auth).expect(200);
      expect(named.body).toMatchObject({ id: m.merchantId, email: m.email });
      await t.http.put(`/api/merchants/me?merchant_id=${m.merchantId}`).set(admin.auth).send({ company_name: 'Set by admin' }).expect(200);
      expect((await t.http.get('/api/merchants/me').set(m.auth).expect(200)).body.company_name).toBe('Set by admin');
      await t.http.get(`/api/merchants/me?merchant_id=${randomUUID()}`).set(admin.auth).expect(404);
    });
  });
});
