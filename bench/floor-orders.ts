/**
 * The floor's order routes (registered by bench/floor-server.ts): plain `pg`, hand-written SQL, no
 * Nest, no ORM, no validation layer.
 *
 *   GET  /api/orders/merchant?status&start_date&end_date&search&sort_by&sort_order&page&per_page
 *        The merchant order list (src/modules/orders/orders-read.service.ts merchantList + orderView)
 *        with the same JSON, byte for byte: the page of orders with their items aggregated in one
 *        statement, then the total as the API finds it (see there). The bearer token is verified (HS256,
 *        JWT_SECRET) and its merchant_id scopes the list, as the API's guard does.
 *   POST /checkout
 *        The least a checkout can write (src/modules/checkout/checkout.service.ts): one transaction
 *        that locks the stock levels FOR UPDATE in a fixed order, reserves (reservation, its lines,
 *        the levels, the ledger rows), takes the order number (counter upsert), inserts the order,
 *        its items, its first history row and its order.created outbox row, then opens the test
 *        provider's payment session (session row, payment row, payment.verify outbox row). Written
 *        as the API writes them since a9a486a: the lock, then the stock writes in one statement,
 *        then the rest (counter first: its row stays locked until the commit) in one more. The body
 *        is the API's checkout body with a variant_id on every line; prices, shipping and tax come
 *        from the database. 409 ERR_OUT_OF_STOCK when a line asks for more than is available.
 */
