/**
 * The floor: the public catalog reads served by plain Fastify + `pg`, with hand-written SQL and no
 * Nest, no ORM, no validation layer, no rate limiter, no security headers, no logging. It answers
 * the same routes from the same tables with the same JSON as the API (src/modules/catalog:
 * public-catalog.controller.ts, public-catalog.service.ts, product-views.ts), byte for byte for the
 * benchmark's requests (the runner checks that before it measures), so the API's requests/s
 * divided by the floor's, measured in the same run, says what our stack costs over the least a
 * Node service on this database could do.
 *
 *   GET /api/public/products?merchant=<id|slug>&page&per_page&limit&offset&tags&collections&collection
 *       &search&sort_by&sort_order&include_variants&locale&currency
 *   GET /api/public/products/:idOrHandle?merchant&locale&currency
 *
 * SQL per request: the list runs the store lookup, the page (each product with its variants and
 * their stock, prices, images, collections and translations aggregated to JSON in the same
 * statement, for the page's rows only), and a count when the page is full; the detail runs one
 * statement. Pure helpers of the service that are not framework (money formatting, locale
 * negotiation) are reused as they are.
 *
 *   node dist/bench/floor-server.js   (PORT, HOST, DATABASE_URL, DATABASE_POOL_SIZE as the API reads them)
 */
import Fastify, { FastifyReply } from 'fastify';
import { Pool } from 'pg';
import { formatMinor } from '../libs/common/src/money/money';
import { requestedLocale, translationFallbacks } from '../src/modules/catalog/locale-negotiation';

const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300';

const SORT_COLUMNS: Record<string, string> = {
  name: 'p.name',
  price: 'p.price',
  created_at: 'p.created_at',
  updated_at: 'p.updated_at',
  status: 'p.status',
  stock_quantity: '(SELECT coalesce(sum(l.on_hand), 0) FROM inventory_levels l JOIN product_variants v ON v.id = l.variant_id WHERE l.product_id = p.id AND v.deleted_at IS NULL)',
};

const PRODUCT_COLUMNS = `p.id, p.merchant_id, p.handle, p.name, p.description, p.price, p.original_price, p.currency, p.status, p.category_id,
  p.weight_grams, p.length_mm, p.width_mm, p.height_mm, p.hs_code, p.country_of_origin, p.customs_description,
  p.requires_shipping, p.track_inventory, p.low_stock_threshold, p.tags, p.meta_title, p.meta_description, p.created_at, p.updated_at`;

/** A product's children as JSON arrays; `$langs` is the parameter holding the translation languages (lower-case). */
const childrenColumns = (langs: string) => `
  (SELECT coalesce(json_agg(json_build_object('id', v.id, 'sku', v.sku, 'price', v.price,
            'stock', (SELECT coalesce(sum(l.on_hand), 0) FROM inventory_levels l WHERE l.variant_id = v.id),
            'status', v.status, 'attributes', v.attributes, 'is_default', v.is_default, 'position', v.position)
          ORDER BY v.position, v.created_at), '[]')
     FROM product_variants v WHERE v.product_id = p.id AND v.deleted_at IS NULL AND v.status = 'active') AS variants,
  (SELECT coalesce(json_agg(json_build_object('variant_id', x.variant_id, 'currency', x.currency, 'amount', x.amount, 'original_amount', x.original_amount)
          ORDER BY x.currency), '[]')
     FROM product_prices x WHERE x.product_id = p.id) AS prices,
  (SELECT coalesce(json_agg(json_build_object('id', i.id, 'url', i.url, 'media_id', i.media_id, 'variant_id', i.variant_id, 'alt', i.alt)
          ORDER BY i.position, i.created_at), '[]')
     FROM product_images i WHERE i.product_id = p.id) AS images,
  (SELECT coalesce(json_agg(json_build_object('id', c.id, 'slug', c.slug, 'name', c.name) ORDER BY c.display_order, c.slug), '[]')
     FROM collection_products cp JOIN collections c ON c.id = cp.collection_id WHERE cp.product_id = p.id) AS collections,
  (SELECT json_agg(json_build_object('language_code', t.language_code, 'name', t.name, 'description', t.description,
            'meta_title', t.meta_title, 'meta_description', t.meta_description, 'labels', t.variant_attributes_translations))
     FROM product_translations t WHERE t.product_id = p.id AND lower(t.language_code) = ANY(${langs}::text[])) AS translations`;

