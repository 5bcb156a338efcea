import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as jwt from 'jsonwebtoken';
import type { Response } from 'supertest';
import { sha256 } from '../src/modules/identity/token.service';
import { bootTestApp, TestApp } from './harness/app';
import { registerCustomer, registerMerchant, STRONG_PASSWORD, TestAccount } from './support/identity';
import { forgeJwt, hmacSha256, rsaKey, RsaKey, startJwksServer, tamperPayload } from './support/jwt-forge';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const CLI = join(__dirname, '..', 'dist', 'src', 'cli.js');

const uniqueEmail = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}@example.com`;
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The API's error envelope, with the request id echoed from the header; returns `error`. */
function expectEnvelope(res: Response, status: number, code: string): { code: string; message: string; detail: any } {
  expect({ status: res.status, body: res.body }).toEqual({
    status,
    body: { success: false, error: { code, message: expect.any(String), detail: res.body?.error?.detail ?? null, request_id: res.headers['x-request-id'] } },
  });
  return res.body.error;
}

function expectTokenPair(body: any): void {
  expect(body).toMatchObject({ access_token: expect.any(String), refresh_token: expect.stringMatching(/^rt_/), token_type: 'bearer', expires_in: 900 });
  expect(body.access_token.split('.')).toHaveLength(3);
}

const login = (t: TestApp, email: string, password = STRONG_PASSWORD) => t.http.post('/api/v1/auth/login').send({ email, password });
const refresh = (t: TestApp, refreshToken: string) => t.http.post('/api/v1/auth/refresh').send({ refresh_token: refreshToken });
const me = (t: TestApp, token?: string) => (token ? t.http.get('/api/v1/auth/me').set(bearer(token)) : t.http.get('/api/v1/auth/me'));
const oauthToken = (t: TestApp, form: Record<string, string>) => t.http.post('/api/v1/oauth/token').type('form').send(form);

async function verify(t: TestApp, token: string, requiredScope?: string): Promise<Record<string, unknown>> {
  const res = await t.http.post('/api/v1/auth/verify').send({ token, ...(requiredScope ? { required_scope: requiredScope } : {}) });
  expect(res.status).toBe(200);
  return res.body;
}

async function refreshRow(t: TestApp, refreshToken: string): Promise<{ family_id: string; used_at: Date | null; revoked_at: Date | null }> {
  const [row] = await t.dataSource.query('SELECT family_id, used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1', [sha256(refreshToken)]);
  return row;
}

/** Runs the compiled operator CLI against the test's database (npm test builds dist/ first). */
function runCli(t: TestApp, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(CLI)) throw new Error('dist/src/cli.js is missing: run `npm run build` (npm test does)');
  const { NODE_ENV: _n, JWT_SECRET: _j, ...inherited } = process.env;
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...inherited, NODE_ENV: 'test', DATABASE_URL: t.config.database.url, REDIS_URL: t.config.redis.url, QUEUE_PREFIX: t.config.redis.queuePrefix, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('Identity: authentication', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ env: { LOGIN_MAX_FAILURES: '3' } });
  });
  afterAll(() => t?.close());

  /** Claims as this service signs them, for a user; override any of them. */
  function ownClaims(sub: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const iat = nowSeconds();
    return {
      sub, role: 'customer', scopes: ['read', 'write'], delegated: false, iss: t.config.jwt.issuer, aud: t.config.jwt.audience, iat, exp: iat + 900, jti: randomUUID(),
      ...overrides,
    };
  }
  const signOwn = (claims: Record<string, unknown>, secret = t.config.jwt.secret) => jwt.sign(claims, secret, { algorithm: 'HS256' });

  describe('registration', () => {
    it('registers a customer: 201, the public user shape, email lower-cased, password stored as argon2id', async () => {
      const email = uniqueEmail('Ada.Lovelace').replace('@example.com', '@Example.COM');
      const res = await t.http.post('/api/v1/auth/register').send({ email: `  ${email} `, password: STRONG_PASSWORD, name: 'Ada Lovelace' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: expect.stringMatching(UUID), email: email.toLowerCase(), name: 'Ada Lovelace', role: 'customer', is_active: true, created_at: expect.stringMatching(ISO_UTC) });

      const [row] = await t.dataSource.query('SELECT email, role, is_active, password_hash FROM users WHERE id = $1', [res.body.id]);
      expect(row).toMatchObject({ email: email.toLowerCase(), role: 'customer', is_active: true });
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(row.password_hash).not.toContain(STRONG_PASSWORD);
    });

    it('refuses an email that differs only in case with 409 ERR_CONFLICT', async () => {
      const email = uniqueEmail('dup');
      await t.http.post('/api/v1/auth/register').send({ email, password: STRONG_PASSWORD, name: 'First' }).expect(201);
      const res = await t.http.post('/api/v1/auth/register').send({ email: email.toUpperCase(), password: STRONG_PASSWORD, name: 'Second' });
      expectEnvelope(res, 409, 'ERR_CONFLICT');
      const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM users WHERE lower(email) = $1', [email]);
      expect(count).toBe(1);
    });

    it('two simultaneous registrations of one email (different case): exactly one 201, the other 409', async () => {
      const email = uniqueEmail('race');
      const results = await Promise.all(
        [email, email.toUpperCase()].map((e) => t.http.post('/api/v1/auth/register').send({ email: e, password: STRONG_PASSWORD, name: 'Racer' })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expectEnvelope(results.find((r) => r.status === 409)!, 409, 'ERR_CONFLICT');
      const [{ count }] = await t.dataSource.query('SELECT count(*)::int AS count FROM users WHERE email = $1', [email]);
      expect(count).toBe(1);
    });

    it.each([
      ['too short', 'Short1'],
      ['without digits', 'only-letters-here'],
      ['a common password', 'password123'],
    ])('refuses a weak password (%s) with 422 and detail.fields.password', async (_label, password) => {
      const email = uniqueEmail('weak');
      const error = expectEnvelope(await t.http.post('/api/v1/auth/register').send({ email, password, name: 'Weak' }), 422, 'ERR_VALIDATION');
      expect(error.detail.fields.password).toEqual(expect.arrayContaining([expect.any(String)]));
      expect(await t.dataSource.query('SELECT id FROM users WHERE email = $1', [email])).toEqual([]);
    });

    it('refuses a password that contains the email name', async () => {
      const error = expectEnvelope(
        await t.http.post('/api/v1/auth/register').send({ email: 'gandalf-the-grey@example.com', password: 'Gandalf-the-grey-2024', name: 'G' }),
        422,
        'ERR_VALIDATION',
      );
      expect(error.detail.fields.password).toContain('must not contain the email name');
    });

    it.each(['not-an-email', 'a@', '@example.com', 'two@@example.com'])('refuses a malformed email %p with 422', async (email) => {
      const error = expectEnvelope(await t.http.post('/api/v1/auth/register').send({ email, password: STRONG_PASSWORD, name: 'X' }), 422, 'ERR_VALIDATION');
      expect(Object.keys(error.detail.fields)).toEqual(['email']);
    });

    it.each(['admin', 'merchant'])('refuses role %p in the body with 422 and creates nothing', async (role) => {
      const email = uniqueEmail(`wants-${role}`);
      const error = expectEnvelope(await t.http.post('/api/v1/auth/register').send({ email, password: STRONG_PASSWORD, name: 'X', role }), 422, 'ERR_VALIDATION');
      expect(error.detail.fields.role).toBeDefined();
      expect(await t.dataSource.query('SELECT id FROM users WHERE email = $1', [email])).toEqual([]);
    });

    it('ignores unknown fields, including privilege-looking ones: the account is a plain customer', async () => {
      const email = uniqueEmail('extras');
      const res = await t.http
        .post('/api/v1/auth/register')
        .send({ email, password: STRONG_PASSWORD, name: 'Extra', role: 'customer', is_admin: true, is_active: false, roles: ['admin'], merchant_id: randomUUID(), nickname: 'x' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ email, role: 'customer', is_active: true });
      expect(res.body).not.toHaveProperty('nickname');
      const [row] = await t.dataSource.query('SELECT role, is_active FROM users WHERE email = $1', [email]);
      expect(row).toEqual({ role: 'customer', is_active: true });
    });

    it('registers a merchant: 201 {user, merchant} with the store PENDING', async () => {
      const email = uniqueEmail('shop');
      const res = await t.http.post('/api/v1/auth/register/merchant').send({ email: email.toUpperCase(), password: STRONG_PASSWORD, business_name: 'Acme Outdoor' });
      expect(res.status).toBe(201);
      expect(res.body.user).toEqual({
        id: expect.stringMatching(UUID), email, name: 'Acme Outdoor', role: 'merchant', is_active: true, merchant_id: res.body.merchant.id, created_at: expect.stringMatching(ISO_UTC),
      });
      expect(res.body.merchant).toMatchObject({ id: expect.stringMatching(UUID), name: 'Acme Outdoor', status: 'PENDING' });
      const [row] = await t.dataSource.query('SELECT status, owner_user_id FROM merchants WHERE id = $1', [res.body.merchant.id]);
      expect(row).toEqual({ status: 'PENDING', owner_user_id: res.body.user.id });
    });

    it('a merchant registration with a weak password creates neither the user nor the store', async () => {
      const email = uniqueEmail('weak-shop');
      const res = await t.http.post('/api/v1/auth/register/merchant').send({ email, password: 'short1', business_name: 'Half Made' });
      expect(expectEnvelope(res, 422, 'ERR_VALIDATION').detail.fields.password).toBeDefined();
      expect(await t.dataSource.query('SELECT id FROM users WHERE email = $1', [email])).toEqual([]);
      expect(await t.dataSource.query("SELECT id FROM merchants WHERE name = 'Half Made'")).toEqual([]);
    });

    it('a merchant registration cannot be turned into an admin either (role in the body is dropped)', async () => {
      const email = uniqueEmail('shop-admin');
      const res = await t.http.post('/api/v1/auth/register/merchant').send({ email, password: STRONG_PASSWORD, business_name: 'Sneaky', role: 'admin' });
      expect(res.status).toBe(201);
      expect(res.body.user.role).toBe('merchant');
      const [row] = await t.dataSource.query('SELECT role FROM users WHERE email = $1', [email]);
      expect(row.role).toBe('merchant');
    });
  });

  describe('login and the access token', () => {
    let customer: TestAccount;
    let merchant: TestAccount;

    beforeAll(async () => {
      customer = await registerCustomer(t);
      merchant = await registerMerchant(t);
    });

    it('answers a token pair and signs the expected claims (customer)', async () => {
      const res = await login(t, customer.email.toUpperCase());
      expect(res.status).toBe(200);
      expectTokenPair(res.body);
      const claims = jwt.decode(res.body.access_token, { complete: true })!;
      expect(claims.header).toMatchObject({ alg: 'HS256', typ: 'JWT' });
      const payload = claims.payload as jwt.JwtPayload;
      expect(payload).toMatchObject({ sub: customer.id, role: 'customer', scopes: ['read', 'write'], iss: 'commerce-backend', aud: 'commerce-api', jti: expect.stringMatching(UUID) });
      expect(payload).not.toHaveProperty('merchant_id');
      expect(payload.exp! - payload.iat!).toBe(900);
      expect(Math.abs(payload.iat! - nowSeconds())).toBeLessThanOrEqual(5);
    });

    it('puts the store in a merchant\'s token', async () => {
      const res = await login(t, merchant.email).expect(200);
      expect(jwt.decode(res.body.access_token)).toMatchObject({ sub: merchant.id, role: 'merchant', merchant_id: merchant.merchantId, scopes: ['read', 'write'] });
    });

    it('answers a wrong password and an unknown email alike: 401 with the same message', async () => {
      const wrong = expectEnvelope(await login(t, customer.email, 'Wrong-password-123'), 401, 'ERR_UNAUTHORIZED');
      const unknown = expectEnvelope(await login(t, uniqueEmail('nobody')), 401, 'ERR_UNAUTHORIZED');
      expect(wrong.message).toBe(unknown.message);
      expect(wrong.detail).toEqual(unknown.detail);
    });

    it('refuses a deactivated account at login and at refresh', async () => {
      const account = await registerCustomer(t);
      await t.dataSource.query('UPDATE users SET is_active = false WHERE id = $1', [account.id]);
      expectEnvelope(await login(t, account.email), 401, 'ERR_UNAUTHORIZED');
      expectEnvelope(await refresh(t, account.refreshToken), 401, 'ERR_UNAUTHORIZED');
    });

    it.each(['/api/v1/auth/me', '/api/v1/users/me'])('GET %s answers the caller', async (path) => {
      const res = await t.http.get(path).set(customer.auth).expect(200);
      expect(res.body).toEqual({ id: customer.id, email: customer.email, name: 'Test Customer', role: 'customer', is_active: true, created_at: expect.stringMatching(ISO_UTC) });
      const asMerchant = await t.http.get(path).set(merchant.auth).expect(200);
      expect(asMerchant.body).toMatchObject({ id: merchant.id, role: 'merchant', merchant_id: merchant.merchantId });
    });

    it.each(['/api/v1/auth/me', '/api/v1/users/me'])('GET %s without a token (or with garbage) answers the 401 envelope', async (path) => {
      const none = expectEnvelope(await t.http.get(path), 401, 'ERR_UNAUTHORIZED');
      expect(none.message).toBe('Authentication required');
      expectEnvelope(await t.http.get(path).set(bearer('not-a-jwt')), 401, 'ERR_UNAUTHORIZED');
      expectEnvelope(await t.http.get(path).set({ Authorization: 'Basic dXNlcjpwYXNz' }), 401, 'ERR_UNAUTHORIZED');
    });
  });

  describe('refresh token rotation', () => {
    it('a refresh token works once and returns a new pair for the same user', async () => {
      const account = await registerCustomer(t);
      const res = await refresh(t, account.refreshToken);
      expect(res.status).toBe(200);
      expectTokenPair(res.body);
      expect(res.body.refresh_token).not.toBe(account.refreshToken);
      expect(res.body.access_token).not.toBe(account.token);
      expect(jwt.decode(res.body.access_token)).toMatchObject({ sub: account.id, role: 'customer' });
      await me(t, res.body.access_token).expect(200);

      const [oldRow, newRow] = [await refreshRow(t, account.refreshToken), await refreshRow(t, res.body.refresh_token)];
      expect(oldRow.used_at).not.toBeNull();
      expect(newRow).toMatchObject({ family_id: oldRow.family_id, used_at: null, revoked_at: null });
    });

    it('reusing an old refresh token is refused and revokes the whole family, including the newer token', async () => {
      const account = await registerCustomer(t);
      const rotated = await refresh(t, account.refreshToken).expect(200);

      const reuse = expectEnvelope(await refresh(t, account.refreshToken), 401, 'ERR_UNAUTHORIZED');
      expect(reuse.message).toMatch(/reuse/i);
      expectEnvelope(await refresh(t, rotated.body.refresh_token), 401, 'ERR_UNAUTHORIZED');

      const { family_id } = await refreshRow(t, account.refreshToken);
      const rows = await t.dataSource.query('SELECT revoked_at FROM refresh_tokens WHERE family_id = $1', [family_id]);
      expect(rows).toHaveLength(2);
      expect(rows.every((r: { revoked_at: Date | null }) => r.revoked_at !== null)).toBe(true);
    });

    it('two simultaneous refreshes with one token: one gets a pair, the other is treated as reuse', async () => {
      const account = await registerCustomer(t);
      const results = await Promise.all([refresh(t, account.refreshToken), refresh(t, account.refreshToken)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
      const winner = results.find((r) => r.status === 200)!;
      // The loser's attempt was a reuse, so the family (the winner's new token too) is revoked.
      expectEnvelope(await refresh(t, winner.body.refresh_token), 401, 'ERR_UNAUTHORIZED');
    });

    it('another login of the same user (another family) survives that revocation', async () => {
      const account = await registerCustomer(t);
      const other = await login(t, account.email).expect(200);
      await refresh(t, account.refreshToken).expect(200);
      await refresh(t, account.refreshToken).expect(401);
      await refresh(t, other.body.refresh_token).expect(200);
    });

    it('refuses an expired refresh token', async () => {
      const account = await registerCustomer(t);
      await t.dataSource.query("UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [sha256(account.refreshToken)]);
      expectEnvelope(await refresh(t, account.refreshToken), 401, 'ERR_UNAUTHORIZED');
    });

    it('refuses an unknown refresh token and a missing one', async () => {
      expectEnvelope(await refresh(t, `rt_${randomBytes(32).toString('base64url')}`), 401, 'ERR_UNAUTHORIZED');
      expectEnvelope(await t.http.post('/api/v1/auth/refresh').send({}), 422, 'ERR_VALIDATION');
    });
  });

  describe('logout', () => {
    it('revokes the refresh token family and deny-lists the access token used', async () => {
      const account = await registerCustomer(t);
      await t.http.post('/api/v1/auth/logout').set(account.auth).send({ refresh_token: account.refreshToken }).expect(204);

      expectEnvelope(await refresh(t, account.refreshToken), 401, 'ERR_UNAUTHORIZED');
      expect((await refreshRow(t, account.refreshToken)).revoked_at).not.toBeNull();
      const denied = expectEnvelope(await me(t, account.token), 401, 'ERR_UNAUTHORIZED');
      expect(denied.message).toBe('Token blacklisted');
      expect(await verify(t, account.token)).toEqual({ valid: false, error: 'Token blacklisted' });
    });

    it('needs authentication', async () => {
      expectEnvelope(await t.http.post('/api/v1/auth/logout').send({}), 401, 'ERR_UNAUTHORIZED');
    });

    it('cannot revoke another user\'s refresh token', async () => {
      const [alice, bob] = [await registerCustomer(t), await registerCustomer(t)];
      await t.http.post('/api/v1/auth/logout').set(alice.auth).send({ refresh_token: bob.refreshToken }).expect(204);
      await refresh(t, bob.refreshToken).expect(200);
      await me(t, bob.token).expect(200);
      await me(t, alice.token).expect(401);
    });
  });

  describe('OAuth token endpoint (RFC 6749)', () => {
    let account: TestAccount;
    beforeAll(async () => {
      account = await registerCustomer(t);
    });

    it('password grant (form-encoded) answers a pair with Cache-Control: no-store', async () => {
      const res = await oauthToken(t, { grant_type: 'password', username: account.email, password: STRONG_PASSWORD, client_id: 'bi-cli' });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expectTokenPair(res.body);
      expect(jwt.decode(res.body.access_token)).toMatchObject({ sub: account.id, role: 'customer', client_id: 'bi-cli', iss: 'commerce-backend', aud: 'commerce-api' });
      await me(t, res.body.access_token).expect(200);
    });

    it('password grant with a narrower scope issues a token with only that scope', async () => {
      const res = await oauthToken(t, { grant_type: 'password', username: account.email, password: STRONG_PASSWORD, client_id: 'bi-cli', scope: 'read' }).expect(200);
      expect(res.body.scope).toBe('read');
      expect(jwt.decode(res.body.access_token)).toMatchObject({ scopes: ['read'] });
      expect(await verify(t, res.body.access_token)).toMatchObject({ valid: true, scopes: ['read'] });
    });

    it('password grant with a wrong password answers 400 invalid_grant (not the envelope)', async () => {
      const res = await oauthToken(t, { grant_type: 'password', username: account.email, password: 'Wrong-password-123', client_id: 'bi-cli' });
      expect(res.status).toBe(400);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String), success: false });
    });

    it('an unknown grant_type answers 400 unsupported_grant_type; a missing one or a missing parameter invalid_request', async () => {
      const unsupported = await oauthToken(t, { grant_type: 'client_credentials', client_id: 'bi-cli' });
      expect(unsupported.status).toBe(400);
      expect(unsupported.body).toEqual({ error: 'unsupported_grant_type', error_description: expect.any(String), success: false });

      const missing = await oauthToken(t, { client_id: 'bi-cli' });
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({ error: 'invalid_request', error_description: expect.any(String), success: false });

      const noUsername = await oauthToken(t, { grant_type: 'password', password: STRONG_PASSWORD });
      expect(noUsername.status).toBe(400);
      expect(noUsername.body).toMatchObject({ error: 'invalid_request', error_description: 'username is required for this grant' });
    });

    it('an unknown scope answers 400 invalid_scope', async () => {
      const res = await oauthToken(t, { grant_type: 'password', username: account.email, password: STRONG_PASSWORD, scope: 'read admin' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_scope' });
    });

    it('refresh_token grant rotates through the same endpoint; reuse answers invalid_grant', async () => {
      const first = await oauthToken(t, { grant_type: 'password', username: account.email, password: STRONG_PASSWORD, client_id: 'bi-cli' }).expect(200);
      const second = await oauthToken(t, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token, client_id: 'bi-cli' });
      expect(second.status).toBe(200);
      expect(second.headers['cache-control']).toBe('no-store');
      expectTokenPair(second.body);
      expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
      expect(jwt.decode(second.body.access_token)).toMatchObject({ sub: account.id, client_id: 'bi-cli' });

      const reuse = await oauthToken(t, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token, client_id: 'bi-cli' });
      expect(reuse.status).toBe(400);
      expect(reuse.body).toMatchObject({ error: 'invalid_grant', success: false });
    });

    it('revoke of a refresh token answers 200 and the token is refused afterwards', async () => {
      const pair = await login(t, account.email).expect(200);
      const res = await t.http.post('/api/v1/oauth/revoke').type('form').send({ token: pair.body.refresh_token, client_id: 'bi-cli' });
      expect(res.status).toBe(200);
      const grant = await oauthToken(t, { grant_type: 'refresh_token', refresh_token: pair.body.refresh_token });
      expect(grant.status).toBe(400);
      expect(grant.body).toMatchObject({ error: 'invalid_grant' });
      expectEnvelope(await refresh(t, pair.body.refresh_token), 401, 'ERR_UNAUTHORIZED');
    });

    it('revoke of an access token deny-lists it; an unknown token also answers 200', async () => {
      const pair = await login(t, account.email).expect(200);
      await t.http.post('/api/v1/oauth/revoke').type('form').send({ token: pair.body.access_token }).expect(200);
      expect(await verify(t, pair.body.access_token)).toEqual({ valid: false, error: 'Token blacklisted' });
      await me(t, pair.body.access_token).expect(401);
      await t.http.post('/api/v1/oauth/revoke').type('form').send({ token: 'rt_unknown' }).expect(200);
      await t.http.post('/api/v1/oauth/revoke').type('form').send({ token: 'garbage' }).expect(200);
    });
  });

  describe('POST /api/v1/auth/verify (seed 004)', () => {
    let account: TestAccount;
    beforeAll(async () => {
      account = await registerCustomer(t);
    });

    it('answers a valid token in the seed\'s shape', async () => {
      expect(await verify(t, account.token)).toEqual({ valid: true, user_id: account.id, role: 'customer', scopes: ['read', 'write'], delegated: false, error: null });
    });

    it('answers valid:false when the required scope is not held', async () => {
      const readOnly = await oauthToken(t, { grant_type: 'password', username: account.email, password: STRONG_PASSWORD, scope: 'read' }).expect(200);
      expect(await verify(t, readOnly.body.access_token, 'read')).toMatchObject({ valid: true, error: null });
      expect(await verify(t, readOnly.body.access_token, 'write')).toMatchObject({ valid: false, error: 'Insufficient scope' });
      expect(await verify(t, account.token, 'admin')).toMatchObject({ valid: false });
    });

    it('is public and answers 200 valid:false for garbage', async () => {
      expect(await verify(t, 'garbage')).toEqual({ valid: false, error: 'Invalid token' });
    });
  });

  describe('token attacks', () => {
    let account: TestAccount;
    const otherRsa = rsaKey('attacker');
    beforeAll(async () => {
      account = await registerCustomer(t);
    });

    it('control: a token hand-signed with the right secret and claims is accepted', async () => {
      const token = signOwn(ownClaims(account.id));
      await me(t, token).expect(200);
      expect(await verify(t, token)).toMatchObject({ valid: true, user_id: account.id });
    });

    const attacks: Array<[string, () => string, string]> = [
      ['an expired token', () => signOwn(ownClaims(account.id, { iat: nowSeconds() - 1000, exp: nowSeconds() - 60 })), 'Token expired'],
      ['a tampered payload (role changed to admin, signature kept)', () => tamperPayload(account.token, (c) => ({ ...c, role: 'admin' })), 'Invalid token'],
      ['an alg:none token', () => forgeJwt({ alg: 'none', typ: 'JWT' }, ownClaims(account.id, { role: 'admin' })), 'Invalid token'],
      ['a token for another audience', () => signOwn(ownClaims(account.id, { aud: 'some-other-api' })), 'Invalid token'],
      ['a token from another issuer', () => signOwn(ownClaims(account.id, { iss: 'evil-issuer' })), 'Invalid token'],
      ['a token signed with another secret', () => signOwn(ownClaims(account.id), 'another-secret-that-is-long-enough-for-hs256-0001'), 'Invalid token'],
      ['a not-yet-valid token (nbf in the future)', () => signOwn(ownClaims(account.id, { nbf: nowSeconds() + 3600 })), 'Token not active yet'],
      ['an HS256 token signed with an RSA public key PEM (algorithm confusion)', () => forgeJwt({ alg: 'HS256', typ: 'JWT' }, ownClaims(account.id), hmacSha256(otherRsa.publicPem)), 'Invalid token'],
      ['an RS256 token claiming our issuer', () => jwt.sign(ownClaims(account.id), otherRsa.privateKey, { algorithm: 'RS256', keyid: otherRsa.kid }), 'Invalid token'],
      ['a token without a subject', () => signOwn(ownClaims(account.id, { sub: undefined })), 'Invalid token'],
    ];

    it.each(attacks)('refuses %s: 401 on /auth/me and valid:false on verify', async (_name, build, reason) => {
      const token = build();
      const error = expectEnvelope(await me(t, token), 401, 'ERR_UNAUTHORIZED');
      expect(error.message).toBe(reason);
      expect(await verify(t, token)).toEqual({ valid: false, error: reason });
    });

    it('a stale bearer token on a public route is ignored, not an error', async () => {
      const expired = signOwn(ownClaims(account.id, { iat: nowSeconds() - 1000, exp: nowSeconds() - 60 }));
      await t.http.post('/api/v1/auth/verify').set(bearer(expired)).send({ token: account.token }).expect(200);
    });
  });

  describe('brute force protection (LOGIN_MAX_FAILURES=3)', () => {
    it('locks the account after 3 failures, even for the right password; other accounts are unaffected', async () => {
      const [victim, bystander] = [await registerCustomer(t), await registerCustomer(t)];
      for (let i = 0; i < 3; i++) expectEnvelope(await login(t, victim.email, `Wrong-password-${i}x`), 401, 'ERR_UNAUTHORIZED');

      const locked = expectEnvelope(await login(t, victim.email.toUpperCase()), 429, 'ERR_RATE_LIMITED');
      expect(locked.detail).toEqual({ retry_after_seconds: expect.any(Number) });
      expect(locked.detail.retry_after_seconds).toBeGreaterThan(0);
      // The OAuth password grant goes through the same lock.
      const viaOAuth = await oauthToken(t, { grant_type: 'password', username: victim.email, password: STRONG_PASSWORD });
      expect(viaOAuth.status).toBe(400);

      await login(t, bystander.email).expect(200);
    });

    it('a successful login resets the failure count', async () => {
      const account = await registerCustomer(t);
      for (let i = 0; i < 2; i++) await login(t, account.email, 'Wrong-password-123').expect(401);
      await login(t, account.email).expect(200);
      for (let i = 0; i < 2; i++) await login(t, account.email, 'Wrong-password-123').expect(401);
      await login(t, account.email).expect(200);
    });
  });

  describe('admin accounts: only the CLI creates them', () => {
    it('admin:create creates an admin, a second run (other case) promotes it, and the admin logs in as admin', async () => {
      const email = uniqueEmail('cli-admin');
      const created = await runCli(t, ['admin:create', '--email', email, '--password', STRONG_PASSWORD]);
      expect(created).toMatchObject({ code: 0, stdout: expect.stringContaining(`created admin ${email}`) });

      const newPassword = 'Another-strong-pass-42';
      const promoted = await runCli(t, ['admin:create', '--email', email.toUpperCase(), '--password', newPassword]);
      expect(promoted).toMatchObject({ code: 0, stdout: expect.stringContaining(`promoted admin ${email}`) });

      const rows = await t.dataSource.query('SELECT role, is_active FROM users WHERE lower(email) = $1', [email]);
      expect(rows).toEqual([{ role: 'admin', is_active: true }]);
      await login(t, email).expect(401); // the second run set the new password
      const res = await login(t, email, newPassword).expect(200);
      expect(jwt.decode(res.body.access_token)).toMatchObject({ role: 'admin' });
      expect((await me(t, res.body.access_token).expect(200)).body).toMatchObject({ email, role: 'admin' });
    });

    it('admin:create promotes a registered customer and ends its old sessions', async () => {
      const customer = await registerCustomer(t);
      const promoted = await runCli(t, ['admin:create', '--email', customer.email, '--password', STRONG_PASSWORD]);
      expect(promoted).toMatchObject({ code: 0, stdout: expect.stringContaining('promoted admin') });
      expectEnvelope(await refresh(t, customer.refreshToken), 401, 'ERR_UNAUTHORIZED');
      const res = await login(t, customer.email).expect(200);
      expect(jwt.decode(res.body.access_token)).toMatchObject({ sub: customer.id, role: 'admin' });
    });

    it('admin:create with a weak password exits 1 with a clear message and no stack trace', async () => {
      const email = uniqueEmail('cli-weak');
      const res = await runCli(t, ['admin:create', '--email', email, '--password', 'short1']);
      expect(res.code).toBe(1);
      expect(res.stderr.trim()).toBe('password: must be at least 10 characters long');
      expect(res.stderr + res.stdout).not.toMatch(/\n\s+at .+\(|\.js:\d+/);
      expect(await t.dataSource.query('SELECT id FROM users WHERE email = $1', [email])).toEqual([]);
    });

    it('no HTTP registration path yields an admin', async () => {
      const attempts = [
        { path: '/api/v1/auth/register', body: { role: 'admin' } },
        { path: '/api/v1/auth/register', body: { role: 'ADMIN' } },
        { path: '/api/v1/auth/register', body: { role: ['admin'] } },
        { path: '/api/v1/auth/register/merchant', body: { role: 'admin', business_name: 'Shop' } },
      ];
      const emails: string[] = [];
      for (const { path, body } of attempts) {
        const email = uniqueEmail('no-admin');
        emails.push(email);
        const res = await t.http.post(path).send({ email, password: STRONG_PASSWORD, name: 'X', ...body });
        expect([201, 422]).toContain(res.status);
        if (res.status === 201) expect(res.body.user?.role ?? res.body.role).not.toBe('admin');
      }
      expect(await t.dataSource.query("SELECT email FROM users WHERE role = 'admin' AND email = ANY($1)", [emails])).toEqual([]);
    });
  });
});

describe('Identity: external identity provider (RS256 via JWKS)', () => {
  const ISSUER = 'https://idp.example';
  const AUDIENCE = 'commerce-bi';
  const idpKey = rsaKey('idp-key-1');
  const impostorKey = rsaKey('idp-key-1'); // same kid, different key pair
  const merchantId = randomUUID();
  let idp: Awaited<ReturnType<typeof startJwksServer>>;
  let t: TestApp;

  beforeAll(async () => {
    idp = await startJwksServer([idpKey.jwk]);
    t = await bootTestApp({ env: { JWT_JWKS_URL: idp.url, JWT_JWKS_ISSUER: ISSUER, JWT_JWKS_AUDIENCE: AUDIENCE } });
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  /** A token as the provider signs it; claims (iat/exp included) and signing details can be overridden. */
  function idpToken(claims: Record<string, unknown> = {}, options: { key?: RsaKey; kid?: string; audience?: string; issuer?: string } = {}): string {
    const key = options.key ?? idpKey;
    const iat = nowSeconds();
    return jwt.sign({ role: 'merchant', merchant_id: merchantId, scope: 'read', iat, exp: iat + 300, ...claims }, key.privateKey, {
      algorithm: 'RS256',
      keyid: options.kid ?? key.kid,
      issuer: options.issuer ?? ISSUER,
      audience: options.audience ?? AUDIENCE,
      subject: 'idp-user-42',
    });
  }

  it('accepts the provider\'s RS256 token on verify and on a guarded route', async () => {
    const token = idpToken();
    expect(await verify(t, token)).toEqual({ valid: true, user_id: 'idp-user-42', role: 'merchant', scopes: ['read'], delegated: false, error: null });
    const res = await t.http.get('/api/audit-logs').set(bearer(token));
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    expect(idp.fetches()).toBeGreaterThanOrEqual(1);
  });

  it('holds the provider\'s token to its scopes and roles', async () => {
    expect(await verify(t, idpToken(), 'write')).toMatchObject({ valid: false, error: 'Insufficient scope' });
    // A merchant principal without a store is refused; a customer cannot read audit logs.
    expectEnvelope(await t.http.get('/api/audit-logs').set(bearer(idpToken({ merchant_id: undefined }))), 403, 'ERR_FORBIDDEN');
    expectEnvelope(await t.http.get('/api/audit-logs').set(bearer(idpToken({ role: 'customer' }))), 403, 'ERR_FORBIDDEN');
  });

  it('still accepts this service\'s own tokens', async () => {
    const account = await registerCustomer(t);
    await me(t, account.token).expect(200);
    expect(await verify(t, account.token)).toMatchObject({ valid: true, user_id: account.id });
  });

  const refused: Array<[string, () => string, string]> = [
    ['a token for another audience', () => idpToken({}, { audience: 'someone-else' }), 'Invalid token'],
    ['a token for this service\'s own audience (cross-issuer)', () => idpToken({}, { audience: 'commerce-api' }), 'Invalid token'],
    ['a token with an unknown kid', () => idpToken({}, { kid: 'unknown-kid' }), 'Invalid token'],
    ['a token signed by another RSA key under the same kid', () => idpToken({}, { key: impostorKey }), 'Invalid token'],
    ['a token from another issuer', () => idpToken({}, { issuer: 'https://evil.example' }), 'Invalid token'],
    ['an expired token', () => idpToken({ iat: nowSeconds() - 1000, exp: nowSeconds() - 60 }), 'Token expired'],
    [
      'an HS256 token signed with the provider\'s public key (algorithm confusion)',
      () => forgeJwt({ alg: 'HS256', typ: 'JWT', kid: idpKey.kid }, { sub: 'idp-user-42', role: 'admin', iss: ISSUER, aud: AUDIENCE, iat: nowSeconds(), exp: nowSeconds() + 300 }, hmacSha256(idpKey.publicPem)),
      'Invalid token',
    ],
    ['an alg:none token from the provider', () => forgeJwt({ alg: 'none', kid: idpKey.kid }, { sub: 'idp-user-42', role: 'admin', iss: ISSUER, aud: AUDIENCE, exp: nowSeconds() + 300 }), 'Invalid token'],
  ];

  it.each(refused)('refuses %s', async (_name, build, reason) => {
    const token = build();
    expect(await verify(t, token)).toEqual({ valid: false, error: reason });
    const error = expectEnvelope(await t.http.get('/api/audit-logs').set(bearer(token)), 401, 'ERR_UNAUTHORIZED');
    expect(error.message).toBe(reason);
  });
});

describe('Identity: per-IP strict rate limit on login (AUTH_RATE_LIMIT_PER_MINUTE=5)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ env: { AUTH_RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(() => t?.close());

  it('answers the 6th login request of a minute with 429, even with valid credentials', async () => {
    const account = await registerCustomer(t); // register and login have separate budgets; this spends one login
    for (let i = 0; i < 4; i++) expectEnvelope(await login(t, uniqueEmail('spray')), 401, 'ERR_UNAUTHORIZED');
    const limited = await login(t, account.email);
    expectEnvelope(limited, 429, 'ERR_RATE_LIMITED');
    expect(limited.headers['retry-after']).toBeDefined();
    // Routes without the strict limit still answer.
    expect(await verify(t, account.token)).toMatchObject({ valid: true });
  });
});
