import type { TestApp } from '../harness/app';
import type { TestAccount } from './identity';

export interface OwnedResource {
  /** Values for the route's `:params`, naming a resource the owner has. */
  params: Record<string, string>;
  /** A valid body per method, so a request is refused for ownership, not for validation. */
  bodies?: Partial<Record<'POST' | 'PUT' | 'PATCH' | 'DELETE', object>>;
  /**
   * Routes under /me act on the caller's own store, and their params (a language code) name no
   * other merchant's row: another merchant's call then works on its own data, and only "the
   * owner's resource is untouched" is checked, not a 404.
   */
  selfScoped?: boolean;
  /** True while the owner's resource is still there, unchanged. */
  intact: () => Promise<boolean>;
}

/**
 * For every merchant route with path parameters: how to create a resource owned by a merchant.
 * The access-control test uses these to show another merchant cannot reach it. A new merchant
 * route with parameters fails that test until it has an entry here.
 */
async function createProduct(t: TestApp, owner: TestAccount): Promise<{ id: string; variantId: string }> {
  const res = await t.http
    .post('/api/products')
    .set(owner.auth)
    .send({ name: `Fixture ${Math.random().toString(36).slice(2, 8)}`, price: '10.00', variants: [{ attributes: { size: 'S' } }, { attributes: { size: 'M' } }] })
    .expect(201);
  return { id: res.body.id, variantId: res.body.variants[0].id };
}

const productIntact = (t: TestApp, owner: TestAccount, id: string) => async () => {
  const res = await t.http.get(`/api/products/${id}`).set(owner.auth);
  return res.status === 200 && res.body.name.startsWith('Fixture') && res.body.variants.length === 2;
};

export const MERCHANT_ROUTE_FIXTURES: Record<string, (t: TestApp, owner: TestAccount) => Promise<OwnedResource>> = {
  '/api/products/:id': async (t, owner) => {
    const { id } = await createProduct(t, owner);
    return { params: { id }, bodies: { PUT: { description: 'changed' } }, intact: productIntact(t, owner, id) };
  },
  '/api/products/:id/variants': async (t, owner) => {
    const { id } = await createProduct(t, owner);
    return { params: { id }, bodies: { POST: { attributes: { size: 'XL' } } }, intact: productIntact(t, owner, id) };
  },
  '/api/products/:id/variants/search': async (t, owner) => {
    const { id } = await createProduct(t, owner);
    return { params: { id }, intact: productIntact(t, owner, id) };
  },
  '/api/products/:id/variants/:variantId': async (t, owner) => {
    const { id, variantId } = await createProduct(t, owner);
    return {
      params: { id, variantId },
      bodies: { PUT: { stock: 3 } },
      intact: async () => {
        const res = await t.http.get(`/api/products/${id}`).set(owner.auth);
        return res.status === 200 && res.body.variants.some((v: { id: string; stock: number }) => v.id === variantId && v.stock === 0);
      },
    };
  },
  '/api/merchant/api-keys/:id': async (t, owner) => {
    const res = await t.http.post('/api/merchant/api-keys').set(owner.auth).send({ name: 'fixture', scopes: ['read'] }).expect(201);
    return {
      params: { id: res.body.id },
      intact: async () => {
        const list = await t.http.get('/api/merchant/api-keys').set(owner.auth).expect(200);
        return list.body.items.some((k: { id: string }) => k.id === res.body.id);
      },
    };
  },
  '/api/merchants/me/translations/:lang': async (t, owner) => {
    await t.http.put('/api/merchants/me/translations/fr').set(owner.auth).send({ name: 'Boutique' }).expect(200);
    return {
      params: { lang: 'fr' },
      bodies: { PUT: { name: 'Boutique 2' } },
      selfScoped: true,
      intact: async () => {
        const res = await t.http.get('/api/merchants/me/translations/fr').set(owner.auth);
        return res.status === 200 && res.body.name === 'Boutique';
      },
    };
  },
};