interface Store {
  id: string;
  default_locale: string;
  default_currency: string;
}

interface PriceRow {
  variant_id: string | null;
  currency: string;
  amount: number;
  original_amount: number | null;
}

interface ProductRow {
  id: string;
  merchant_id: string;
  handle: string;
  name: string;
  description: string | null;
  price: string;
  original_price: string | null;
  currency: string;
  status: string;
  category_id: string | null;
  weight_grams: number | null;
  length_mm: number | null;
  width_mm: number | null;
  height_mm: number | null;
  hs_code: string | null;
  country_of_origin: string | null;
  customs_description: string | null;
  requires_shipping: boolean;
  track_inventory: boolean;
  low_stock_threshold: number | null;
  tags: string[];
  meta_title: string | null;
  meta_description: string | null;
  created_at: Date;
  updated_at: Date;
  variants: { id: string; sku: string | null; price: number | null; stock: number; status: string; attributes: Record<string, string>; is_default: boolean; position: number }[];
  prices: PriceRow[];
  images: { id: string; url: string; media_id: string | null; variant_id: string | null; alt: string | null }[];
  collections: { id: string; slug: string; name: string }[];
  translations: { language_code: string; name: string; description: string | null; meta_title: string | null; meta_description: string | null; labels: unknown }[] | null;
}

type Query = Record<string, string | string[] | undefined>;

const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[value.length - 1] : value);
const list = (value: string | string[] | undefined): string[] | undefined =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
const scaled = (value: number | null, factor: number): number | null => (value === null ? null : value / factor);
const price = (p: PriceRow) => ({ currency: p.currency, price: formatMinor(p.amount, p.currency), original_price: p.original_amount === null ? null : formatMinor(p.original_amount, p.currency) });

