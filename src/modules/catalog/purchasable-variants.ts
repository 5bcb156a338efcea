import { EntityManager } from 'typeorm';
import { preparedQuery } from '@app/common';

/**
 * What a buyer can buy right now, read in ONE statement however many lines: the variant, its
 * product, the store, its price in the requested currency, its first image and its stock. The cart
 * shows it on every read and checkout snapshots it into the order, so both apply the same rules.
 */
export interface PurchasableVariant {
  merchantId: string;
  productId: string;
  variantId: string;
  productName: string;
  handle: string;
  sku: string | null;
  attributes: Record<string, string>;
  imageUrl: string | null;
  /** Minor units of `currency`; null when the product has no price in that currency. */
  unitPrice: number | null;
  currency: string;
  /** Every reason the variant cannot be sold now (empty: it can). */
  problems: PurchaseProblem[];
  trackInventory: boolean;
  allowBackorder: boolean;
  /** on_hand − reserved at the merchant's locations; meaningless when not tracked. */
  available: number;
  weightGrams: number | null;
  requiresShipping: boolean;
}

export type PurchaseProblem = 'store_not_active' | 'product_not_active' | 'variant_not_active' | 'no_price_in_currency';

interface Row {
  merchant_id: string;
  product_id: string;
  variant_id: string;
  name: string;
  handle: string;
  sku: string | null;
  attributes: Record<string, string>;
  image_url: string | null;
  product_currency: string;
  base_price: string;
  currency_price: string | null;
  store_status: string;
  product_status: string;
  variant_status: string;
  track_inventory: boolean;
  allow_backorder: boolean;
  available: string;
  weight_grams: number | null;
  requires_shipping: boolean;
}

/**
 * Live (not deleted) variants by id, optionally limited to one merchant; ids that are unknown or
 * deleted are simply absent from the map. `currency` null means each product's own currency.
 */
export async function loadPurchasableVariants(
  manager: EntityManager,
  variantIds: string[],
  options: { merchantId?: string; currency?: string | null } = {},
): Promise<Map<string, PurchasableVariant>> {
  if (!variantIds.length) return new Map();
  // Prepared, and written so that PostgreSQL keeps one generic plan (`$2 IS NULL OR …` made it plan every time).
  const rows = await preparedQuery<Row>(
    manager,
    `SELECT v.merchant_id, v.product_id, v.id AS variant_id, p.name, p.handle, v.sku, v.attributes,
            p.currency AS product_currency, coalesce(v.price, p.price)::text AS base_price,
            (SELECT pp.amount::text FROM product_prices pp
              WHERE pp.product_id = p.id AND pp.currency = $3 AND (pp.variant_id = v.id OR pp.variant_id IS NULL)
              ORDER BY pp.variant_id NULLS LAST LIMIT 1) AS currency_price,
            (SELECT i.url FROM product_images i
              WHERE i.product_id = p.id AND (i.variant_id = v.id OR i.variant_id IS NULL)
              ORDER BY i.variant_id NULLS LAST, i.position LIMIT 1) AS image_url,
            m.status AS store_status, p.status AS product_status, v.status AS variant_status,
            p.track_inventory, p.weight_grams, p.requires_shipping,
            coalesce(l.available, 0)::text AS available, coalesce(l.allow_backorder, false) AS allow_backorder
       FROM product_variants v
       JOIN products p ON p.id = v.product_id AND p.deleted_at IS NULL
       JOIN merchants m ON m.id = v.merchant_id
       LEFT JOIN LATERAL (SELECT sum(on_hand - reserved) AS available, bool_or(allow_backorder) AS allow_backorder
                            FROM inventory_levels WHERE variant_id = v.id) l ON true
      WHERE v.id = ANY($1::uuid[]) AND v.deleted_at IS NULL AND v.merchant_id = coalesce($2::uuid, v.merchant_id)`,
    [variantIds, options.merchantId ?? null, options.currency ?? null],
  );
  return new Map(
    rows.map((r) => {
      const currency = options.currency ?? r.product_currency;
      const unitPrice = currency === r.product_currency ? Number(r.base_price) : r.currency_price === null ? null : Number(r.currency_price);
      const problems: PurchaseProblem[] = [];
      if (r.store_status !== 'ACTIVE') problems.push('store_not_active');
      if (r.product_status !== 'active') problems.push('product_not_active');
      if (r.variant_status !== 'active') problems.push('variant_not_active');
      if (unitPrice === null) problems.push('no_price_in_currency');
      return [
        r.variant_id,
        {
          merchantId: r.merchant_id,
          productId: r.product_id,
          variantId: r.variant_id,
          productName: r.name,
          handle: r.handle,
          sku: r.sku,
          attributes: r.attributes ?? {},
          imageUrl: r.image_url,
          unitPrice,
          currency,
          problems,
          trackInventory: r.track_inventory,
          allowBackorder: r.allow_backorder,
          available: Number(r.available),
          weightGrams: r.weight_grams,
          requiresShipping: r.requires_shipping,
        },
      ];
    }),
  );
}

/** The product's default variant (or its only one): lets a line name a product without a variant. */
export async function defaultVariantIds(manager: EntityManager, productIds: string[], merchantId?: string): Promise<Map<string, { variantId: string | null; variantCount: number }>> {
  if (!productIds.length) return new Map();
  const rows: { product_id: string; default_id: string | null; only_id: string | null; n: number }[] = await manager.query(
    `SELECT v.product_id,
            (array_agg(v.id) FILTER (WHERE v.is_default))[1] AS default_id,
            CASE WHEN count(*) = 1 THEN (array_agg(v.id))[1] END AS only_id,
            count(*)::int AS n
       FROM product_variants v JOIN products p ON p.id = v.product_id AND p.deleted_at IS NULL
      WHERE v.product_id = ANY($1::uuid[]) AND v.deleted_at IS NULL AND ($2::uuid IS NULL OR v.merchant_id = $2)
      GROUP BY v.product_id`,
    [productIds, merchantId ?? null],
  );
  return new Map(rows.map((r) => [r.product_id, { variantId: r.default_id ?? r.only_id, variantCount: r.n }]));
}
