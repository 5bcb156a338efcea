import type { TestApp } from '../harness/app';
import { HOMEPAGE_FIXTURES } from './homepage-fixtures';
import type { TestAccount } from './identity';
import { MEDIA_FIXTURES } from './media-fixtures';
import { checkoutBody, markPaid } from './orders';
import { placePaidOrder } from './paid-orders';

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
  /** The owner's expected status when it is not a success (a route that reaches its resource and then refuses for another reason). */
  ownerStatus?: number;
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

/** A collection holding one product, with a French translation. */
async function createCollection(t: TestApp, owner: TestAccount): Promise<{ id: string; productId: string }> {
  const { id: productId } = await createProduct(t, owner);
  const slug = `fixture-${Math.random().toString(36).slice(2, 8)}`;
  const res = await t.http.post('/api/collections').set(owner.auth).send({ slug, name: 'Fixture collection' }).expect(201);
  await t.http.post(`/api/collections/${res.body.id}/products`).set(owner.auth).send({ product_ids: [productId] }).expect(200);
  await t.http.post(`/api/collections/${res.body.id}/translations`).set(owner.auth).send({ language_code: 'fr', name: 'Collection FR' }).expect(201);
  return { id: res.body.id, productId };
}

const collectionIntact = (t: TestApp, owner: TestAccount, id: string) => async () => {
  const [collection, translations] = await Promise.all([
    t.http.get(`/api/collections/${id}`).set(owner.auth),
    t.http.get(`/api/collections/${id}/translations`).set(owner.auth),
  ]);
  return (
    collection.status === 200 &&
    collection.body.name === 'Fixture collection' &&
    collection.body.product_count === 1 &&
    translations.status === 200 &&
    JSON.stringify(translations.body.items.map((x: { language_code: string; name: string }) => [x.language_code, x.name])) === '[["fr","Collection FR"]]'
  );
};

/** A product with a French translation. */
async function createTranslatedProduct(t: TestApp, owner: TestAccount): Promise<string> {
  const { id } = await createProduct(t, owner);
  await t.http.post(`/api/products/${id}/translations`).set(owner.auth).send({ language_code: 'fr', name: 'Produit FR' }).expect(201);
  return id;
}

const productTranslationsIntact = (t: TestApp, owner: TestAccount, id: string) => async () => {
  const res = await t.http.get(`/api/products/${id}/translations`).set(owner.auth);
  return res.status === 200 && JSON.stringify(res.body.items.map((x: { language_code: string; name: string }) => [x.language_code, x.name])) === '[["fr","Produit FR"]]';
};

/** Inventory (issue 6): a product with 5 units in stock, and a reservation of 1 of them. */
async function stockedFixture(t: TestApp, owner: TestAccount): Promise<{ id: string; intact: () => Promise<boolean> }> {
  const res = await t.http.post('/api/products').set(owner.auth).send({ name: `Fixture ${Math.random().toString(36).slice(2, 8)}`, price: '10.00', stock_quantity: 5 }).expect(201);
  const id: string = res.body.id;
  return {
    id,
    intact: async () => {
      const levels = await t.http.get(`/api/inventory/${id}`).set(owner.auth);
      return levels.status === 200 && levels.body.on_hand === 5 && levels.body.reserved === 0;
    },
  };
}

async function reservationFixture(t: TestApp, owner: TestAccount): Promise<OwnedResource> {
  const { id } = await stockedFixture(t, owner);
  const held = await t.http.post(`/api/inventory/products/${id}/reserve`).set(owner.auth).send({ quantity: 1 }).expect(201);
  return {
    params: { id: held.body.id },
    intact: async () => {
      const res = await t.http.get(`/api/inventory/reservations/${held.body.id}`).set(owner.auth);
      const levels = await t.http.get(`/api/inventory/${id}`).set(owner.auth);
      return res.status === 200 && res.body.status === 'active' && levels.body.on_hand === 5 && levels.body.reserved === 1;
    },
  };
}

