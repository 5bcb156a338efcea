import { createHash, randomUUID } from 'node:crypto';
import { bootTestApp, TestApp } from './harness/app';
import { bearerKey, createApiKey } from './support/api-keys';
import { allAuditText } from './support/audit';
import { createAdmin, registerCustomer, registerMerchant, TestAccount } from './support/identity';

const KEYS = '/api/merchant/api-keys';

describe('Merchant API keys', () => {
  let t: TestApp;
  let admin: TestAccount;
  let merchantA: TestAccount;
  let merchantB: TestAccount;

  beforeAll(async () => {
    t = await bootTestApp();
    admin = await createAdmin(t);
    [merchantA, merchantB] = await Promise.all([registerMerchant(t, { approve: true, admin }), registerMerchant(t)]);
  });
  afterAll(() => t?.close());

  describe('creating and listing', () => {
    it('returns the key once, with its prefix, and never again', async () => {
      const res = await t.http.post(KEYS).set(merchantA.auth).send({ name: 'Inventory sync', scopes: ['read', 'write'] }).expect(201);
      expect(res.body).toMatchObject({ id: expect.any(String), name: 'Inventory sync', mode: 'live', scopes: ['read', 'write'], last_used_at: null });
      expect(res.body.key).toMatch(/^ock_live_[A-Za-z0-9]{40,64}$/);
      expect(res.body.prefix).toBe(res.body.key.slice(0, 13));

      const list = await t.http.get(KEYS).set(merchantA.auth).expect(200);
      const listed = list.body.items.find((k: { id: string }) => k.id === res.body.id);
      expect(listed).toMatchObject({ id: res.body.id, name: 'Inventory sync', prefix: res.body.prefix, scopes: ['read', 'write'], mode: 'live' });
      expect(listed).not.toHaveProperty('key');
      expect(JSON.stringify(list.body)).not.toContain(res.body.key);
      expect(JSON.stringify(list.body)).not.toMatch(/key_?hash/i);
    });

    it('makes ock_test_ keys in test mode and defaults to the read scope', async () => {
      const key = await createApiKey(t, merchantA, { name: 'Sandbox', mode: 'test' });
      expect(key.key).toMatch(/^ock_test_[A-Za-z0-9]{40,64}$/);
      expect(key.prefix).toBe(key.key.slice(0, 13));
      expect(key).toMatchObject({ mode: 'test', scopes: ['read'] });
    });

    it('refuses bad input with 422', async () => {
      await t.http.post(KEYS).set(merchantA.auth).send({ scopes: ['read'] }).expect(422);
      await t.http.post(KEYS).set(merchantA.auth).send({ name: 'x', scopes: ['admin'] }).expect(422);
      await t.http.post(KEYS).set(merchantA.auth).send({ name: 'x', scopes: [] }).expect(422);
      await t.http.post(KEYS).set(merchantA.auth).send({ name: 'x', mode: 'prod' }).expect(422);
    });

    it('stores only a sha256 of the key: the secret is in no column', async () => {
      const key = await createApiKey(t, merchantA, { name: 'Hash check', scopes: ['read', 'write'] });
      const [row] = await t.dataSource.query('SELECT * FROM merchant_api_keys WHERE id = $1', [key.id]);
      expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.key_hash).toBe(createHash('sha256').update(key.key).digest('hex'));
      expect(row.prefix).toBe(key.prefix);
      expect(row.merchant_id).toBe(merchantA.merchantId);
      expect(row.created_by_user_id).toBe(merchantA.id);

      const rows: { row: string }[] = await t.dataSource.query('SELECT row_to_json(k)::text AS row FROM merchant_api_keys k');
      const everything = rows.map((r) => r.row).join('\n');
      expect(everything).not.toContain(key.key);
      expect(everything).not.toContain(key.key.slice(13)); // not even the secret part alone
      expect(await allAuditText(t)).not.toContain(key.key.slice(13));
    });
  });

  describe('authenticating with a key', () => {
    it('acts as its merchant through Authorization: Bearer and X-API-Key', async () => {
      const key = await createApiKey(t, merchantA, { scopes: ['read'] });
      const viaBearer = await t.http.get('/api/merchants/me').set(bearerKey(key.key)).expect(200);
      expect(viaBearer.body).toMatchObject({ id: merchantA.merchantId, email: merchantA.email });
      const viaHeader = await t.http.get('/api/merchants/me').set('X-API-Key', key.key).expect(200);
      expect(viaHeader.body.id).toBe(merchantA.merchantId);
      // A key acts on its own store even when it names another.
      const other = await t.http.get(`/api/merchants/me?merchant_id=${merchantB.merchantId}`).set('X-API-Key', key.key).expect(200);
      expect(other.body.id).toBe(merchantA.merchantId);
    });

    it('needs the write scope for anything but GET', async () => {
      const readOnly = await createApiKey(t, merchantA, { scopes: ['read'] });
      const readWrite = await createApiKey(t, merchantA, { scopes: ['read', 'write'] });

      const refused = await t.http.put('/api/merchants/me').set(bearerKey(readOnly.key)).send({ description: 'from a read key' }).expect(403);
      expect(refused.body.error).toMatchObject({ code: 'ERR_FORBIDDEN', detail: { required_scope: 'write' } });
      await t.http.post('/api/merchants/me/translations').set('X-API-Key', readOnly.key).send({ language_code: 'fr', name: 'x' }).expect(403);
      expect((await t.http.get('/api/merchants/me').set(merchantA.auth).expect(200)).body.description).not.toBe('from a read key');

      const allowed = await t.http.put('/api/merchants/me').set(bearerKey(readWrite.key)).send({ description: 'from a write key' }).expect(200);
      expect(allowed.body).toMatchObject({ id: merchantA.merchantId, description: 'from a write key' });
      expect((await t.http.get('/api/merchants/me').set(merchantA.auth).expect(200)).body.description).toBe('from a write key');
    });

    it('cannot manage keys, even with the write scope', async () => {
      const key = await createApiKey(t, merchantA, { scopes: ['read', 'write'] });
      for (const auth of [bearerKey(key.key), { 'X-API-Key': key.key }]) {
        expect((await t.http.post(KEYS).set(auth).send({ name: 'minted by a key', scopes: ['read', 'write'] })).status).toBe(403);
        expect((await t.http.get(KEYS).set(auth)).status).toBe(403);
        expect((await t.http.delete(`${KEYS}/${key.id}`).set(auth)).status).toBe(403);
      }
      const [{ count }] = await t.dataSource.query("SELECT count(*)::int AS count FROM merchant_api_keys WHERE name = 'minted by a key'");
      expect(count).toBe(0);
      await t.http.get('/api/merchants/me').set(bearerKey(key.key)).expect(200); // still valid
    });

    it('cannot use admin routes', async () => {
      const key = await createApiKey(t, merchantA, { scopes: ['read', 'write'] });
      await t.http.get('/api/admin/merchants').set(bearerKey(key.key)).expect(403);
      await t.http.post(`/api/admin/merchants/${merchantB.merchantId}/approve`).set(bearerKey(key.key)).send({}).expect(403);
    });

    it('answers 401 for a revoked key and for garbage keys', async () => {
      const key = await createApiKey(t, merchantA);
      await t.http.get('/api/merchants/me').set(bearerKey(key.key)).expect(200);
      const revoked = await t.http.delete(`${KEYS}/${key.id}`).set(merchantA.auth).expect(204);
      expect(revoked.text).toBe('');

      for (const auth of [bearerKey(key.key), { 'X-API-Key': key.key }]) {
        const res = await t.http.get('/api/merchants/me').set(auth).expect(401);
        expect(res.body.error.code).toBe('ERR_UNAUTHORIZED');
      }
      expect((await t.http.get(KEYS).set(merchantA.auth).expect(200)).body.items.map((k: { id: string }) => k.id)).not.toContain(key.id);
      // Revoking again changes nothing.
      await t.http.delete(`${KEYS}/${key.id}`).set(merchantA.auth).expect(204);

      const lookalike = `ock_live_${'x'.repeat(48)}`;
      for (const garbage of ['ock_live_xxx', lookalike, `${key.key.slice(0, -1)}Z`, 'ock_test_']) {
        expect((await t.http.get('/api/merchants/me').set(bearerKey(garbage))).status).toBe(401);
        expect((await t.http.get('/api/merchants/me').set('X-API-Key', garbage)).status).toBe(401);
      }
      expect((await t.http.get('/api/merchants/me').set('X-API-Key', 'not-even-a-key')).status).toBe(401);
    });

    it('records last_used_at once the key is used', async () => {
      const key = await createApiKey(t, merchantA);
      const before = await t.http.get(KEYS).set(merchantA.auth).expect(200);
      expect(before.body.items.find((k: { id: string }) => k.id === key.id).last_used_at).toBeNull();

      const usedAt = Date.now();
      await t.http.get('/api/merchants/me').set(bearerKey(key.key)).expect(200);
      // The write is fire-and-forget: poll briefly.
      let lastUsed: string | null = null;
      for (let i = 0; i < 40 && !lastUsed; i++) {
        const list = await t.http.get(KEYS).set(merchantA.auth).expect(200);
        lastUsed = list.body.items.find((k: { id: string }) => k.id === key.id).last_used_at;
        if (!lastUsed) await new Promise((r) => setTimeout(r, 50));
      }
      expect(lastUsed).not.toBeNull();
      expect(Math.abs(new Date(lastUsed!).getTime() - usedAt)).toBeLessThan(10_000);
    });
  });

  describe('tenancy and access', () => {
    it('merchant B cannot see or revoke merchant A\'s key (404, not 403)', async () => {
      const key = await createApiKey(t, merchantA, { name: 'A only' });
      const list = await t.http.get(KEYS).set(merchantB.auth).expect(200);
      expect(list.body.items.map((k: { id: string }) => k.id)).not.toContain(key.id);

      const res = await t.http.delete(`${KEYS}/${key.id}`).set(merchantB.auth).expect(404);
      expect(res.body.error.code).toBe('ERR_NOT_FOUND');
      await t.http.delete(`${KEYS}/${key.id}?merchant_id=${merchantA.merchantId}`).set(merchantB.auth).expect(404);

      const [row] = await t.dataSource.query('SELECT revoked_at FROM merchant_api_keys WHERE id = $1', [key.id]);
      expect(row.revoked_at).toBeNull();
      const me = await t.http.get('/api/merchants/me').set(bearerKey(key.key)).expect(200);
      expect(me.body.id).toBe(merchantA.merchantId);
    });

    it('answers 404 for an unknown or malformed key id', async () => {
      await t.http.delete(`${KEYS}/${randomUUID()}`).set(merchantA.auth).expect(404);
      await t.http.delete(`${KEYS}/not-a-uuid`).set(merchantA.auth).expect(404);
    });

    it('refuses customers (403) and anonymous callers (401)', async () => {
      const customer = await registerCustomer(t);
      await t.http.get(KEYS).set(customer.auth).expect(403);
      await t.http.post(KEYS).set(customer.auth).send({ name: 'x' }).expect(403);
      await t.http.delete(`${KEYS}/${randomUUID()}`).set(customer.auth).expect(403);

      await t.http.get(KEYS).expect(401);
      await t.http.post(KEYS).send({ name: 'x' }).expect(401);
      await t.http.delete(`${KEYS}/${randomUUID()}`).expect(401);
    });

    it('lets an admin manage a named store\'s keys and requires merchant_id', async () => {
      await t.http.post(KEYS).set(admin.auth).send({ name: 'no store' }).expect(422);
      const res = await t.http.post(`${KEYS}?merchant_id=${merchantB.merchantId}`).set(admin.auth).send({ name: 'Issued by admin' }).expect(201);
      const me = await t.http.get('/api/merchants/me').set(bearerKey(res.body.key)).expect(200);
      expect(me.body.id).toBe(merchantB.merchantId);
      const listB = await t.http.get(KEYS).set(merchantB.auth).expect(200);
      expect(listB.body.items.map((k: { id: string }) => k.id)).toContain(res.body.id);
    });
  });
});
