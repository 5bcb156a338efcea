import { bootTestApp, TestApp } from './harness/app';
import { createAdmin, registerMerchant, TestAccount } from './support/identity';

/** Issue 3: only ACTIVE stores publish; approval by an admin is what changes that. */
describe('Publishing follows the store status', () => {
  let t: TestApp;
  let admin: TestAccount;

  beforeAll(async () => {
    t = await bootTestApp();
    admin = await createAdmin(t);
  });
  afterAll(() => t?.close());

  const setStatus = (m: TestAccount, transition: 'approve' | 'suspend' | 'reject') =>
    t.http.post(`/api/admin/merchants/${m.merchantId}/${transition}`).set(admin.auth).send({});

  it('a PENDING store can prepare drafts but not publish; approval lets it publish', async () => {
    const merchant = await registerMerchant(t);
    const refused = await t.http.post('/api/products').set(merchant.auth).send({ name: 'Tent', price: '120.00', status: 'active' }).expect(403);
    expect(refused.body.error).toMatchObject({ code: 'ERR_FORBIDDEN', detail: { merchant_status: 'PENDING' } });
    expect(await t.dataSource.query('SELECT 1 FROM products WHERE merchant_id = $1', [merchant.merchantId])).toHaveLength(0);

    const draft = await t.http.post('/api/products').set(merchant.auth).send({ name: 'Tent', price: '120.00' }).expect(201);
    expect(draft.body.status).toBe('draft');
    await t.http.put(`/api/products/${draft.body.id}`).set(merchant.auth).send({ status: 'active' }).expect(403);

    await setStatus(merchant, 'approve').expect(200);
    const published = await t.http.put(`/api/products/${draft.body.id}`).set(merchant.auth).send({ status: 'active' }).expect(200);
    expect(published.body.status).toBe('active');
  });

  it('a SUSPENDED store cannot publish again, and a REJECTED one never could', async () => {
    const merchant = await registerMerchant(t, { approve: true, admin });
    const product = await t.http.post('/api/products').set(merchant.auth).send({ name: 'Stove', price: '40.00', status: 'inactive' }).expect(201);
    await setStatus(merchant, 'suspend').expect(200);
    await t.http.put(`/api/products/${product.body.id}`).set(merchant.auth).send({ status: 'active' }).expect(403);

    const rejected = await registerMerchant(t);
    await setStatus(rejected, 'reject').expect(200);
    await t.http.post('/api/products').set(rejected.auth).send({ name: 'Lamp', price: '9.99', status: 'active' }).expect(403);
  });

  it('the store page is public only while ACTIVE', async () => {
    const merchant = await registerMerchant(t);
    await t.http.get(`/api/public/stores/${merchant.merchantId}`).expect(404);
    await setStatus(merchant, 'approve').expect(200);
    await t.http.get(`/api/public/stores/${merchant.merchantId}`).expect(200);
    await setStatus(merchant, 'suspend').expect(200);
    await t.http.get(`/api/public/stores/${merchant.merchantId}`).expect(404);
  });

  it('serves the public store page cacheably: ETag, 304 while unchanged, 200 after a change', async () => {
    const merchant = await registerMerchant(t, { approve: true, admin });
    const first = await t.http.get(`/api/public/stores/${merchant.merchantId}`).expect(200);
    expect(first.headers['cache-control']).toMatch(/public, max-age=60/);
    expect(first.headers.vary).toMatch(/Accept-Language/);
    const etag = first.headers.etag;
    expect(etag).toMatch(/^W\/"/);
    const again = await t.http.get(`/api/public/stores/${merchant.merchantId}`).set('If-None-Match', etag).expect(304);
    expect(again.text ?? '').toBe('');
    await t.http.put('/api/merchants/me').set(merchant.auth).send({ description: 'Now with tents' }).expect(200);
    const changed = await t.http.get(`/api/public/stores/${merchant.merchantId}`).set('If-None-Match', etag).expect(200);
    expect(changed.body.description).toBe('Now with tents');
    expect(changed.headers.etag).not.toBe(etag);
  });
});
