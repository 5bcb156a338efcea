import { MerchantScopedRepository, MissingMerchantScopeError, Role } from '@app/common';
import { ApiKey } from '../src/modules/identity/entities/api-key.entity';
import { TokenService } from '../src/modules/identity/token.service';
import { bootTestApp, TestApp } from './harness/app';
import { createAdmin, registerCustomer, registerMerchant, TestAccount } from './support/identity';
import { MERCHANT_ROUTE_FIXTURES } from './support/merchant-fixtures';
import { fillPath, registeredRoutes, RouteInfo, routeName } from './support/routes';

type Caller = 'anonymous' | 'customer' | 'merchantA' | 'merchantB' | 'admin' | 'readOnlyKey';

/**
 * Walks every route the app registers (later modules included, with no list to maintain) and
 * checks who gets in: anonymous callers are refused everywhere but @Public routes, each role
 * only where @Auth allows it, read-only API keys only for reads, and another merchant's ids
 * answer 404.
 */
describe('Access control over every registered route', () => {
  let t: TestApp;
  let routes: RouteInfo[];
  const accounts = {} as Record<'customer' | 'merchantA' | 'merchantB' | 'admin', TestAccount>;
  let readOnlyKey: string;

  beforeAll(async () => {
    t = await bootTestApp();
    routes = registeredRoutes(t);
    accounts.admin = await createAdmin(t);
    accounts.customer = await registerCustomer(t);
    accounts.merchantA = await registerMerchant(t, { approve: true, admin: accounts.admin });
    accounts.merchantB = await registerMerchant(t, { approve: true, admin: accounts.admin });
    readOnlyKey = (await t.http.post('/api/merchant/api-keys').set(accounts.merchantA.auth).send({ name: 'ro', scopes: ['read'] }).expect(201)).body.key;
  });
  afterAll(() => t?.close());

  /** A fresh token per request, so a route that revokes the caller's token (logout) cannot spoil the next. */
  function headersFor(caller: Caller): Record<string, string> {
    if (caller === 'anonymous') return {};
    if (caller === 'readOnlyKey') return { 'X-API-Key': readOnlyKey };
    const account = accounts[caller];
    const role: Role = caller === 'customer' ? 'customer' : caller === 'admin' ? 'admin' : 'merchant';
    const token = t.app.get(TokenService).signAccessToken({ userId: account.id, role, merchantId: account.merchantId ?? null });
    return { Authorization: `Bearer ${token}` };
  }

  async function call(route: RouteInfo, caller: Caller, path = fillPath(route.path), body: object = {}) {
    const req = t.http[route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](path).set(headersFor(caller));
    return route.method === 'GET' ? req : req.send(body);
  }

  it('finds the routes of every module (sanity check of the walk itself)', () => {
    const names = routes.map(routeName);
    expect(names).toEqual(expect.arrayContaining(['GET /health', 'POST /api/v1/auth/login', 'GET /api/merchants/me', 'DELETE /api/merchant/api-keys/:id', 'GET /device']));
    expect(routes.length).toBeGreaterThan(25);
  });

  it('refuses anonymous callers on every non-public route with 401, and serves public routes without a 5xx', async () => {
    const problems: string[] = [];
    for (const route of routes) {
      const res = await call(route, 'anonymous');
      if (!route.isPublic && res.status !== 401) problems.push(`${routeName(route)} → ${res.status} (expected 401)`);
      if (!route.isPublic && res.status === 401 && res.body?.error?.code !== 'ERR_UNAUTHORIZED') problems.push(`${routeName(route)} → 401 without the envelope`);
      if (route.isPublic && (res.status === 401 || res.status >= 500)) problems.push(`${routeName(route)} → ${res.status} (public)`);
    }
    expect(problems).toEqual([]);
  });

  it('lets each role in exactly where @Auth allows it', async () => {
    const problems: string[] = [];
    for (const route of routes.filter((r) => !r.isPublic)) {
      for (const caller of ['customer', 'merchantA', 'admin'] as const) {
        const role: Role = caller === 'merchantA' ? 'merchant' : caller;
        const allowed = route.roles.length === 0 || route.roles.includes(role);
        const res = await call(route, caller);
        if (!allowed && res.status !== 403) problems.push(`${routeName(route)} as ${caller} → ${res.status} (expected 403)`);
        if (allowed && [401, 403].includes(res.status)) problems.push(`${routeName(route)} as ${caller} → ${res.status} (expected to be let in)`);
        if (res.status >= 500) problems.push(`${routeName(route)} as ${caller} → ${res.status}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('lets a read-only merchant API key read where keys are allowed, and nothing else', async () => {
    const problems: string[] = [];
    for (const route of routes.filter((r) => !r.isPublic)) {
      const allowed = route.apiKeysAllowed && (route.roles.length === 0 || route.roles.includes('merchant')) && route.method === 'GET';
      const res = await call(route, 'readOnlyKey');
      if (!allowed && res.status !== 403) problems.push(`${routeName(route)} with a read-only key → ${res.status} (expected 403)`);
      if (allowed && [401, 403].includes(res.status)) problems.push(`${routeName(route)} with a read-only key → ${res.status} (expected to be let in)`);
    }
    expect(problems).toEqual([]);
  });

  it('keeps merchant B away from merchant A\'s resources on every merchant route with parameters (404)', async () => {
    const merchantRoutes = routes.filter((r) => !r.isPublic && r.roles.includes('merchant') && r.path.includes(':'));
    const missing = merchantRoutes.filter((r) => !MERCHANT_ROUTE_FIXTURES[r.path]).map(routeName);
    expect({ missingFixtures: missing }).toEqual({ missingFixtures: [] });

    const problems: string[] = [];
    for (const route of merchantRoutes) {
      const owned = await MERCHANT_ROUTE_FIXTURES[route.path](t, accounts.merchantA);
      const path = fillPath(route.path, owned.params);
      const body = owned.bodies?.[route.method as 'PUT'] ?? {};
      const asB = await call(route, 'merchantB', path, body);
      if (!owned.selfScoped && asB.status !== 404) problems.push(`${route.method} ${path} as merchant B → ${asB.status} (expected 404)`);
      if (asB.status >= 500) problems.push(`${route.method} ${path} as merchant B → ${asB.status}`);
      if (!(await owned.intact())) problems.push(`${route.method} ${path} as merchant B changed merchant A's resource`);
      const asA = await call(route, 'merchantA', path, body);
      const ownerFails = owned.ownerStatus !== undefined ? asA.status !== owned.ownerStatus : asA.status >= 400;
      if (ownerFails) problems.push(`${route.method} ${path} as its owner → ${asA.status} ${JSON.stringify(asA.body?.error ?? '')}`);
    }
    expect(problems).toEqual([]);
  });

  it('refuses an unscoped read or write in the merchant-scoped repository, by construction', async () => {
    const keys = MerchantScopedRepository.for(t.dataSource.manager, ApiKey);
    for (const missing of ['', undefined, null] as unknown as string[]) {
      await expect(keys.find(missing)).rejects.toThrow(MissingMerchantScopeError);
      await expect(keys.getById(missing, '00000000-0000-4000-8000-000000000000')).rejects.toThrow(MissingMerchantScopeError);
      await expect(keys.save(missing, { name: 'x' })).rejects.toThrow(MissingMerchantScopeError);
      expect(() => keys.createQueryBuilder(missing, 'k')).toThrow(MissingMerchantScopeError);
    }
    // A row claiming another merchant is refused rather than silently re-homed.
    await expect(keys.save(accounts.merchantA.merchantId!, { name: 'x', merchantId: accounts.merchantB.merchantId! })).rejects.toThrow(MissingMerchantScopeError);
    // Another merchant's id, and a malformed id, are simply not found.
    const [aKey] = await keys.find(accounts.merchantA.merchantId!);
    await expect(keys.getById(accounts.merchantB.merchantId!, aKey.id)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
    await expect(keys.getById(accounts.merchantA.merchantId!, 'not-a-uuid')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it('documents every route in the OpenAPI document with its security requirement', async () => {
    const spec = (await t.http.get('/openapi.json').expect(200)).body;
    const problems: string[] = [];
    for (const route of routes.filter((r) => r.path !== '/device')) {
      const op = spec.paths[route.path.replace(/:([A-Za-z_]+)/g, '{$1}')]?.[route.method.toLowerCase()];
      if (!op) {
        problems.push(`${routeName(route)} is missing from /openapi.json`);
        continue;
      }
      const schemes = (op.security ?? []).flatMap((s: object) => Object.keys(s));
      if (route.isPublic && schemes.length) problems.push(`${routeName(route)} is public but documents ${schemes}`);
      if (!route.isPublic && !schemes.includes('bearer')) problems.push(`${routeName(route)} documents no bearer security`);
      if (!route.isPublic && route.apiKeysAllowed !== schemes.includes('api_key')) problems.push(`${routeName(route)} api_key documented: ${schemes.includes('api_key')}, allowed: ${route.apiKeysAllowed}`);
      if (!route.isPublic && !op.responses['401']) problems.push(`${routeName(route)} does not document 401`);
    }
    expect(problems).toEqual([]);
  });
});