const INVENTORY_FIXTURES: Record<string, (t: TestApp, owner: TestAccount) => Promise<OwnedResource>> = {
  '/api/inventory/:product_id': async (t, owner) => {
    const { id, intact } = await stockedFixture(t, owner);
    return { params: { product_id: id }, intact };
  },
  '/api/inventory/products/:id/stock': async (t, owner) => {
    const { id, intact } = await stockedFixture(t, owner);
    return { params: { id }, bodies: { PUT: { quantity: 2, reason: 'fixture' } }, intact };
  },
  '/api/inventory/products/:id/history': async (t, owner) => {
    const { id, intact } = await stockedFixture(t, owner);
    return { params: { id }, intact };
  },
  '/api/inventory/products/:id/reserve': async (t, owner) => {
    const { id, intact } = await stockedFixture(t, owner);
    return { params: { id }, bodies: { POST: { quantity: 1 } }, intact };
  },
  '/api/inventory/reservations/:id': reservationFixture,
  '/api/inventory/reservations/:id/commit': reservationFixture,
  '/api/inventory/reservations/:id/release': reservationFixture,
};

/** An order of the owner's store, paid (a stocked, active product checked out, then paid) and moved on to `status`. */
const orderFixture = (status: 'paid' | 'shipped' | 'delivered', ownerStatus?: number) => async (t: TestApp, owner: TestAccount): Promise<OwnedResource> => {
  const product = await t.http.post('/api/products').set(owner.auth).send({ name: `Fixture ${Math.random().toString(36).slice(2, 8)}`, price: '10.00', stock_quantity: 5, status: 'active' }).expect(201);
  const placed = await t.http.post('/api/public/checkout').send(checkoutBody(owner.merchantId!, [{ product_id: product.body.id, quantity: 1 }])).expect(201);
  const orderId: string = placed.body.order_id;
  await markPaid(t, orderId);
  if (status !== 'paid') await t.http.post(`/api/orders/merchant/${orderId}/ship`).set(owner.auth).send({ tracking_number: 'FIX-0', carrier: 'DHL' }).expect(200);
  if (status === 'delivered') await t.http.post(`/api/orders/merchant/${orderId}/mark-delivered`).set(owner.auth).send({}).expect(200);
  const [before] = await t.dataSource.query(`SELECT status, version, tracking_number FROM orders WHERE id = $1`, [orderId]);
  return {
    params: { id: orderId },
    ownerStatus,
    bodies: {
      POST: { tracking_number: 'FIX-1', carrier: 'UPS', status: 'in_transit', reason: 'fixture' },
    },
    intact: async () => {
      const [now] = await t.dataSource.query(`SELECT status, version, tracking_number FROM orders WHERE id = $1`, [orderId]);
      return JSON.stringify(now) === JSON.stringify(before);
    },
  };
};