/** One product as the API's public views show it (product-views.ts, then localized() and inCurrency() of the service). */
function present(row: ProductRow, includeVariants: boolean, fallbacks: string[], storeLocale: string, currency: string | undefined): Record<string, unknown> {
  const productPrice = Number(row.price);
  const productImages = row.images.filter((i) => i.variant_id === null);
  const image = (i: ProductRow['images'][number], index: number) => ({ id: i.id, url: i.url, media_id: i.media_id, variant_id: i.variant_id, alt: i.alt, position: index + 1 });
  const defaultVariant = row.variants.find((v) => v.is_default) ?? row.variants[0];
  const view: Record<string, unknown> = {
    id: row.id,
    merchant_id: row.merchant_id,
    handle: row.handle,
    name: row.name,
    title: row.name,
    description: row.description,
    price: formatMinor(productPrice, row.currency),
    original_price: row.original_price === null ? null : formatMinor(Number(row.original_price), row.currency),
    currency: row.currency,
    prices: row.prices.filter((x) => x.variant_id === null).map(price),
    status: row.status,
    stock_quantity: row.variants.reduce((sum, v) => sum + Number(v.stock), 0),
    sku: defaultVariant?.sku ?? null,
    category_id: row.category_id,
    weight: scaled(row.weight_grams, 1000),
    length: scaled(row.length_mm, 10),
    width: scaled(row.width_mm, 10),
    height: scaled(row.height_mm, 10),
    hs_code: row.hs_code,
    country_of_origin: row.country_of_origin,
    customs_description: row.customs_description,
    requires_shipping: row.requires_shipping,
    track_inventory: row.track_inventory,
    low_stock_threshold: row.low_stock_threshold,
    tags: row.tags,
    collections: row.collections,
    images: productImages.map(image),
    meta_title: row.meta_title,
    meta_description: row.meta_description,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
  if (includeVariants) {
    view.variants = row.variants.map((v) => ({
      id: v.id,
      product_id: row.id,
      sku: v.sku,
      price: formatMinor(v.price ?? productPrice, row.currency),
      currency: row.currency,
      stock: Number(v.stock),
      status: v.status,
      attributes: v.attributes,
      is_default: v.is_default,
      position: v.position,
      prices: row.prices.filter((x) => x.variant_id === v.id).map(price),
      images: row.images.filter((i) => i.variant_id === v.id).map(image),
    }));
  }

  // The translation: the first fallback language the product has.
  const translation = fallbacks.map((code) => row.translations?.find((t) => t.language_code.toLowerCase() === code.toLowerCase())).find(Boolean);
  if (translation) {
    view.name = translation.name;
    view.title = translation.name;
    view.description = translation.description ?? row.description;
    view.meta_title = translation.meta_title ?? row.meta_title;
    view.meta_description = translation.meta_description ?? row.meta_description;
  }
  view.locale = translation ? translation.language_code : storeLocale;
  view.variant_attributes_translations = translation ? translation.labels : null;

  // Another currency: from the explicit price rows only; variants costing the product's price inherit its row.
  if (currency && currency !== row.currency) {
    const productRow = (view.prices as ReturnType<typeof price>[]).find((p) => p.currency === currency);
    if (view.variants) {
      view.variants = (view.variants as Record<string, unknown>[]).map((v) => {
        const own = (v.prices as ReturnType<typeof price>[]).find((p) => p.currency === currency);
        const inherited = v.currency === row.currency && v.price === view.price ? productRow : undefined;
        const chosen = own ?? inherited;
        return chosen ? { ...v, price: chosen.price, currency } : v;
      });
    }
    if (productRow) {
      view.price = productRow.price;
      view.original_price = productRow.original_price;
      view.currency = currency;
    }
  }
  return view;
}

function notFound(reply: FastifyReply, what: string): void {
  void reply.code(404).send({ success: false, error: { code: 'ERR_NOT_FOUND', message: `${what} not found`, detail: null } });
}

async function main(): Promise<void> {
  const pool = new Pool({
    connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/commerce_bench',
    max: Number(process.env.DATABASE_POOL_SIZE ?? 5), // the API's default (DEFAULT_DATABASE_POOL_SIZE); the bench passes its --pool-size
    application_name: 'commerce-floor',
  });
  const app = Fastify({ logger: false });

  const storeOf = async (idOrSlug: string): Promise<Store | undefined> => {
    const key = idOrSlug.trim().toLowerCase();
    const { rows } = await pool.query<Store>(
      `SELECT id, default_locale, default_currency FROM merchants WHERE ${UUID.test(key) ? 'id = $1::uuid' : 'slug = $1'} AND status = 'ACTIVE'`,
      [key],
    );
    return rows[0];
  };

  app.get('/api/public/products', async (request, reply) => {
    const query = request.query as Query;
    const merchant = one(query.merchant);
    if (!merchant) return void reply.code(422).send({ success: false, error: { code: 'ERR_VALIDATION', message: 'merchant is required' } });
    const store = await storeOf(merchant);
    if (!store) return notFound(reply, 'Store');

    const perPage = Number(one(query.limit) ?? one(query.per_page) ?? DEFAULT_PER_PAGE);
    const offset = one(query.offset) !== undefined ? Number(one(query.offset)) : (Number(one(query.page) ?? 1) - 1) * perPage;
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE || !Number.isInteger(offset) || offset < 0) {
      return void reply.code(422).send({ success: false, error: { code: 'ERR_VALIDATION', message: 'bad page' } });
    }
    const locale = requestedLocale(one(query.locale), request.headers['accept-language']);
    const fallbacks = translationFallbacks(locale, store.default_locale);
    const currency = one(query.currency)?.trim().toUpperCase();

    const where = [`p.merchant_id = $1`, `p.deleted_at IS NULL`, `p.status = 'active'`];
    const params: unknown[] = [store.id];
    const tags = list(query.tags)?.map((t) => t.toLowerCase());
    if (tags?.length) where.push(`p.tags @> $${params.push([...new Set(tags)])}::text[]`);
    const collections = list(query.collections ?? query.collection)?.map((s) => s.toLowerCase());
    if (collections?.length) {
      where.push(`EXISTS (SELECT 1 FROM collection_products cp JOIN collections c ON c.id = cp.collection_id WHERE cp.product_id = p.id AND c.slug = ANY($${params.push(collections)}::text[]))`);
    }
    const categoryId = one(query.category_id);
    if (categoryId) where.push(`p.category_id = $${params.push(categoryId)}::uuid`);
    const search = one(query.search);
    if (search) {
      const term = params.push(search);
      const like = params.push(`%${search.replace(/[\\%_]/g, '\\$&')}%`);
      where.push(
        `p.id IN (SELECT s.id FROM products s WHERE product_search_document(s.name, s.description, s.tags) @@ plainto_tsquery('simple', $${term})
                  UNION SELECT s.id FROM products s WHERE s.name ILIKE $${like}
                  UNION SELECT sv.product_id FROM product_variants sv WHERE sv.sku ILIKE $${like} AND sv.deleted_at IS NULL)`,
      );
    }
    const order = one(query.sort_order)?.toLowerCase() === 'asc' ? 'ASC' : 'DESC';
    const sort = SORT_COLUMNS[one(query.sort_by) ?? 'created_at'] ?? SORT_COLUMNS.created_at;
    const filter = where.join(' AND ');

    const pageParams = [...params, fallbacks.map((l) => l.toLowerCase()), perPage, offset];
    const n = params.length;
    const page = await pool.query<ProductRow>(
      `SELECT ${PRODUCT_COLUMNS}, ${childrenColumns(`$${n + 1}`)}
         FROM (SELECT p.id FROM products p WHERE ${filter} ORDER BY ${sort} ${order}, p.id ${order} LIMIT $${n + 2} OFFSET $${n + 3}) AS page
         JOIN products p ON p.id = page.id
        ORDER BY ${sort} ${order}, p.id ${order}`,
      pageParams,
    );
    // A page that is not full tells the total without counting (unless it is past the end).
    const counted = page.rows.length === perPage || (page.rows.length === 0 && offset > 0);
    const total = counted ? (await pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM products p WHERE ${filter}`, params)).rows[0].total : offset + page.rows.length;
    const includeVariants = one(query.include_variants) === 'true';
    void reply
      .header('cache-control', CACHE_CONTROL)
      .header('vary', 'Accept-Language')
      .send({
        items: page.rows.map((row) => present(row, includeVariants, fallbacks, store.default_locale, currency)),
        total,
        page: Math.floor(offset / perPage) + 1,
        per_page: perPage,
        has_next: offset + page.rows.length < total,
        locale: locale ?? store.default_locale,
        currency: currency ?? store.default_currency,
      });
  });

  app.get('/api/public/products/:idOrHandle', async (request, reply) => {
    const { idOrHandle } = request.params as { idOrHandle: string };
    const query = request.query as Query;
    const merchant = one(query.merchant)?.trim().toLowerCase();
    const byId = UUID.test(idOrHandle);
    if (!byId && !merchant) return void reply.code(422).send({ success: false, error: { code: 'ERR_VALIDATION', message: 'merchant is required with a handle' } });
    const locale = requestedLocale(one(query.locale), request.headers['accept-language']);
    // Every language the chain could try; the store's default (which ends the chain) is known only with the row.
    const candidates = translationFallbacks(locale, '').map((l) => l.toLowerCase());
    const params: unknown[] = [byId ? idOrHandle : idOrHandle.trim().toLowerCase(), candidates];
    const storeFilter = merchant ? `AND ${UUID.test(merchant) ? 'm.id = $3::uuid' : 'm.slug = $3'}` : '';
    if (merchant) params.push(merchant);
    const { rows } = await pool.query<ProductRow & { store_locale: string; store_currency: string }>(
      `SELECT ${PRODUCT_COLUMNS}, m.default_locale AS store_locale, m.default_currency AS store_currency, ${childrenColumns('$2')}
         FROM products p JOIN merchants m ON m.id = p.merchant_id AND m.status = 'ACTIVE'
        WHERE ${byId ? 'p.id = $1::uuid' : 'p.handle = $1'} AND p.deleted_at IS NULL AND p.status = 'active' ${storeFilter}`,
      params,
    );
    const row = rows[0];
    if (!row) return notFound(reply, 'Product');
    const fallbacks = translationFallbacks(locale, row.store_locale);
    void reply
      .header('cache-control', CACHE_CONTROL)
      .header('vary', 'Accept-Language')
      .send(present(row, true, fallbacks, row.store_locale, one(query.currency)?.trim().toUpperCase()));
  });

  (await import('./floor-orders')).registerFloorOrders(app, pool); // GET /api/orders/merchant, POST /checkout
  app.get('/health/ready', async () => {
    await pool.query('SELECT 1');
    return { status: 'ok' };
  });

  const close = () => void app.close().then(() => pool.end()).then(() => process.exit(0));
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
  await app.listen({ port: Number(process.env.PORT ?? 8290), host: process.env.HOST ?? '127.0.0.1' });
}

main().catch((err: unknown) => {
  process.stderr.write(`floor server failed: ${(err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
