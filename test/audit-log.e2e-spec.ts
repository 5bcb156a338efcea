import { randomBytes, randomUUID } from 'node:crypto';
import { bootTestApp, TestApp } from './harness/app';
import { bearerKey, createApiKey, CreatedApiKey } from './support/api-keys';
import { allAuditText, AuditRow, auditRows, onlyAuditRow } from './support/audit';
import { createAdmin, login, registerCustomer, registerMerchant, STRONG_PASSWORD, TestAccount } from './support/identity';

const LOCALHOST = /^(::ffff:)?127\.0\.0\.1$|^::1$/;

interface AuditItem {
  id: string;
  merchant_id: string | null;
  action: string;
  entity_type: string;
  created_at: string;
}

describe('Audit log', () => {
  let t: TestApp;
  let admin: TestAccount;
  let merchantA: TestAccount;
  let merchantB: TestAccount;
  /** Every secret handed out in this file, to prove none reaches audit_logs. */
  const secrets: string[] = [];

  beforeAll(async () => {
    t = await bootTestApp();
    admin = await createAdmin(t);
    [merchantA, merchantB] = await Promise.all([registerMerchant(t, { approve: true, admin }), registerMerchant(t, { approve: true, admin })]);
    for (const account of [admin, merchantA, merchantB]) secrets.push(account.token, account.refreshToken);
  });
  afterAll(() => t?.close());

  /** The actor, request id and ip every entry written by an HTTP request carries. */
  function expectWrittenBy(row: AuditRow, requestId: string, actor: { type: 'user' | 'api_key'; id: string; role: string }) {
    expect(row).toMatchObject({ actor_type: actor.type, actor_id: actor.id, actor_role: actor.role, request_id: requestId });
    expect(row.ip).toMatch(LOCALHOST);
  }
  const asUser = (account: TestAccount, role: string) => ({ type: 'user' as const, id: account.id, role });
  const requestIdOf = (res: { headers: Record<string, string> }) => {
    expect(res.headers['x-request-id']).toBeTruthy();
    return res.headers['x-request-id'];
  };

  describe('every mutation writes an entry in its transaction', () => {
    it('registration: user.register and merchant.create, with the password hash redacted', async () => {
      const email = `audit-reg-${randomBytes(4).toString('hex')}@example.com`;
      const res = await t.http.post('/api/v1/auth/register/merchant').send({ email, password: STRONG_PASSWORD, business_name: 'Audit Shop' }).expect(201);
      const requestId = requestIdOf(res);
      const userId: string = res.body.user.id;
      const merchantId: string = res.body.merchant.id;

      const user = await onlyAuditRow(t, requestId, 'user.register');
      expect(user).toMatchObject({ entity_type: 'user', entity_id: userId, merchant_id: null, actor_type: 'system', actor_id: null, request_id: requestId });
      expect(user.ip).toMatch(LOCALHOST);
      expect(user.changes).toMatchObject({
        email: { before: null, after: email },
        role: { before: null, after: 'merchant' },
        passwordHash: { before: null, after: '[redacted]' },
      });

      const merchant = await onlyAuditRow(t, requestId, 'merchant.create');
      expect(merchant).toMatchObject({ entity_type: 'merchant', entity_id: merchantId, merchant_id: merchantId, request_id: requestId });
      expect(merchant.changes).toMatchObject({ name: { before: null, after: 'Audit Shop' }, status: { before: null, after: 'PENDING' } });

      // One transaction: both entries carry the transaction's timestamp, the same as the new rows'.
      const [{ created_at: merchantCreatedAt }] = await t.dataSource.query('SELECT created_at FROM merchants WHERE id = $1', [merchantId]);
      expect(user.created_at).toEqual(merchantCreatedAt);
      expect(merchant.created_at).toEqual(merchantCreatedAt);

      const customerRes = await t.http.post('/api/v1/auth/register').send({ email: `audit-c-${randomBytes(4).toString('hex')}@example.com`, password: STRONG_PASSWORD, name: 'C' }).expect(201);
      const customer = await onlyAuditRow(t, requestIdOf(customerRes), 'user.register');
      expect(customer).toMatchObject({ entity_id: customerRes.body.id, merchant_id: null });
      expect(customer.changes.role).toEqual({ before: null, after: 'customer' });
    });

    it('merchant.update: a diff of exactly the changed fields, by a user or by an API key', async () => {
      const res = await t.http.put('/api/merchants/me').set(merchantA.auth).send({ name: 'Renamed A', description: 'First description', primary_color: null }).expect(200);
      const requestId = requestIdOf(res);
      const row = await onlyAuditRow(t, requestId, 'merchant.update');
      expectWrittenBy(row, requestId, asUser(merchantA, 'merchant'));
      expect(row).toMatchObject({ entity_type: 'merchant', entity_id: merchantA.merchantId, merchant_id: merchantA.merchantId });
      expect(row.changes).toEqual({
        name: { before: expect.any(String), after: 'Renamed A' },
        description: { before: null, after: 'First description' },
      });
      expect(row.changes.name.before).not.toBe('Renamed A');
      const [{ updated_at: updatedAt }] = await t.dataSource.query('SELECT updated_at FROM merchants WHERE id = $1', [merchantA.merchantId]);
      expect(row.created_at).toEqual(updatedAt);

      const key = await createApiKey(t, merchantA, { name: 'Writer', scopes: ['read', 'write'] });
      secrets.push(key.key);
      const viaKey = await t.http.put('/api/merchants/me').set(bearerKey(key.key)).send({ description: 'Changed by a key' }).expect(200);
      const keyRow = await onlyAuditRow(t, requestIdOf(viaKey), 'merchant.update');
      expectWrittenBy(keyRow, requestIdOf(viaKey), { type: 'api_key', id: key.id, role: 'merchant' });
      expect(keyRow.merchant_id).toBe(merchantA.merchantId);
      expect(keyRow.changes).toEqual({ description: { before: 'First description', after: 'Changed by a key' } });
    });

    it('merchant_translation.create / update / delete', async () => {
      const created = await t.http.post('/api/merchants/me/translations').set(merchantA.auth).send({ language_code: 'fr', name: 'Boutique A' }).expect(201);
      const create = await onlyAuditRow(t, requestIdOf(created), 'merchant_translation.create');
      expectWrittenBy(create, requestIdOf(created), asUser(merchantA, 'merchant'));
      expect(create).toMatchObject({ entity_type: 'merchant_translation', entity_id: `${merchantA.merchantId}:fr`, merchant_id: merchantA.merchantId });
      expect(create.changes).toEqual({ name: { before: null, after: 'Boutique A' } });

      const updated = await t.http.put('/api/merchants/me/translations/fr').set(merchantA.auth).send({ name: 'Boutique A', description: 'Tout' }).expect(200);
      const update = await onlyAuditRow(t, requestIdOf(updated), 'merchant_translation.update');
      expectWrittenBy(update, requestIdOf(updated), asUser(merchantA, 'merchant'));
      expect(update.changes).toEqual({ description: { before: null, after: 'Tout' } });

      const deleted = await t.http.delete('/api/merchants/me/translations/fr').set(merchantA.auth).expect(204);
      const del = await onlyAuditRow(t, requestIdOf(deleted), 'merchant_translation.delete');
      expectWrittenBy(del, requestIdOf(deleted), asUser(merchantA, 'merchant'));
      expect(del).toMatchObject({ entity_id: `${merchantA.merchantId}:fr`, merchant_id: merchantA.merchantId });
      expect(del.changes).toEqual({ name: { before: 'Boutique A', after: null }, description: { before: 'Tout', after: null } });
    });

    it('merchant.approve / reject / suspend record the status change and the admin', async () => {
      const [pending, toReject] = await Promise.all([registerMerchant(t), registerMerchant(t)]);
      const checks: [string, string, string, string, string | null][] = [
        [pending.merchantId!, 'approve', 'PENDING', 'ACTIVE', null],
        [pending.merchantId!, 'suspend', 'ACTIVE', 'SUSPENDED', 'because approve'],
        [toReject.merchantId!, 'reject', 'PENDING', 'REJECTED', null],
      ];
      for (const [id, transition, from, to, reasonBefore] of checks) {
        const res = await t.http.post(`/api/admin/merchants/${id}/${transition}`).set(admin.auth).send({ reason: `because ${transition}` }).expect(200);
        const row = await onlyAuditRow(t, requestIdOf(res), `merchant.${transition}`);
        expectWrittenBy(row, requestIdOf(res), asUser(admin, 'admin'));
        expect(row).toMatchObject({ entity_type: 'merchant', entity_id: id, merchant_id: id });
        expect(row.changes.status).toEqual({ before: from, after: to });
        expect(row.changes.statusReason).toEqual({ before: reasonBefore, after: `because ${transition}` });
        expect(Object.keys(row.changes).sort()).toEqual(['status', 'statusChangedAt', 'statusReason']);
      }
    });

    it('api_key.create (hash redacted) and api_key.revoke', async () => {
      const created = await t.http.post('/api/merchant/api-keys').set(merchantB.auth).send({ name: 'Audited key', scopes: ['write', 'read'] }).expect(201);
      secrets.push(created.body.key);
      const create = await onlyAuditRow(t, requestIdOf(created), 'api_key.create');
      expectWrittenBy(create, requestIdOf(created), asUser(merchantB, 'merchant'));
      expect(create).toMatchObject({ entity_type: 'api_key', entity_id: created.body.id, merchant_id: merchantB.merchantId });
      expect(create.changes).toEqual({
        name: { before: null, after: 'Audited key' },
        prefix: { before: null, after: created.body.prefix },
        scopes: { before: null, after: ['read', 'write'] },
        mode: { before: null, after: 'live' },
        keyHash: { before: null, after: '[redacted]' },
      });

      const revoked = await t.http.delete(`/api/merchant/api-keys/${created.body.id}`).set(merchantB.auth).expect(204);
      const revoke = await onlyAuditRow(t, requestIdOf(revoked), 'api_key.revoke');
      expectWrittenBy(revoke, requestIdOf(revoked), asUser(merchantB, 'merchant'));
      expect(revoke).toMatchObject({ entity_type: 'api_key', entity_id: created.body.id, merchant_id: merchantB.merchantId });
      expect(revoke.changes.revokedAt).toEqual({ before: null, after: expect.any(String) });
    });

    it('device_authorization.approve / deny through the /device form', async () => {
      const device = async () => (await t.http.post('/api/v1/oauth/device/authorize').send({ client_id: 'audit-cli', scope: 'read' }).expect(200)).body;
      const decide = (userCode: string, action: 'approve' | 'deny') =>
        t.http.post('/device').type('form').send({ user_code: userCode, email: merchantA.email, password: STRONG_PASSWORD, action });

      const approved = await device();
      const approveRes = await decide(approved.user_code, 'approve');
      expect(approveRes.status).toBe(200);
      expect(approveRes.text).toContain('Device connected');
      const [approvedRow] = await t.dataSource.query('SELECT id FROM device_authorizations WHERE user_code = $1', [approved.user_code.replace('-', '')]);
      const approve = await onlyAuditRow(t, requestIdOf(approveRes), 'device_authorization.approve');
      expectWrittenBy(approve, requestIdOf(approveRes), asUser(merchantA, 'merchant'));
      expect(approve).toMatchObject({ entity_type: 'device_authorization', entity_id: approvedRow.id });
      expect(approve.changes.status).toEqual({ before: 'pending', after: 'approved' });

      // The CLI's tokens exist now; they must not reach the log either.
      const tokens = await t.http
        .post('/api/v1/oauth/token')
        .type('form')
        .send({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: approved.device_code, client_id: 'audit-cli' })
        .expect(200);
      secrets.push(tokens.body.access_token, tokens.body.refresh_token, approved.device_code);

      const denied = await device();
      const denyRes = await decide(denied.user_code, 'deny');
      expect(denyRes.status).toBe(200);
      const deny = await onlyAuditRow(t, requestIdOf(denyRes), 'device_authorization.deny');
      expectWrittenBy(deny, requestIdOf(denyRes), asUser(merchantA, 'merchant'));
      expect(deny.changes.status).toEqual({ before: 'pending', after: 'denied' });
      secrets.push(denied.device_code);
    });

    it('a failed mutation writes nothing', async () => {
      const slug = `audit-taken-${randomBytes(3).toString('hex')}`;
      await t.http.put('/api/merchants/me').set(merchantB.auth).send({ slug }).expect(200);
      const before = (await auditRows(t)).length;

      const conflict = await t.http.put('/api/merchants/me').set(merchantA.auth).send({ slug, description: 'never saved' }).expect(409);
      expect(await auditRows(t, { requestId: requestIdOf(conflict) })).toEqual([]);
      const invalid = await t.http.put('/api/merchants/me').set(merchantA.auth).send({ default_currency: 'XYZ' }).expect(422);
      expect(await auditRows(t, { requestId: requestIdOf(invalid) })).toEqual([]);
      const twice = await t.http.post(`/api/admin/merchants/${merchantA.merchantId}/approve`).set(admin.auth).send({}).expect(409);
      expect(await auditRows(t, { requestId: requestIdOf(twice) })).toEqual([]);
      const missing = await t.http.delete('/api/merchants/me/translations/it').set(merchantA.auth).expect(404);
      expect(await auditRows(t, { requestId: requestIdOf(missing) })).toEqual([]);

      expect((await auditRows(t)).length).toBe(before);
      expect((await t.http.get('/api/merchants/me').set(merchantA.auth).expect(200)).body.description).not.toBe('never saved');
    });
  });

  describe('GET /api/audit-logs', () => {
    /** Walks every page with limit=2 and returns the items in the order served. */
    async function walk(auth: Record<string, string>, query: string): Promise<AuditItem[]> {
      const items: AuditItem[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 500; pages++) {
        const url: string = `/api/audit-logs?limit=2${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await t.http.get(url).set(auth).expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        items.push(...res.body.items);
        cursor = res.body.next_cursor;
        if (!cursor) return items;
        expect(res.body.items).toHaveLength(2);
      }
      throw new Error('pagination did not end');
    }

    let keyOfA: CreatedApiKey;

    beforeAll(async () => {
      // Enough entries for several pages: translations and updates on A, one update on B.
      for (const lang of ['es', 'it', 'pt', 'nl']) {
        await t.http.post('/api/merchants/me/translations').set(merchantA.auth).send({ language_code: lang, name: `A ${lang}` }).expect(201);
      }
      await t.http.put('/api/merchants/me').set(merchantB.auth).send({ description: 'B listing' }).expect(200);
      keyOfA = await createApiKey(t, merchantA, { name: 'Reader' });
      secrets.push(keyOfA.key);
    });

    it('shows a merchant only its own entries, whatever merchant_id it sends', async () => {
      const own = await t.http.get('/api/audit-logs').set(merchantA.auth).expect(200);
      expect(own.body.items.length).toBeGreaterThan(5);
      expect(own.body.items.every((i: AuditItem) => i.merchant_id === merchantA.merchantId)).toBe(true);
      expect(own.body.items[0]).toMatchObject({ id: expect.any(String), actor_type: expect.any(String), action: expect.any(String), changes: expect.any(Object), request_id: expect.any(String) });

      const sneaky = await t.http.get(`/api/audit-logs?merchant_id=${merchantB.merchantId}`).set(merchantA.auth).expect(200);
      expect(sneaky.body.items.length).toBeGreaterThan(0);
      expect(sneaky.body.items.every((i: AuditItem) => i.merchant_id === merchantA.merchantId)).toBe(true);

      const viaKey = await t.http.get(`/api/audit-logs?merchant_id=${merchantB.merchantId}`).set(bearerKey(keyOfA.key)).expect(200);
      expect(viaKey.body.items.every((i: AuditItem) => i.merchant_id === merchantA.merchantId)).toBe(true);
    });

    it('shows an admin everything, filterable by merchant_id, action and entity_type', async () => {
      const all = await walk(admin.auth, '');
      const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM audit_logs');
      expect(all).toHaveLength(count);
      expect(new Set(all.map((i) => i.id)).size).toBe(count);
      const merchants = new Set(all.map((i) => i.merchant_id));
      for (const m of [merchantA.merchantId, merchantB.merchantId, null]) expect(merchants.has(m ?? null)).toBe(true);

      const onlyB = await t.http.get(`/api/audit-logs?merchant_id=${merchantB.merchantId}&limit=100`).set(admin.auth).expect(200);
      const [{ countB }] = await t.dataSource.query('SELECT count(*)::int AS "countB" FROM audit_logs WHERE merchant_id = $1', [merchantB.merchantId]);
      expect(onlyB.body.items).toHaveLength(countB);
      expect(onlyB.body.items.every((i: AuditItem) => i.merchant_id === merchantB.merchantId)).toBe(true);

      const approvals = await t.http.get('/api/audit-logs?action=merchant.approve&limit=100').set(admin.auth).expect(200);
      expect(approvals.body.items.length).toBeGreaterThanOrEqual(2);
      expect(approvals.body.items.every((i: AuditItem) => i.action === 'merchant.approve')).toBe(true);

      const translations = await t.http.get(`/api/audit-logs?entity_type=merchant_translation&merchant_id=${merchantA.merchantId}&limit=100`).set(admin.auth).expect(200);
      expect(translations.body.items.length).toBeGreaterThanOrEqual(4);
      expect(translations.body.items.every((i: AuditItem) => i.entity_type === 'merchant_translation' && i.merchant_id === merchantA.merchantId)).toBe(true);

      const none = await t.http.get(`/api/audit-logs?merchant_id=${randomUUID()}`).set(admin.auth).expect(200);
      expect(none.body).toEqual({ items: [], next_cursor: null });
    });

    it('walks every entry exactly once with cursor pagination (limit=2), newest first', async () => {
      const dbIds: { id: string }[] = await t.dataSource.query('SELECT id FROM audit_logs WHERE merchant_id = $1', [merchantA.merchantId]);
      expect(dbIds.length).toBeGreaterThanOrEqual(10);

      for (const [auth, query] of [[merchantA.auth, ''], [admin.auth, `&merchant_id=${merchantA.merchantId}`]] as const) {
        const items = await walk(auth, query);
        const ids = items.map((i) => i.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect([...ids].sort()).toEqual(dbIds.map((r) => r.id).sort());
        for (let i = 1; i < items.length; i++) expect(items[i - 1].created_at >= items[i].created_at).toBe(true);
      }
    });

    it('refuses an invalid cursor with 422', async () => {
      const b64 = (text: string) => Buffer.from(text).toString('base64url');
      for (const cursor of [
        'not-a-cursor',
        b64('yesterday|abc'),
        b64(`2024-01-01T00:00:00.000000Z|${'-'.repeat(36)}`),
        b64(`1|${randomUUID()}`),
        b64(`2024-02-30 99:99|${randomUUID()}`),
        b64(`2024-02-30T00:00:00.000000Z|${randomUUID()}`), // V8 accepts Feb 30, Postgres does not
        b64(`2024-01-01T24:00:00.000000Z|${randomUUID()}`),
        b64(`0000-01-01T00:00:00.000000Z|${randomUUID()}`),
        b64(`2024-01-01T00:00:00.000000Z|${randomUUID()}|extra`),
      ]) {
        const res = await t.http.get(`/api/audit-logs?cursor=${encodeURIComponent(cursor)}`).set(admin.auth);
        expect([cursor, res.status, res.body.error?.code]).toEqual([cursor, 422, 'ERR_VALIDATION']);
      }
      await t.http.get('/api/audit-logs?limit=0').set(admin.auth).expect(422);
      await t.http.get('/api/audit-logs?merchant_id=nope').set(admin.auth).expect(422);
    });

    it('refuses customers (403) and anonymous callers (401)', async () => {
      const customer = await registerCustomer(t);
      const forbidden = await t.http.get('/api/audit-logs').set(customer.auth).expect(403);
      expect(forbidden.body.error.code).toBe('ERR_FORBIDDEN');
      const anonymous = await t.http.get('/api/audit-logs').expect(401);
      expect(anonymous.body.error.code).toBe('ERR_UNAUTHORIZED');
    });
  });

  describe('secrets', () => {
    it('no password, password hash, API key or token appears in any entry', async () => {
      // Fresh logins and a refresh rotation add more tokens to look for.
      const customer = await registerCustomer(t);
      const refreshed = await t.http.post('/api/v1/auth/refresh').send({ refresh_token: customer.refreshToken }).expect(200);
      const relogin = await login(t, merchantA.email);
      secrets.push(customer.token, customer.refreshToken, refreshed.body.access_token, refreshed.body.refresh_token, relogin.token, relogin.refreshToken);

      const text = await allAuditText(t);
      expect(text.length).toBeGreaterThan(1000);
      expect(text).not.toContain(STRONG_PASSWORD);
      expect(text).not.toContain('$argon2');
      expect(text).not.toMatch(/ock_(live|test)_[A-Za-z0-9]{20}/);
      const [{ hashes }] = await t.dataSource.query("SELECT string_agg(password_hash, ' ') AS hashes FROM users");
      for (const hash of String(hashes).split(' ')) expect(text).not.toContain(hash);
      const keyHashes: { key_hash: string }[] = await t.dataSource.query('SELECT key_hash FROM merchant_api_keys');
      for (const { key_hash } of keyHashes) expect(text).not.toContain(key_hash);
      expect(secrets.length).toBeGreaterThan(10);
      for (const secret of secrets) expect(text).not.toContain(secret);
    });
  });
});