const ORDER_FIXTURES: Record<string, (t: TestApp, owner: TestAccount) => Promise<OwnedResource>> = {
  '/api/orders/merchant/:id': orderFixture('paid'),
  '/api/orders/merchant/:id/shipping-history': orderFixture('paid'),
  '/api/orders/merchant/:id/ship': orderFixture('paid'),
  '/api/orders/merchant/:id/cancel': orderFixture('paid'),
  '/api/orders/merchant/:id/update-shipping-status': orderFixture('shipped'),
  '/api/orders/merchant/:id/mark-delivered': orderFixture('shipped'),
  '/api/orders/merchant/:id/complete': orderFixture('delivered'),
  // No logistics provider is configured in tests: the owner reaches the order and is told so (422), others get 404.
  '/api/orders/merchant/:id/refresh-label': orderFixture('paid', 422),
  '/api/tracking/order/:id': orderFixture('shipped'),
  // Payments (issue 8): the payment of a paid order.
  '/api/payments/status/:order_id': async (t, owner) => {
    const owned = await orderFixture('paid')(t, owner);
    return { ...owned, params: { order_id: owned.params.id } };
  },
  // A 1.00 refund of a paid order (test provider).
  '/api/refunds/:id': async (t, owner) => {
    const product = await t.http.post('/api/products').set(owner.auth).send({ name: `Fixture ${Math.random().toString(36).slice(2, 8)}`, price: '10.00', stock_quantity: 5, status: 'active' }).expect(201);
    const paid = await placePaidOrder(t, owner.merchantId!, [{ product_id: product.body.id, quantity: 1 }]);
    const refund = await t.http.post('/api/refunds/create').set(owner.auth).send({ payment_intent_id: paid.paymentIntentId, amount: '1.00', reason: 'requested_by_customer' }).expect(201);
    return {
      params: { id: refund.body.id },
      intact: async () => {
        const [row] = await t.dataSource.query(`SELECT status, amount::int FROM refunds WHERE id = $1`, [refund.body.id]);
        return row?.status === 'succeeded' && row.amount === 100;
      },
    };
  },
};

export const MERCHANT_ROUTE_FIXTURES: Record<string, (t: TestApp, owner: TestAccount) => Promise<OwnedResource>> = {
  ...ORDER_FIXTURES,
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
  '/api/collections/:id': async (t, owner) => {
    const { id } = await createCollection(t, owner);
    return { params: { id }, bodies: { PUT: { name: 'changed' } }, intact: collectionIntact(t, owner, id) };
  },
  '/api/collections/:id/products': async (t, owner) => {
    const { id } = await createCollection(t, owner);
    const { id: otherProductId } = await createProduct(t, owner);
    return { params: { id }, bodies: { POST: { product_ids: [otherProductId] } }, intact: collectionIntact(t, owner, id) };
  },
  '/api/collections/:id/products/:productId': async (t, owner) => {
    const { id, productId } = await createCollection(t, owner);
    return { params: { id, productId }, intact: collectionIntact(t, owner, id) };
  },
  '/api/collections/:id/translations': async (t, owner) => {
    const { id } = await createCollection(t, owner);
    return { params: { id }, bodies: { POST: { language_code: 'de', name: 'Sammlung' } }, intact: collectionIntact(t, owner, id) };
  },
  '/api/collections/:id/translations/:lang': async (t, owner) => {
    const { id } = await createCollection(t, owner);
    return { params: { id, lang: 'fr' }, bodies: { PUT: { name: 'changed' } }, intact: collectionIntact(t, owner, id) };
  },
  '/api/products/:id/translations': async (t, owner) => {
    const id = await createTranslatedProduct(t, owner);
    return { params: { id }, bodies: { POST: { language_code: 'de', name: 'Produkt' } }, intact: productTranslationsIntact(t, owner, id) };
  },
  '/api/products/:id/translations/:lang': async (t, owner) => {
    const id = await createTranslatedProduct(t, owner);
    return { params: { id, lang: 'fr' }, bodies: { PUT: { name: 'changed' } }, intact: productTranslationsIntact(t, owner, id) };
  },
  '/api/products/import/:jobId': async (t, owner) => {
    // A one-row import runs inline and is recorded, so its job id has a report to read.
    const handle = `fixture-import-${Math.random().toString(36).slice(2, 8)}`;
    const csv = `handle,name,price\n${handle},Fixture import,5.00\n`;
    const res = await t.http.post('/api/products/import').set(owner.auth).attach('file', Buffer.from(csv), 'fixture.csv').expect(200);
    return {
      params: { jobId: res.body.job_id },
      intact: async () => {
        const report = await t.http.get(`/api/products/import/${res.body.job_id}`).set(owner.auth);
        return report.status === 200 && report.body.created === 1;
      },
    };
  },
  ...INVENTORY_FIXTURES,
  ...MEDIA_FIXTURES,
  ...HOMEPAGE_FIXTURES,
};
