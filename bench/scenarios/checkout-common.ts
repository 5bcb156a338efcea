import { BenchContext } from './scenario';

/** A variant the bench store sells in USD with tracked stock, and its stock level. */
export interface StockedVariant {
  productId: string;
  variantId: string;
  levelId: string;
}

/**
 * `count` purchasable variants of the bench store (active, tracked, priced in USD), the same ones
 * run after run, starting at `offset` in a fixed pseudo-random order (so the checkout and the race
 * scenarios use different items).
 */
export async function stockedVariants(ctx: BenchContext, count: number, offset: number): Promise<StockedVariant[]> {
  const { rows } = await ctx.db.query<{ product_id: string; variant_id: string; level_id: string }>(
    `SELECT v.product_id, v.id AS variant_id, l.id AS level_id
       FROM product_variants v
       JOIN products p ON p.id = v.product_id
       JOIN inventory_levels l ON l.variant_id = v.id
       JOIN stock_locations s ON s.id = l.location_id AND s.is_default
      WHERE v.merchant_id = $1 AND v.deleted_at IS NULL AND v.status = 'active' AND p.deleted_at IS NULL AND p.status = 'active'
        AND p.track_inventory AND p.currency = 'USD'
      ORDER BY md5(v.id::text) LIMIT $2 OFFSET $3`,
    [ctx.dataset.store.id, count, offset],
  );
  if (rows.length < count) throw new Error(`the bench store has ${rows.length} purchasable variants from offset ${offset}; ${count} needed`);
  return rows.map((r) => ({ productId: r.product_id, variantId: r.variant_id, levelId: r.level_id }));
}

/** Sets the stock of these levels (nothing reserved), so a phase starts from known stock. */
export async function setStock(ctx: BenchContext, variants: StockedVariant[], onHand: number): Promise<void> {
  await ctx.db.query(`UPDATE inventory_levels SET on_hand = $2, reserved = 0, allow_backorder = false, updated_at = now() WHERE id = ANY($1::uuid[])`, [variants.map((v) => v.levelId), onHand]);
}

/** A checkout body as a storefront sends it (POST /api/public/checkout), for buyer `n`. */
export function checkoutBody(merchantId: string, n: number, lines: StockedVariant[]): Record<string, unknown> {
  return {
    merchant_id: merchantId,
    items: lines.map((v) => ({ product_id: v.productId, variant_id: v.variantId, quantity: 1 })),
    currency: 'USD',
    email: `buyer${n}@bench.local`,
    name: `Bench Buyer ${n}`,
    success_url: 'http://localhost:8280/checkout/success',
    cancel_url: 'http://localhost:8280/checkout/cancel',
    shipping_address: { line_1: `${1 + (n % 200)} Main Street`, city: 'Austin', state: 'TX', postal_code: '78701', country_alpha2: 'US', contact_name: `Bench Buyer ${n}` },
  };
}
