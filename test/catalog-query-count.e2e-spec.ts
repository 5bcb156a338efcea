import { bootTestApp, TestApp } from './harness/app';
import { createProduct, insertCollection, setStoreCurrencies, tok } from './support/catalog';
import { createAdmin, registerMerchant, TestAccount } from './support/identity';
import { SqlStatementCounter } from './support/sql-statements';

/**
 * The most SQL statements one list request may run, whatever the page size. Today a merchant list
 * runs 6 (the page, its COUNT, then variants, prices, images and collections, one each); the
 * storefront list 2 (the page with every child and translation in one statement, and its COUNT;
 * public-catalog.reader.ts), 3 when the store lookup is not remembered yet.
 */
const MAX_STATEMENTS = 8;

type Item = Record<string, any>;

/**
 * Issue 4, "no N+1": a page of 100 products with variants, images, collections, prices and
 * translations costs a small, fixed number of statements, the same as a page of 10. The counting
 * method (a scoped spy on pg's Client#query) is explained in support/sql-statements.ts.
 */
describe('Catalog lists run a fixed number of SQL statements', () => {
  let t: TestApp;
  let counter: SqlStatementCounter;
  let shop: TestAccount;
  const collections: string[] = [];
  const counts: Record<number, { merchant: number; public: number }> = {};

  // Each stage asks for a full page: on a page that is not full TypeORM knows the total without its
  // COUNT statement, which would make the smaller stage look one statement cheaper.
  const merchantList = (perPage: number) => `/api/products?per_page=${perPage}&include_variants=true`;
  const publicList = (perPage: number) => `/api/public/products?merchant=${shop.merchantId}&per_page=${perPage}&include_variants=true&locale=fr&currency=EUR`;

  /** Products `from`…`from + count - 1`: 3 variants (one with its own EUR price), 2 collections, an EUR price, 2 images, a French translation. */
  async function addProducts(from: number, count: number): Promise<void> {
    const created: Item[] = [];
    for (let start = from; start < from + count; start += 10) {
      const batch = Array.from({ length: Math.min(10, from + count - start) }, (_, k) => start + k);
      created.push(
        ...(await Promise.all(
          batch.map((i) =>
            createProduct(t, shop, {
              name: `Product ${i}`,
              price: '20.00',
              cost_price: '5.00',
              status: 'active',
              tags: ['bulk'],
              collections: [collections[i % 4], collections[(i + 1) % 4]],
              prices: [{ currency: 'EUR', price: '18.00' }],
              variants: ['S', 'M', 'L'].map((size) => ({
                sku: `P${i}-${size}-${tok()}`,
                attributes: { size },
                stock: 1,
                ...(size === 'L' ? { price: '24.00', prices: [{ currency: 'EUR', price: '22.00' }] } : {}),
              })),
            }),
          ),
        )),
      );
    }
    const ids = created.map((p) => p.id);
    // Images and translations have their own routes; rows inserted directly keep this file about reading.
    await t.dataSource.query(
      `INSERT INTO product_images (merchant_id, product_id, url, position)
       SELECT $1, id, 'https://cdn.example.com/' || id || '-' || n || '.jpg', n FROM unnest($2::uuid[]) AS id, generate_series(0, 1) AS n`,
      [shop.merchantId, ids],
    );
    await t.dataSource.query(
      `INSERT INTO product_translations (merchant_id, product_id, language_code, name) SELECT $1, id, 'fr', 'Produit' FROM unnest($2::uuid[]) AS id`,
      [shop.merchantId, ids],
    );
  }

  /** Runs both lists, checks they carry every child, and records their statement counts. */
  async function measure(products: number): Promise<void> {
    const merchant = await counter.get(merchantList(products), shop.auth);
    expect(merchant.response.status).toBe(200);
    expect(merchant.response.body.items).toHaveLength(products);
    for (const item of merchant.response.body.items as Item[]) {
      expect([item.variants.length, item.images.length, item.collections.length, item.prices.length]).toEqual([3, 2, 2, 1]);
      expect(item.cost_price).toBe('5.00');
    }

    await counter.get(publicList(products)); // the store lookup is then remembered, as on a busy storefront
    const storefront = await counter.get(publicList(products));
    expect(storefront.response.status).toBe(200);
    expect(storefront.response.body.items).toHaveLength(products);
    for (const item of storefront.response.body.items as Item[]) {
      expect(item).toMatchObject({ name: 'Produit', locale: 'fr', price: '18.00', currency: 'EUR' });
      expect(item.variants.map((v: Item) => v.price)).toEqual(['18.00', '18.00', '22.00']);
      expect([item.images.length, item.collections.length]).toEqual([2, 2]);
    }
    counts[products] = { merchant: merchant.statements.length, public: storefront.statements.length };
  }

  beforeAll(async () => {
    // The storefront's answer cache is off: this file counts what computing an answer costs.
    t = await bootTestApp({ env: { STOREFRONT_CACHE_MB: '0' } });
    counter = new SqlStatementCounter(t).install();
    shop = await registerMerchant(t, { approve: true, admin: await createAdmin(t) });
    await setStoreCurrencies(t, shop, 'USD', ['USD', 'EUR']);
    for (let c = 0; c < 4; c++) {
      collections.push(`col-${c}-${tok()}`);
      await insertCollection(t, shop.merchantId!, collections[c], { displayOrder: c });
    }
  });
  afterAll(async () => {
    counter?.uninstall();
    await t?.close();
  });

  it('lists 10 products in a few statements; the first storefront request adds only the store lookup', async () => {
    await addProducts(0, 10);
    const cold = await counter.get(publicList(10));
    expect(cold.response.status).toBe(200);
    await measure(10);
    expect(counts[10].merchant).toBeLessThanOrEqual(MAX_STATEMENTS);
    expect(counts[10].public).toBeLessThanOrEqual(MAX_STATEMENTS);
    expect(cold.statements.length).toBeLessThanOrEqual(MAX_STATEMENTS);
    expect(cold.statements.length).toBe(counts[10].public + 1);
    expect(counts[10].public).toBe(2);
  });

  it('lists 100 products (per_page=100) in exactly as many statements as 10', async () => {
    await addProducts(10, 90);
    await measure(100);
    expect(counts[100]).toEqual(counts[10]);
  }, 120_000);
});
