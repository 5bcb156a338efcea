import { randomBytes } from 'node:crypto';
import type { ProductDto } from '../../src/modules/catalog/product-views';
import type { TestApp } from '../harness/app';
import type { TestAccount } from './identity';

/** A short random token for unique names, skus and slugs. */
export const tok = () => randomBytes(3).toString('hex');

/** Creates a product through the route a merchant uses; throws with the error body unless 201. */
export async function createProduct(t: TestApp, owner: TestAccount, body: Record<string, unknown>): Promise<ProductDto> {
  const res = await t.http.post('/api/products').set(owner.auth).send(body);
  if (res.status !== 201) throw new Error(`product create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * A collection row inserted directly (the collections API is another piece of work); returns its id.
 * Products refer to collections by slug.
 */
export async function insertCollection(t: TestApp, merchantId: string, slug: string, options: { name?: string; displayOrder?: number } = {}): Promise<string> {
  const [row] = await t.dataSource.query(`INSERT INTO collections (merchant_id, slug, name, display_order) VALUES ($1, $2, $3, $4) RETURNING id`, [
    merchantId,
    slug,
    options.name ?? slug,
    options.displayOrder ?? 0,
  ]);
  return row.id;
}

/** Sets the store's currencies through PUT /api/merchants/me. */
export async function setStoreCurrencies(t: TestApp, owner: TestAccount, defaultCurrency: string, supported: string[]): Promise<void> {
  const res = await t.http.put('/api/merchants/me').set(owner.auth).send({ default_currency: defaultCurrency, supported_currencies: supported });
  if (res.status !== 200) throw new Error(`currency setup failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Rows of a merchant's catalog (deleted ones included), to show a refused request changed nothing. */
export async function catalogCounts(t: TestApp, merchantId: string): Promise<Record<'products' | 'variants' | 'prices' | 'memberships', number>> {
  const [row] = await t.dataSource.query(
    `SELECT (SELECT count(*)::int FROM products WHERE merchant_id = $1) AS products,
            (SELECT count(*)::int FROM product_variants WHERE merchant_id = $1) AS variants,
            (SELECT count(*)::int FROM product_prices WHERE merchant_id = $1) AS prices,
            (SELECT count(*)::int FROM collection_products WHERE merchant_id = $1) AS memberships`,
    [merchantId],
  );
  return row;
}

/** Outbox and audit rows a merchant's catalog mutations wrote so far. */
export async function catalogEventCounts(t: TestApp, merchantId: string): Promise<{ outbox: number; audit: number }> {
  const [row] = await t.dataSource.query(
    `SELECT (SELECT count(*)::int FROM outbox_events WHERE name LIKE 'product.%' AND payload->>'merchant_id' = $1) AS outbox,
            (SELECT count(*)::int FROM audit_logs WHERE merchant_id = $1::uuid AND (action LIKE 'product.%' OR action LIKE 'variant.%')) AS audit`,
    [merchantId],
  );
  return row;
}

/** The product.* outbox events about one product, oldest first. */
export async function productEvents(t: TestApp, productId: string): Promise<{ name: string; payload: Record<string, unknown> }[]> {
  return t.dataSource.query(`SELECT name, payload FROM outbox_events WHERE payload->>'product_id' = $1 ORDER BY created_at, id`, [productId]);
}
