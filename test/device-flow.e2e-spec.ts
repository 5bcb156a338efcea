import * as jwt from 'jsonwebtoken';
import type { Browser, BrowserContext } from 'playwright-core';
import { bootTestApp, TestApp } from './harness/app';
import { collectPageProblems, launchChromium, listenOnFreePort } from './support/browser';
import { deviceRow, expireDeviceCode, forgetLastPoll, pollDeviceToken, startDeviceFlow, submitDevicePage } from './support/device-flow';
import { registerCustomer, TestAccount } from './support/identity';

/** RFC 8628 §6.1: 8 letters without vowels, shown as XXXX-XXXX. */
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;
/** The value attribute of the page's code field. */
const codeFieldValue = (html: string) => /<input id="user_code"[^>]*value="([^"]*)"/.exec(html)?.[1];

describe('Device authorization flow (RFC 8628)', () => {
  let t: TestApp;
  let customer: TestAccount;

  beforeAll(async () => {
    t = await bootTestApp();
    customer = await registerCustomer(t);
  });
  afterAll(() => t?.close());

  const approve = (userCode: string, account = customer) => submitDevicePage(t, { user_code: userCode, email: account.email, password: account.password, action: 'approve' });
  const deny = (userCode: string, account = customer) => submitDevicePage(t, { user_code: userCode, email: account.email, password: account.password, action: 'deny' });

  describe('POST /api/v1/oauth/device/authorize', () => {
    function expectCodes(body: Record<string, unknown>) {
      expect(body).toEqual({
        device_code: expect.any(String),
        user_code: expect.stringMatching(USER_CODE),
        verification_uri: `${t.config.publicBaseUrl}/device`,
        verification_uri_complete: expect.any(String),
        expires_in: 600,
        interval: 5,
      });
      expect(body.user_code).not.toMatch(/[AEIOU]/);
      expect((body.device_code as string).length).toBeGreaterThanOrEqual(32);
      expect(body.verification_uri).toMatch(/\/device$/);
      expect(body.verification_uri_complete).toBe(`${body.verification_uri}?user_code=${body.user_code}`);
    }

    it('issues codes for a JSON request', async () => {
      const res = await t.http.post('/api/v1/oauth/device/authorize').send({ client_id: 'bi-cli', scope: 'read' }).expect(200);
      expectCodes(res.body);
    });

    it('issues codes for a form-encoded request', async () => {
      const res = await t.http.post('/api/v1/oauth/device/authorize').type('form').send({ client_id: 'bi-cli' }).expect(200);
      expectCodes(res.body);
    });

    it('answers a missing client_id with invalid_request', async () => {
      const res = await t.http.post('/api/v1/oauth/device/authorize').type('form').send({ scope: 'read' }).expect(400);
      expect(res.body).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
    });

    it('answers an unknown scope with invalid_scope', async () => {
      const res = await t.http.post('/api/v1/oauth/device/authorize').type('form').send({ client_id: 'bi-cli', scope: 'read admin' }).expect(400);
      expect(res.body).toMatchObject({ error: 'invalid_scope' });
    });
  });

  describe('polling the token endpoint', () => {
    it('answers authorization_pending, then slow_down when polled too fast, growing the interval by 5 s', async () => {
      const codes = await startDeviceFlow(t);
      const pending = await pollDeviceToken(t, codes.device_code).expect(400);
      expect(pending.body).toMatchObject({ error: 'authorization_pending' });
      expect(pending.headers['cache-control']).toBe('no-store');
      expect(await deviceRow(t, codes.user_code)).toMatchObject({ status: 'pending', interval_seconds: 5, last_polled_at: expect.any(Date) });

      const tooFast = await pollDeviceToken(t, codes.device_code).expect(400);
      expect(tooFast.body).toMatchObject({ error: 'slow_down' });
      expect((await deviceRow(t, codes.user_code)).interval_seconds).toBe(10);

      // A client that waited the (new) interval is answered normally, and the interval stays.
      await forgetLastPoll(t, codes.user_code);
      const waited = await pollDeviceToken(t, codes.device_code).expect(400);
      expect(waited.body).toMatchObject({ error: 'authorization_pending' });
      expect((await deviceRow(t, codes.user_code)).interval_seconds).toBe(10);
    });

    it('answers an unknown device code with invalid_grant', async () => {
      const res = await pollDeviceToken(t, 'no-such-device-code').expect(400);
      expect(res.body).toMatchObject({ error: 'invalid_grant' });
    });

    it('answers a device code presented by another client with invalid_grant', async () => {
      const codes = await startDeviceFlow(t, 'bi-cli');
      const res = await pollDeviceToken(t, codes.device_code, 'other-cli').expect(400);
      expect(res.body).toMatchObject({ error: 'invalid_grant' });
    });

    it('answers an expired device code with expired_token', async () => {
      const codes = await startDeviceFlow(t);
      await expireDeviceCode(t, codes.user_code);
      const res = await pollDeviceToken(t, codes.device_code).expect(400);
      expect(res.body).toMatchObject({ error: 'expired_token' });
    });

    it('answers a poll without device_code with invalid_request', async () => {
      const res = await t.http
        .post('/api/v1/oauth/token')
        .type('form')
        .send({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: 'bi-cli' })
        .expect(400);
      expect(res.body).toMatchObject({ error: 'invalid_request' });
    });
  });

  describe('approving and denying on the /device page', () => {
    it('serves the form with the code prefilled from verification_uri_complete', async () => {
      const codes = await startDeviceFlow(t);
      const res = await t.http.get(`/device?user_code=${codes.user_code}`).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(codeFieldValue(res.text)).toBe(codes.user_code);
    });

    it('approves a device: the next poll gets delegated tokens, once', async () => {
      const codes = await startDeviceFlow(t, 'bi-cli', 'read write');
      const page = await approve(codes.user_code).expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('Device connected');
      expect(page.text).toContain('bi-cli');
      expect(await deviceRow(t, codes.user_code)).toMatchObject({ status: 'approved', user_id: customer.id });

      const res = await pollDeviceToken(t, codes.device_code).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String), token_type: 'bearer', expires_in: expect.any(Number) });
      const claims = jwt.decode(res.body.access_token) as jwt.JwtPayload;
      expect(claims).toMatchObject({ sub: customer.id, delegated: true, client_id: 'bi-cli', scopes: ['read', 'write'] });

      const verified = await t.http.post('/api/v1/auth/verify').send({ token: res.body.access_token }).expect(200);
      expect(verified.body).toMatchObject({ valid: true, user_id: customer.id, delegated: true });
      const me = await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${res.body.access_token}`).expect(200);
      expect(me.body).toMatchObject({ id: customer.id, email: customer.email });

      // The refresh token rotates into a pair that is still delegated to the same client.
      const refreshed = await t.http.post('/api/v1/oauth/token').type('form').send({ grant_type: 'refresh_token', refresh_token: res.body.refresh_token }).expect(200);
      expect(jwt.decode(refreshed.body.access_token)).toMatchObject({ sub: customer.id, delegated: true, client_id: 'bi-cli' });
      await t.http.get('/api/v1/auth/me').set('Authorization', `Bearer ${refreshed.body.access_token}`).expect(200);

      // The device code works once.
      await forgetLastPoll(t, codes.user_code);
      const again = await pollDeviceToken(t, codes.device_code).expect(400);
      expect(again.body).toMatchObject({ error: 'invalid_grant' });
    });

    it('denies a device: the poll answers access_denied', async () => {
      const codes = await startDeviceFlow(t);
      const page = await deny(codes.user_code).expect(200);
      expect(page.text).toContain('Device denied');
      const res = await pollDeviceToken(t, codes.device_code).expect(400);
      expect(res.body).toMatchObject({ error: 'access_denied' });
    });

    it('answers a wrong password with 401, an error and the code kept in the field', async () => {
      const codes = await startDeviceFlow(t);
      const page = await submitDevicePage(t, { user_code: codes.user_code, email: customer.email, password: 'not-the-password-1', action: 'approve' }).expect(401);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toMatch(/<p class="error" role="alert">Wrong email or password\.<\/p>/);
      expect(codeFieldValue(page.text)).toBe(codes.user_code);
      expect((await deviceRow(t, codes.user_code)).status).toBe('pending');
    });

    it('answers an unknown user code with 400 and an error', async () => {
      const page = await approve('BCDF-GHJK').expect(400);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toMatch(/<p class="error" role="alert">[^<]*unknown[^<]*<\/p>/);
      expect(codeFieldValue(page.text)).toBe('BCDF-GHJK');
    });

    it('does not accept a code twice', async () => {
      const codes = await startDeviceFlow(t);
      await approve(codes.user_code).expect(200);
      await deny(codes.user_code).expect(400);
      expect((await deviceRow(t, codes.user_code)).status).toBe('approved');
    });

    it.each([
      ['lower case with the dash', (code: string) => code.toLowerCase()],
      ['without the dash', (code: string) => code.replace('-', '')],
      ['lower case without the dash', (code: string) => code.replace('-', '').toLowerCase()],
    ])('accepts the user code %s', async (_label, typed) => {
      const codes = await startDeviceFlow(t);
      await approve(typed(codes.user_code)).expect(200);
      const res = await pollDeviceToken(t, codes.device_code).expect(200);
      expect(jwt.decode(res.body.access_token)).toMatchObject({ sub: customer.id, delegated: true });
    });
  });

  describe('OpenAPI', () => {
    it('documents the token and authorize endpoints but not the HTML page', async () => {
      const doc = (await t.http.get('/openapi.json').expect(200)).body;
      expect(doc.paths['/api/v1/oauth/token']?.post).toBeDefined();
      expect(doc.paths['/api/v1/oauth/device/authorize']?.post).toBeDefined();
      expect(Object.keys(doc.paths).filter((path) => path === '/device' || path.startsWith('/device/'))).toEqual([]);
    });
  });

  describe('in a real browser (headless Chromium)', () => {
    let browser: Browser;
    let context: BrowserContext;
    let origin: string;

    beforeAll(async () => {
      origin = await listenOnFreePort(t);
      browser = await launchChromium();
    }, 30_000);
    beforeEach(async () => {
      context = await browser.newContext();
    });
    afterEach(() => context?.close());
    afterAll(() => browser?.close());

    /** verification_uri_complete on the listening app (PUBLIC_BASE_URL points elsewhere). */
    const onThisServer = (uri: string) => {
      const url = new URL(uri);
      return `${origin}${url.pathname}${url.search}`;
    };

    async function openPrefilled(userCode: string, verificationUriComplete: string) {
      const page = await context.newPage();
      const problems = await collectPageProblems(page);
      const response = await page.goto(onThisServer(verificationUriComplete));
      expect(response?.status()).toBe(200);
      await expect(page.locator('#user_code').inputValue()).resolves.toBe(userCode);
      await page.fill('#email', customer.email);
      await page.fill('#password', customer.password);
      return { page, problems };
    }

    it('approves with the form: the CLI then gets tokens', async () => {
      const codes = await startDeviceFlow(t);
      const { page, problems } = await openPrefilled(codes.user_code, codes.verification_uri_complete);
      await Promise.all([page.waitForURL(`${origin}/device`), page.click('button[value=approve]')]);
      await expect(page.locator('h1').textContent()).resolves.toBe('Device connected');
      await expect(page.getByRole('status').textContent()).resolves.toContain('bi-cli is now signed in');
      expect(problems).toEqual([]);

      const res = await pollDeviceToken(t, codes.device_code).expect(200);
      expect(jwt.decode(res.body.access_token)).toMatchObject({ sub: customer.id, delegated: true, client_id: 'bi-cli' });
    }, 30_000);

    it('denies with the form: the CLI then gets access_denied', async () => {
      const codes = await startDeviceFlow(t);
      const { page, problems } = await openPrefilled(codes.user_code, codes.verification_uri_complete);
      await Promise.all([page.waitForURL(`${origin}/device`), page.click('button[value=deny]')]);
      await expect(page.locator('h1').textContent()).resolves.toBe('Device denied');
      expect(problems).toEqual([]);

      const res = await pollDeviceToken(t, codes.device_code).expect(400);
      expect(res.body).toMatchObject({ error: 'access_denied' });
    }, 30_000);
  });
});
