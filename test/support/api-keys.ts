import type { TestApp } from '../harness/app';
import type { TestAccount } from './identity';

export interface CreatedApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  mode: 'live' | 'test';
  /** The full secret, shown only in the create response. */
  key: string;
  requestId: string;
}

/** Creates a merchant API key through the route a signed-in merchant uses. */
export async function createApiKey(
  t: TestApp,
  owner: TestAccount,
  body: { name?: string; scopes?: string[]; mode?: 'live' | 'test' } = {},
): Promise<CreatedApiKey> {
  const res = await t.http
    .post('/api/merchant/api-keys')
    .set(owner.auth)
    .send({ name: body.name ?? 'Test key', ...(body.scopes ? { scopes: body.scopes } : {}), ...(body.mode ? { mode: body.mode } : {}) });
  if (res.status !== 201) throw new Error(`api key create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, requestId: res.headers['x-request-id'] };
}

/** `Authorization: Bearer ock_…` for supertest's .set() */
export const bearerKey = (key: string) => ({ Authorization: `Bearer ${key}` });
