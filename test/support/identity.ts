import { randomBytes } from 'node:crypto';
import { AuthService } from '../../src/modules/identity/auth.service';
import type { TestApp } from '../harness/app';

export const STRONG_PASSWORD = 'Correct-horse-battery-9';

export interface TestAccount {
  id: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
  /** `{ Authorization: 'Bearer …' }` for supertest's .set() */
  auth: { Authorization: string };
  merchantId?: string;
}

const uniqueEmail = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}@example.com`;

export async function login(t: TestApp, email: string, password = STRONG_PASSWORD): Promise<{ token: string; refreshToken: string }> {
  const res = await t.http.post('/api/v1/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.access_token, refreshToken: res.body.refresh_token };
}

function account(id: string, email: string, tokens: { token: string; refreshToken: string }, merchantId?: string): TestAccount {
  return { id, email, password: STRONG_PASSWORD, ...tokens, auth: { Authorization: `Bearer ${tokens.token}` }, merchantId };
}

export async function registerCustomer(t: TestApp, email = uniqueEmail('customer')): Promise<TestAccount> {
  const res = await t.http.post('/api/v1/auth/register').send({ email, password: STRONG_PASSWORD, name: 'Test Customer' });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return account(res.body.id, email, await login(t, email));
}

/** A merchant user and its store; `approve` makes the store ACTIVE through the admin route. */
export async function registerMerchant(t: TestApp, options: { approve?: boolean; admin?: TestAccount; businessName?: string } = {}): Promise<TestAccount> {
  const email = uniqueEmail('merchant');
  const res = await t.http
    .post('/api/v1/auth/register/merchant')
    .send({ email, password: STRONG_PASSWORD, business_name: options.businessName ?? `Shop ${randomBytes(3).toString('hex')}` });
  if (res.status !== 201) throw new Error(`merchant register failed: ${res.status} ${JSON.stringify(res.body)}`);
  const merchantId: string = res.body.merchant.id;
  if (options.approve) {
    const admin = options.admin ?? (await createAdmin(t));
    const approved = await t.http.post(`/api/admin/merchants/${merchantId}/approve`).set(admin.auth).send({});
    if (approved.status !== 200) throw new Error(`approve failed: ${approved.status} ${JSON.stringify(approved.body)}`);
  }
  return account(res.body.user.id, email, await login(t, email), merchantId);
}

/** Admins exist only through the CLI's service call, never through registration. */
export async function createAdmin(t: TestApp): Promise<TestAccount> {
  const email = uniqueEmail('admin');
  const { user } = await t.app.get(AuthService).createOrPromoteAdmin(email, STRONG_PASSWORD);
  return account(user.id, email, await login(t, email));
}