import { createSecretKey, KeyObject, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as jwt from 'jsonwebtoken';
import type { Pool, PoolClient } from 'pg';
import { formatMinor } from '../libs/common/src/money/money';
import { Jobs } from '../libs/common/src/queue/jobs';
import { EXACT_TOTAL_UP_TO, SEARCH_FIRST_ROWS } from '../src/modules/orders/order-list-total';

const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OUTBOX_CHANNEL = 'outbox_events';
const RESERVATION_TTL_SECONDS = Number(process.env.INVENTORY_RESERVATION_TTL_SECONDS || 1800);
const VERIFY_DELAY_SECONDS = Number(process.env.PAYMENT_VERIFY_DELAY_SECONDS || 900);
const PUBLIC_BASE_URL = (process.env.PUBLIC_BASE_URL || 'http://localhost:8280').replace(/\/+$/, '');

const SORT_COLUMNS: Record<string, string> = {
  created_at: 'o.created_at',
  amount_total: 'o.amount_total',
  order_number: 'o.order_number',
  status: 'o.status',
  updated_at: 'o.updated_at',
  customer_email: 'o.customer_email',
  customer_name: 'o.customer_name',
};

type Query = Record<string, string | undefined>;

interface OrderRow {
  id: string;
  order_number: string;
  merchant_id: string;
  customer_user_id: string | null;
  customer_email: string;
  customer_name: string;
  status: string;
  version: number;
  subtotal: string;
  shipping_fee: string;
  tax_amount: string;
  amount_total: string;
  refunded_amount: string;
  prices_include_tax: boolean;
  currency: string;
  payment_provider: string | null;
  stripe_payment_intent_id: string | null;
  checkout_url: string | null;
  tracking_number: string | null;
  carrier: string | null;
  tracking_url: string | null;
  label_url: string | null;
  label_state: string | null;
  shipping_address: unknown;
  shipping_rate_id: string | null;
  items: { product_id: string; variant_id: string; product_name: string; sku: string | null; quantity: number; unit_price: number; total: number; variant_attributes: unknown; image_url: string | null }[];
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  gclid: string | null;
  expires_at: Date;
  paid_at: Date | null;
  shipped_at: Date | null;
  delivered_at: Date | null;
  completed_at: Date | null;
  cancelled_at: Date | null;
  cancelled_by: string | null;
  cancellation_reason: string | null;
  refunded_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

/** One order as orderView() (orders-read.service.ts) shows it, keys in the same order. */
function present(o: OrderRow): Record<string, unknown> {
  const money = (minor: number | string) => formatMinor(Number(minor), o.currency);
  return {
    id: o.id,
    order_number: o.order_number,
    merchant_id: o.merchant_id,
    customer_user_id: o.customer_user_id,
    customer_email: o.customer_email,
    customer_name: o.customer_name,
    status: o.status,
    version: o.version,
    subtotal: money(o.subtotal),
    shipping_fee: money(o.shipping_fee),
    tax_amount: money(o.tax_amount),
    amount_total: money(o.amount_total),
    refunded_amount: money(o.refunded_amount),
    prices_include_tax: o.prices_include_tax,
    currency: o.currency,
    payment_provider: o.payment_provider,
    stripe_payment_intent_id: o.stripe_payment_intent_id,
    checkout_url: o.status === 'pending' || o.status === 'failed' ? o.checkout_url : null,
    tracking_number: o.tracking_number,
    carrier: o.carrier,
    tracking_url: o.tracking_url,
    label_url: o.label_url,
    label_state: o.label_state,
    shipping_address: o.shipping_address,
    shipping_rate_id: o.shipping_rate_id,
    items: o.items.map((i) => ({
      product_id: i.product_id,
      variant_id: i.variant_id,
      product_name: i.product_name,
      sku: i.sku,
      quantity: i.quantity,
      price: money(i.unit_price),
      total: money(i.total),
      variant_attributes: i.variant_attributes,
      image_url: i.image_url,
    })),
    utm_source: o.utm_source,
    utm_medium: o.utm_medium,
    utm_campaign: o.utm_campaign,
    utm_term: o.utm_term,
    utm_content: o.utm_content,
    gclid: o.gclid,
    expires_at: o.expires_at.toISOString(),
    paid_at: iso(o.paid_at),
    shipped_at: iso(o.shipped_at),
    delivered_at: iso(o.delivered_at),
    completed_at: iso(o.completed_at),
    cancelled_at: iso(o.cancelled_at),
    cancelled_by: o.cancelled_by,
    cancellation_reason: o.cancellation_reason,
    refunded_at: iso(o.refunded_at),
    created_at: o.created_at.toISOString(),
    updated_at: o.updated_at.toISOString(),
  };
}

const error = (reply: FastifyReply, status: number, code: string, message: string, detail: unknown = null) => void reply.code(status).send({ success: false, error: { code, message, detail } });

/** The merchant a bearer token acts for, or null (the API answers 401/403 then). */
function merchantOf(request: FastifyRequest, secret: KeyObject): string | null {
  const header = request.headers.authorization;
  if (!header?.startsWith('Bearer ')) return null;
  try {
    const claims = jwt.verify(header.slice(7), secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    return claims.role === 'merchant' && typeof claims.merchant_id === 'string' ? claims.merchant_id : null;
  } catch {
    return null;
  }
}

interface CheckoutBody {
  merchant_id: string;
  items: { product_id: string; variant_id: string; quantity: number }[];
  email: string;
  name: string;
  currency?: string;
  success_url: string;
  cancel_url: string;
  shipping_address: Record<string, string | undefined>;
}

export function registerFloorOrders(app: FastifyInstance, pool: Pool): void {
  // A KeyObject, as the API: given a string, jsonwebtoken tries to parse it as a PEM key on every verify.
  const secret = createSecretKey(Buffer.from(process.env.JWT_SECRET ?? '', 'utf8'));

  app.get('/api/orders/merchant', async (request, reply) => {
    const merchantId = merchantOf(request, secret);
    if (!merchantId) return error(reply, 401, 'ERR_UNAUTHORIZED', 'Authentication required');
    const query = request.query as Query;
    const perPage = Number(query.limit ?? query.per_page ?? DEFAULT_PER_PAGE);
    const offset = query.offset !== undefined ? Number(query.offset) : (Number(query.page ?? 1) - 1) * perPage;
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE || !Number.isInteger(offset) || offset < 0) return error(reply, 422, 'ERR_VALIDATION', 'bad page');

    const where = ['o.merchant_id = $1'];
    const params: unknown[] = [merchantId];
    const statuses = query.status ? [...new Set(query.status.split(','))] : [];
    const statusParam = statuses.length ? params.push(statuses) : 0;
    // One status as an equality, as the API's IN of one value: the index then also gives the order.
    if (statusParam) where.push(statuses.length === 1 ? `o.status = ($${statusParam}::order_status[])[1]` : `o.status = ANY($${statusParam}::order_status[])`);
    if (query.start_date) where.push(`o.created_at >= $${params.push(`${query.start_date}T00:00:00Z`)}::timestamptz`);
    if (query.end_date) where.push(`o.created_at < ($${params.push(query.end_date)}::date + 1)::timestamptz`);
    const unsearched = where.join(' AND ');
    const term = query.search?.trim();
    let searchClause = '';
    if (term) {
      const like = params.push(`%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      const byId = UUID.test(term) ? ` OR o.id = $${params.push(term)}::uuid` : '';
      // The start of an order number matches only from its first character: a prefix range, as the API does.
      const number = /^ord-[\d-]*$/i.test(term) ? `o.order_number LIKE $${params.push(`${term.toUpperCase()}%`)}` : `o.order_number ILIKE $${like}`;
      searchClause = `(${number} OR o.customer_email ILIKE $${like} OR o.customer_name ILIKE $${like}${byId})`;
      where.push(searchClause);
    }
    const direction = query.sort_order?.toLowerCase() === 'asc' ? 'ASC' : 'DESC';
    const sortColumn = SORT_COLUMNS[query.sort_by ?? 'created_at'] ?? SORT_COLUMNS.created_at;
    const sort = `${sortColumn} ${direction}, o.id ${direction}`;
    const filter = where.join(' AND ');
    const window = offset + perPage + 1;
    // As the API: several statuses by date are one scan per status, each stopped after `rows`.
    const merged = (within: string, rows: number) =>
      statuses.length > 1 && sortColumn === SORT_COLUMNS.created_at
        ? ` AND o.id IN (SELECT per_status.id FROM unnest($${statusParam}::order_status[]) AS s(status) CROSS JOIN LATERAL
             (SELECT o.id FROM orders o WHERE ${within} AND o.status = s.status ORDER BY o.created_at ${direction}, o.id ${direction} LIMIT ${rows}) AS per_status)`
        : '';
    const page = async (restriction: string, cte = '') =>
      (
        await pool.query<OrderRow>(
          `${cte}SELECT o.*, (SELECT coalesce(json_agg(json_build_object('product_id', i.product_id, 'variant_id', i.variant_id, 'product_name', i.product_name, 'sku', i.sku,
                      'quantity', i.quantity, 'unit_price', i.unit_price, 'total', i.total, 'variant_attributes', i.variant_attributes, 'image_url', i.image_url)
                      ORDER BY i.position), '[]') FROM order_items i WHERE i.order_id = o.id) AS items
             FROM orders o WHERE ${filter}${restriction} ORDER BY ${sort} LIMIT ${perPage + 1} OFFSET ${offset}`,
          params,
        )
      ).rows;
    // As the API: a search looks among the list's first SEARCH_FIRST_ROWS orders, then gathers its matches.
    const firstRows = `SELECT o.id, o.order_number, o.customer_email, o.customer_name, ${sortColumn} AS sort_value FROM orders o
                        WHERE ${unsearched}${merged(unsearched, SEARCH_FIRST_ROWS)} ORDER BY ${sort} LIMIT ${SEARCH_FIRST_ROWS}`;
    let fetched = term
      ? await page(` AND o.id IN (SELECT o.id FROM (${firstRows}) o WHERE ${searchClause} ORDER BY o.sort_value ${direction}, o.id ${direction} LIMIT ${window})`)
      : await page(merged(filter, window));
    if (term && fetched.length <= perPage) {
      fetched = await page(
        ` AND o.id IN (SELECT m.id FROM matches m ORDER BY m.sort_value ${direction}, m.id ${direction} LIMIT ${window})`,
        `WITH matches AS MATERIALIZED (SELECT o.id, ${sortColumn} AS sort_value FROM orders o WHERE ${filter}) `,
      );
    }
    // As the API: one row more tells has_next; the last page tells the total; else a count capped
    // at EXACT_TOTAL_UP_TO and, past it, PostgreSQL's estimate.
    const rows = fetched.slice(0, perPage);
    const hasNext = fetched.length > perPage;
    let total = offset + rows.length;
    let exact = true;
    if (hasNext || (rows.length === 0 && offset > 0)) {
      const counted = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM orders o WHERE ${filter} LIMIT ${EXACT_TOTAL_UP_TO + 1}) capped`, params)).rows[0].n;
      total = counted;
      if (counted > EXACT_TOTAL_UP_TO) {
        const plan = (await pool.query<{ 'QUERY PLAN': { Plan: { 'Plan Rows': number } }[] }>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM orders o WHERE ${filter}`, params)).rows[0];
        total = Math.max(Math.round(plan['QUERY PLAN'][0].Plan['Plan Rows']), EXACT_TOTAL_UP_TO + 1);
        exact = false;
      }
    }
    void reply.send({ items: rows.map(present), total, page: Math.floor(offset / perPage) + 1, per_page: perPage, has_next: hasNext, total_exact: exact });
  });

  app.post('/checkout', async (request, reply) => {
    const body = request.body as CheckoutBody;
    if (!body || !UUID.test(body.merchant_id ?? '') || !Array.isArray(body.items) || !body.items.length || body.items.some((i) => !UUID.test(i.variant_id ?? '') || !(i.quantity > 0))) {
      return error(reply, 422, 'ERR_VALIDATION', 'merchant_id and items with variant_id and quantity are required');
    }
    const { rows: merchants } = await pool.query<{ id: string; default_currency: string; supported_currencies: string[] }>(
      `SELECT id, default_currency, supported_currencies FROM merchants WHERE id = $1 AND status = 'ACTIVE'`,
      [body.merchant_id],
    );
    const merchant = merchants[0];
    if (!merchant) return error(reply, 404, 'ERR_NOT_FOUND', 'Store not found');
    const currency = body.currency ?? merchant.default_currency;
    if (!merchant.supported_currencies.includes(currency)) return error(reply, 422, 'ERR_VALIDATION', 'currency');

    // Sum the quantities per variant; lock and write in variant order (the API's order too), so two checkouts never deadlock.
    const wanted = new Map<string, number>();
    for (const item of body.items) wanted.set(item.variant_id.toLowerCase(), (wanted.get(item.variant_id.toLowerCase()) ?? 0) + item.quantity);
    const variantIds = [...wanted.keys()].sort();
    const { rows: variants } = await pool.query<{ variant_id: string; product_id: string; product_name: string; sku: string | null; attributes: unknown; image_url: string | null; unit_price: string | null; requires_shipping: boolean; track_inventory: boolean }>(
      `SELECT v.id AS variant_id, p.id AS product_id, p.name AS product_name, v.sku, v.attributes, p.requires_shipping, p.track_inventory,
              coalesce((SELECT x.amount FROM product_prices x WHERE x.variant_id = v.id AND x.currency = $3),
                       CASE WHEN p.currency = $3 THEN coalesce(v.price, p.price) END,
                       (SELECT x.amount FROM product_prices x WHERE x.product_id = p.id AND x.variant_id IS NULL AND x.currency = $3)) AS unit_price,
              (SELECT i.url FROM product_images i WHERE i.product_id = p.id AND (i.variant_id = v.id OR i.variant_id IS NULL) ORDER BY i.variant_id NULLS LAST, i.position LIMIT 1) AS image_url
         FROM product_variants v JOIN products p ON p.id = v.product_id
        WHERE v.id = ANY($1::uuid[]) AND v.merchant_id = $2 AND v.deleted_at IS NULL AND v.status = 'active' AND p.deleted_at IS NULL AND p.status = 'active'`,
      [variantIds, merchant.id, currency],
    );
    const byId = new Map(variants.map((v) => [v.variant_id, v]));
    const lines = body.items.map((item) => ({ item, v: byId.get(item.variant_id.toLowerCase()) }));
    const unknown = lines.find((l) => !l.v || l.v.product_id !== l.item.product_id.toLowerCase() || l.v.unit_price === null);
    if (unknown) return error(reply, 404, 'ERR_NOT_FOUND', `Variant ${unknown.item.variant_id} not found`);
    const priced = lines.map(({ item, v }) => ({ ...v!, quantity: item.quantity, unit: Number(v!.unit_price), total: Number(v!.unit_price) * item.quantity }));
    const subtotal = priced.reduce((sum, l) => sum + l.total, 0);

    const { rows: settingsRows } = await pool.query<{ flat_shipping_rates: Record<string, number>; free_shipping_thresholds: Record<string, number>; prices_include_tax: boolean; default_tax_rate_bps: number; tax_rates: Record<string, number>; tax_shipping: boolean }>(
      `SELECT flat_shipping_rates, free_shipping_thresholds, prices_include_tax, default_tax_rate_bps, tax_rates, tax_shipping FROM checkout_settings WHERE merchant_id = $1`,
      [merchant.id],
    );
    const settings = settingsRows[0];
    const country = body.shipping_address?.country_alpha2 ?? '';
    const threshold = settings?.free_shipping_thresholds[currency];
    const flat = settings?.flat_shipping_rates[currency];
    const shipping = !priced.some((l) => l.requires_shipping) ? { amount: 0, rateId: 'no_shipping' } : threshold !== undefined && subtotal >= threshold ? { amount: 0, rateId: 'free' } : flat ? { amount: flat, rateId: 'flat' } : { amount: 0, rateId: 'free' };
    const rateBps = settings ? (settings.tax_rates[country] ?? settings.default_tax_rate_bps) : 0;
    const inclusive = settings?.prices_include_tax ?? false;
    const taxBase = subtotal + (settings?.tax_shipping ? shipping.amount : 0);
    const tax = rateBps > 0 && taxBase > 0 ? Math.round(inclusive ? (taxBase * rateBps) / (10_000 + rateBps) : (taxBase * rateBps) / 10_000) : 0;
    const amountTotal = subtotal + shipping.amount + (inclusive ? 0 : tax);

    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await placeOrder(client, { merchantId: merchant.id, currency, body, wanted, variantIds, priced, subtotal, shipping, tax, rateBps, inclusive, amountTotal });
      if ('outOfStock' in result) {
        await client.query('ROLLBACK');
        return error(reply, 409, 'ERR_OUT_OF_STOCK', 'Not enough stock', { lines: result.outOfStock });
      }
      await client.query('COMMIT');
      void reply.code(201).send(result);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  });
}

interface Placement {
  merchantId: string;
  currency: string;
  body: CheckoutBody;
  wanted: Map<string, number>;
  variantIds: string[];
  priced: { variant_id: string; product_id: string; product_name: string; sku: string | null; attributes: unknown; image_url: string | null; track_inventory: boolean; quantity: number; unit: number; total: number }[];
  subtotal: number;
  shipping: { amount: number; rateId: string };
  tax: number;
  rateBps: number;
  inclusive: boolean;
  amountTotal: number;
}

async function placeOrder(client: PoolClient, p: Placement): Promise<Record<string, unknown> | { outOfStock: string[] }> {
  const tracked = p.variantIds.filter((id) => p.priced.find((l) => l.variant_id === id)!.track_inventory);
  const { rows: levels } = await client.query<{ id: string; variant_id: string; product_id: string; location_id: string; on_hand: number; reserved: number; allow_backorder: boolean }>(
    `SELECT l.id, l.variant_id, l.product_id, l.location_id, l.on_hand, l.reserved, l.allow_backorder
       FROM inventory_levels l JOIN stock_locations s ON s.id = l.location_id AND s.is_default
      WHERE l.merchant_id = $1 AND l.variant_id = ANY($2::uuid[])
      ORDER BY l.variant_id, l.location_id FOR UPDATE OF l`,
    [p.merchantId, tracked],
  );
  const short = tracked.filter((id) => {
    const level = levels.find((l) => l.variant_id === id);
    return !level || (!level.allow_backorder && level.on_hand - level.reserved < p.wanted.get(id)!);
  });
  if (short.length) return { outOfStock: short };

  // As the API since a9a486a: the stock writes in one statement, then everything else (with the
  // order-number counter, whose row stays locked until the commit) in one more.
  const orderId = randomUUID();
  const reservationId = randomUUID();
  const quantities = levels.map((l) => p.wanted.get(l.variant_id)!);
  const levelOf = new Map(levels.map((l) => [l.variant_id, l]));
  const reserved = p.variantIds.map((id) => ({ id, product: p.priced.find((l) => l.variant_id === id)!.product_id, level: levelOf.get(id) ?? null, quantity: p.wanted.get(id)! }));
  const [{ expires_at: expiresAt }] = (
    await client.query<{ expires_at: Date }>(
      `WITH reservation AS (
         INSERT INTO inventory_reservations (id, merchant_id, reference, status, expires_at) VALUES ($2, $1, $3, 'active', now() + $4 * interval '1 second') RETURNING expires_at
       ), lines AS (
         INSERT INTO inventory_reservation_lines (merchant_id, reservation_id, product_id, variant_id, level_id, location_id, quantity)
         SELECT $1, $2, * FROM unnest($5::uuid[], $6::uuid[], $7::uuid[], $8::uuid[], $9::int[])
       ), levels AS (
         UPDATE inventory_levels t SET reserved = t.reserved + u.q, updated_at = now() FROM unnest($10::uuid[], $11::int[]) AS u(id, q) WHERE t.id = u.id
       ), movements AS (
         INSERT INTO inventory_movements (merchant_id, product_id, variant_id, location_id, level_id, type, quantity, on_hand_delta, reserved_delta, on_hand_after, reserved_after, actor_type, reference, reservation_id)
         SELECT $1, u.product_id, u.variant_id, u.location_id, u.level_id, 'reservation', u.q, 0, u.q, u.on_hand, u.reserved, 'system', $3, $2
           FROM unnest($12::uuid[], $13::uuid[], $14::uuid[], $10::uuid[], $11::int[], $15::int[], $16::int[]) AS u(product_id, variant_id, location_id, level_id, q, on_hand, reserved)
       )
       SELECT expires_at FROM reservation`,
      [
        p.merchantId,
        reservationId,
        orderId,
        RESERVATION_TTL_SECONDS,
        reserved.map((r) => r.product),
        reserved.map((r) => r.id),
        reserved.map((r) => r.level?.id ?? null),
        reserved.map((r) => r.level?.location_id ?? null),
        reserved.map((r) => r.quantity),
        levels.map((l) => l.id),
        quantities,
        levels.map((l) => l.product_id),
        levels.map((l) => l.variant_id),
        levels.map((l) => l.location_id),
        levels.map((l) => l.on_hand),
        levels.map((l, i) => l.reserved + quantities[i]),
      ],
    )
  ).rows;

  const day = new Date().toISOString().slice(0, 10);
  // The test provider's session ids are known before its row is written, so the order is inserted once, complete.
  const paymentIntentId = `test_pi_${randomBytes(12).toString('hex')}`;
  const sessionRowId = randomUUID();
  const sessionId = `test_cs_${sessionRowId}`;
  const checkoutUrl = `${PUBLIC_BASE_URL}/api/payments/test-checkout/${sessionId}`;
  const a = p.body.shipping_address ?? {};
  const address = {
    line_1: a.line_1,
    line_2: a.line_2 || null,
    city: a.city,
    state: a.state || null,
    postal_code: a.postal_code,
    country_alpha2: a.country_alpha2,
    contact_name: a.contact_name,
    contact_phone: a.contact_phone ?? null,
    contact_email: a.contact_email?.toLowerCase() ?? null,
  };
  const created = {
    merchant_id: p.merchantId, order_id: orderId, status: 'pending', previous_status: null, source: 'customer', note: null, currency: p.currency,
    amount_total_minor: p.amountTotal, refunded_amount_minor: 0, customer_user_id: null, customer_email: p.body.email.toLowerCase(), customer_name: p.body.name,
    item_count: p.priced.length, tracking_number: null, carrier: null, tracking_url: null, occurred_at: new Date().toISOString(),
  };
  const [{ order_number: orderNumber }] = (
    await client.query<{ order_number: string }>(
      `WITH number AS (
         INSERT INTO order_number_counters (merchant_id, day, last_value) VALUES ($1::uuid, $2::date, 1)
         ON CONFLICT (merchant_id, day) DO UPDATE SET last_value = order_number_counters.last_value + 1, updated_at = now()
         RETURNING 'ORD-' || to_char($2::date, 'YYYYMMDD') || '-' || lpad(last_value::text, greatest(4, length(last_value::text)), '0') AS order_number
       ), placed AS (
         INSERT INTO orders (id, merchant_id, order_number, status, customer_email, customer_name, currency, subtotal, shipping_fee, tax_amount, amount_total,
                             prices_include_tax, tax_rate_bps, shipping_rate_id, shipping_address, reservation_id, expires_at, success_url, cancel_url,
                             payment_provider, payment_session_id, stripe_payment_intent_id, checkout_url)
         SELECT $3::uuid, $1::uuid, n.order_number, 'pending'::order_status, $4::text, $5::text, $6::text, $7::bigint, $8::bigint, $9::bigint, $10::bigint, $11::boolean, $12::int, $13::text, $14::jsonb, $15::uuid, $16::timestamptz, $17::text, $18::text, 'test', $19::text, $20::text, $21::text FROM number n
         RETURNING order_number, created_at
       ), items AS (
         INSERT INTO order_items (merchant_id, order_id, position, product_id, variant_id, product_name, sku, variant_attributes, image_url, quantity, unit_price, total)
         SELECT $1::uuid, $3::uuid, u.position - 1, u.product_id, u.variant_id, u.product_name, u.sku, u.attributes, u.image_url, u.quantity, u.unit, u.total
           FROM unnest($22::uuid[], $23::uuid[], $24::text[], $25::text[], $26::jsonb[], $27::text[], $28::int[], $29::bigint[], $30::bigint[]) WITH ORDINALITY
                AS u(product_id, variant_id, product_name, sku, attributes, image_url, quantity, unit, total, position)
       ), history AS (
         INSERT INTO order_status_history (merchant_id, order_id, from_status, to_status, source) VALUES ($1::uuid, $3::uuid, NULL, 'pending', 'customer')
       ), session AS (
         INSERT INTO test_payment_sessions (id, idempotency_key, order_id, order_number, merchant_id, amount_minor, currency, payment_intent_id, success_url, cancel_url, expires_at)
         SELECT $31::uuid, $32::text, $3::uuid, order_number, $1::uuid, $10::bigint, $6::text, $20::text, $17::text, $18::text, $16::timestamptz FROM placed
       ), payment AS (
         INSERT INTO payments (merchant_id, order_id, provider, session_id, payment_intent_id, status, amount, currency, checkout_url, expires_at)
         SELECT $1::uuid, $3::uuid, 'test', $19::text, $20::text, 'pending'::payment_status, $10::bigint, $6::text, $21::text, $16::timestamptz FROM placed
       ), events AS (
         INSERT INTO outbox_events (queue, name, payload, available_at)
         SELECT $33::text, $34::text, $35::jsonb || jsonb_build_object('order_number', order_number, 'placed_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), now() FROM placed
         UNION ALL SELECT $36::text, $37::text, $38::jsonb, now() + $39::int * interval '1 second'
       )
       SELECT order_number, pg_notify($40::text, $3::uuid::text) FROM placed`,
      [
        p.merchantId,
        day,
        orderId,
        p.body.email.toLowerCase(),
        p.body.name,
        p.currency,
        p.subtotal,
        p.shipping.amount,
        p.tax,
        p.amountTotal,
        p.inclusive,
        p.rateBps,
        p.shipping.rateId,
        address,
        reservationId,
        expiresAt,
        p.body.success_url,
        p.body.cancel_url,
        sessionId,
        paymentIntentId,
        checkoutUrl,
        p.priced.map((l) => l.product_id),
        p.priced.map((l) => l.variant_id),
        p.priced.map((l) => l.product_name),
        p.priced.map((l) => l.sku),
        p.priced.map((l) => JSON.stringify(l.attributes)),
        p.priced.map((l) => l.image_url),
        p.priced.map((l) => l.quantity),
        p.priced.map((l) => l.unit),
        p.priced.map((l) => l.total),
        sessionRowId,
        `checkout:${orderId}`,
        Jobs.OrderCreated.queue,
        Jobs.OrderCreated.name,
        created,
        Jobs.PaymentVerify.queue,
        Jobs.PaymentVerify.name,
        { order_id: orderId, merchant_id: p.merchantId },
        VERIFY_DELAY_SECONDS,
        OUTBOX_CHANNEL,
      ],
    )
  ).rows;

  const money = (minor: number) => formatMinor(minor, p.currency);
  return {
    order_id: orderId,
    order_number: orderNumber,
    status: 'pending',
    checkout_url: checkoutUrl,
    payment_intent_client_secret: null,
    expires_at: new Date(expiresAt).toISOString(),
    currency: p.currency,
    subtotal: money(p.subtotal),
    shipping_fee: money(p.shipping.amount),
    tax_amount: money(p.tax),
    amount_total: money(p.amountTotal),
    payment_provider: 'test',
  };
}
