import { EntityManager } from 'typeorm';
import { ROLLUP_REBUILD_SQL, ROLLUP_TABLES } from '../../src/modules/analytics/analytics-rebuild.service';
import { BENCH_EMAIL_DOMAIN, STORE_SLUG_PREFIX } from './catalog-data';

export interface OrdersPlan {
  /** Orders in total, spread over the bench stores and customers, placed over the last year. */
  orders: number;
  seed: number;
  log: (line: string) => void;
}

export interface OrdersOutcome {
  written: number;
  items?: number;
  history?: number;
  payments?: number;
  /** Why nothing was written, when nothing was. */
  skipped?: string;
}

/** Orders per set-based batch: large enough that per-statement overhead vanishes, small enough for work_mem. */
const ORDERS_PER_BATCH = 100_000;

/**
 * A deterministic integer in [0, mod) from the seed, the order number and a salt: the generator
 * uses no random(), so the same --seed gives the same orders.
 */
const pick = (salt: string, mod: number | string) => `(abs(hashtextextended($3::text || ':${salt}:' || n, 0)) % ${mod})`;

/**
 * The orders half of `npm run bench:data`, run after the catalog in the same transaction: orders of
 * the bench customers (`customer<n>@bench.local`) in the bench stores (`bench-store-<n>`) over the
 * last year, with their items (products and variants of the generated catalog, priced from it),
 * status history, test-provider payments for the paid ones, the order-number counters, and the
 * analytics roll-ups the order-events consumer would have built from their events.
 *
 * Set-based SQL only (`INSERT … SELECT … FROM generate_series`), in batches of 100k orders:
 * a million orders through parameters would take minutes. Statuses follow age: orders of the last
 * days are still pending, paid or on their way; older ones are mostly delivered or completed, a
 * few cancelled, refunded or failed. A quarter are in EUR (the stores sell in USD and EUR).
 *
 * Stock is left as the catalog generated it (the orders are history: their units were sold and
 * restocked long ago), so checkout benchmarks are not starved by the generated orders.
 */
export async function generateOrders(manager: EntityManager, plan: OrdersPlan): Promise<OrdersOutcome> {
  if (plan.orders === 0) return { written: 0, skipped: '--orders 0' };
  const [{ found }] = (await manager.query(`SELECT to_regclass('public.orders') IS NOT NULL AS found`)) as { found: boolean }[];
  if (!found) {
    const reason = 'the orders table does not exist yet (the orders module has not landed in the migrations)';
    plan.log(`orders: none written: ${reason}`);
    return { written: 0, skipped: reason };
  }

  // What orders are made of: every sellable variant (numbered per store) and every bench customer.
  await manager.query(`
    CREATE TEMP TABLE bench_sellable ON COMMIT DROP AS
    SELECT v.merchant_id, p.id AS product_id, v.id AS variant_id, p.name AS product_name, v.sku, v.attributes,
           coalesce(v.price, p.price)::bigint AS usd,
           coalesce((SELECT x.amount FROM product_prices x WHERE x.variant_id = v.id AND x.currency = 'EUR'),
                    (SELECT x.amount FROM product_prices x WHERE x.product_id = p.id AND x.variant_id IS NULL AND x.currency = 'EUR'),
                    round(coalesce(v.price, p.price) * 0.92))::bigint AS eur,
           (SELECT i.url FROM product_images i WHERE i.product_id = p.id AND i.variant_id IS NULL ORDER BY i.position LIMIT 1) AS image_url,
           row_number() OVER (PARTITION BY v.merchant_id ORDER BY v.id) - 1 AS k
      FROM product_variants v
      JOIN products p ON p.id = v.product_id
      JOIN merchants m ON m.id = v.merchant_id AND m.slug LIKE '${STORE_SLUG_PREFIX}%'
     WHERE p.deleted_at IS NULL AND v.deleted_at IS NULL AND p.status = 'active' AND v.status = 'active'`);
  await manager.query(`CREATE INDEX ON bench_sellable (merchant_id, k)`);
  await manager.query(`
    CREATE TEMP TABLE bench_buyers ON COMMIT DROP AS
    SELECT id AS user_id, email, name, row_number() OVER (ORDER BY email) - 1 AS k FROM users
     WHERE role = 'customer' AND email LIKE '%@${BENCH_EMAIL_DOMAIN}'`);
  await manager.query(`CREATE INDEX ON bench_buyers (k)`);
  await manager.query(`
    CREATE TEMP TABLE bench_stores ON COMMIT DROP AS
    SELECT s.merchant_id, row_number() OVER (ORDER BY s.merchant_id) - 1 AS k, s.variants
      FROM (SELECT merchant_id, count(*) AS variants FROM bench_sellable GROUP BY merchant_id) s`);
  await manager.query(`ANALYZE bench_sellable; ANALYZE bench_buyers; ANALYZE bench_stores`);
  const [{ stores, buyers }] = (await manager.query(`SELECT (SELECT count(*) FROM bench_stores)::int AS stores, (SELECT count(*) FROM bench_buyers)::int AS buyers`)) as {
    stores: number;
    buyers: number;
  }[];
  if (!stores || !buyers) throw new Error(`--orders ${plan.orders}: orders need a bench store with active products and bench customers (found ${stores} stores, ${buyers} customers)`);

  const outcome = { written: 0, items: 0, history: 0, payments: 0 };
  for (let first = 1; first <= plan.orders; first += ORDERS_PER_BATCH) {
    const last = Math.min(plan.orders, first + ORDERS_PER_BATCH - 1);
    const params = [first, last, String(plan.seed)];
    // One row per order: who, where, when, in which status and currency, how many lines.
    await manager.query(
      `CREATE TEMP TABLE bench_order_batch ON COMMIT DROP AS
       SELECT n, md5($3::text || ':order:' || n)::uuid AS id, s.merchant_id, s.variants, b.user_id, b.email, b.name,
              now() - make_interval(mins => ${pick('age', 525_600)}::int, secs => ${pick('sec', 60)}::int) AS created_at,
              CASE WHEN ${pick('cur', 4)} = 0 THEN 'EUR' ELSE 'USD' END AS currency,
              1 + (CASE WHEN ${pick('lines', 10)} < 6 THEN 0 WHEN ${pick('lines', 10)} < 9 THEN 1 ELSE 2 END) AS lines,
              ${pick('status', 100)} AS bucket
         FROM generate_series($1::int, $2::int) AS n
         JOIN bench_stores s ON s.k = ${pick('store', stores)}
         JOIN bench_buyers b ON b.k = ${pick('buyer', buyers)}`,
      params,
    );
    await manager.query(`
      ALTER TABLE bench_order_batch ADD COLUMN status order_status;
      UPDATE bench_order_batch SET status = (CASE
        WHEN bucket < 3 THEN 'cancelled' WHEN bucket < 5 THEN 'refunded' WHEN bucket < 6 THEN 'failed'
        WHEN created_at > now() - interval '1 day' THEN (ARRAY['pending','pending','paid','paid','processing'])[1 + bucket % 5]
        WHEN created_at > now() - interval '7 days' THEN (ARRAY['paid','processing','awaiting_shipment','shipped','in_transit','delivered'])[1 + bucket % 6]
        WHEN created_at > now() - interval '30 days' THEN (ARRAY['shipped','delivered','delivered','completed'])[1 + bucket % 4]
        ELSE (ARRAY['completed','completed','completed','delivered'])[1 + bucket % 4] END)::order_status;
      ALTER TABLE bench_order_batch ADD PRIMARY KEY (id);
      ANALYZE bench_order_batch`);
    const [{ items }] = (await manager.query(
      `WITH lines AS (
         SELECT o.id AS order_id, o.merchant_id, o.created_at, o.currency, o.n, pos,
                abs(hashtextextended($1::text || ':item:' || o.n || ':' || pos, 0)) % o.variants AS k
           FROM bench_order_batch o CROSS JOIN LATERAL generate_series(0, o.lines - 1) AS pos)
       , inserted AS (
         INSERT INTO order_items (created_at, updated_at, merchant_id, order_id, position, product_id, variant_id, product_name, sku, variant_attributes, image_url, quantity, unit_price, total)
         SELECT l.created_at, l.created_at, l.merchant_id, l.order_id, l.pos, v.product_id, v.variant_id, v.product_name, v.sku, v.attributes, v.image_url,
                q.quantity, q.unit, q.unit * q.quantity
           FROM lines l
           JOIN bench_sellable v ON v.merchant_id = l.merchant_id AND v.k = l.k
           CROSS JOIN LATERAL (SELECT 1 + (abs(hashtextextended($1::text || ':qty:' || l.n || ':' || l.pos, 0)) % 10) / 6 AS quantity,
                                      CASE WHEN l.currency = 'EUR' THEN v.eur ELSE v.usd END AS unit) q
         RETURNING 1)
       SELECT count(*)::int AS items FROM inserted`,
      [String(plan.seed)],
    )) as { items: number }[];
    // Inside this one transaction the planner still sees the tables as they were (empty, on a fresh
    // database), and would plan nested loops over 100k rows: fresh statistics first.
    await manager.query(`ANALYZE order_items`);
    // Order numbers as the service makes them: ORD-<UTC day>-<per-store, per-day counter>.
    const [{ written }] = (await manager.query(`
      WITH totals AS (SELECT order_id, sum(total)::bigint AS subtotal FROM order_items WHERE order_id IN (SELECT id FROM bench_order_batch) GROUP BY order_id),
      numbered AS (
        SELECT o.*, t.subtotal,
               (SELECT coalesce(max(c.last_value), 0) FROM order_number_counters c WHERE c.merchant_id = o.merchant_id AND c.day = (o.created_at AT TIME ZONE 'UTC')::date)
                 + row_number() OVER (PARTITION BY o.merchant_id, (o.created_at AT TIME ZONE 'UTC')::date ORDER BY o.created_at, o.n) AS seq
          FROM bench_order_batch o JOIN totals t ON t.order_id = o.id),
      inserted AS (
        INSERT INTO orders (id, created_at, updated_at, merchant_id, order_number, status, version, customer_user_id, customer_email, customer_name, currency,
                            subtotal, shipping_fee, tax_amount, amount_total, shipping_address, expires_at, payment_provider, payment_session_id, checkout_url,
                            success_url, cancel_url, refunded_amount, tracking_number, carrier, paid_at, shipped_at, delivered_at, completed_at,
                            cancelled_at, cancelled_by, cancellation_reason, refunded_at, utm_source, utm_medium)
        SELECT o.id, o.created_at, o.created_at + interval '3 days', o.merchant_id,
               'ORD-' || to_char(o.created_at AT TIME ZONE 'UTC', 'YYYYMMDD') || '-' || lpad(o.seq::text, greatest(4, length(o.seq::text)), '0'),
               o.status, CASE WHEN o.status = 'pending' THEN 1 ELSE 2 END, o.user_id, o.email, o.name, o.currency,
               o.subtotal, CASE WHEN o.subtotal >= 7500 THEN 0 ELSE 500 END, 0, o.subtotal + CASE WHEN o.subtotal >= 7500 THEN 0 ELSE 500 END,
               jsonb_build_object('line_1', (1 + o.n % 200) || ' Main Street', 'line_2', null, 'city', 'Austin', 'state', 'TX', 'postal_code', '78701',
                                  'country_alpha2', 'US', 'contact_name', o.name, 'contact_phone', null, 'contact_email', o.email),
               o.created_at + interval '30 minutes', 'test', 'cs_test_bench_' || replace(o.id::text, '-', ''),
               'http://localhost:8280/api/payments/test-checkout/cs_test_bench_' || replace(o.id::text, '-', ''),
               'http://localhost:8280/checkout/success', 'http://localhost:8280/checkout/cancel',
               CASE WHEN o.status = 'refunded' THEN o.subtotal + CASE WHEN o.subtotal >= 7500 THEN 0 ELSE 500 END ELSE 0 END,
               CASE WHEN o.status IN ('shipped','in_transit','delivered','completed') THEN '1Z' || upper(substr(md5(o.id::text), 1, 16)) END,
               CASE WHEN o.status IN ('shipped','in_transit','delivered','completed') THEN 'UPS' END,
               CASE WHEN o.status NOT IN ('pending','failed','cancelled') THEN o.created_at + interval '2 minutes' END,
               CASE WHEN o.status IN ('shipped','in_transit','delivered','completed') THEN o.created_at + interval '1 day' END,
               CASE WHEN o.status IN ('delivered','completed') THEN o.created_at + interval '3 days' END,
               CASE WHEN o.status = 'completed' THEN o.created_at + interval '10 days' END,
               CASE WHEN o.status = 'cancelled' THEN o.created_at + interval '31 minutes' END,
               CASE WHEN o.status = 'cancelled' THEN 'system'::order_transition_source END,
               CASE WHEN o.status = 'cancelled' THEN 'payment window expired' END,
               CASE WHEN o.status = 'refunded' THEN o.created_at + interval '5 days' END,
               CASE WHEN o.bucket % 3 = 0 THEN 'newsletter' END, CASE WHEN o.bucket % 3 = 0 THEN 'email' END
          FROM numbered o
        RETURNING 1)
      SELECT count(*)::int AS written FROM inserted`)) as { written: number }[];
    await manager.query(`ANALYZE orders`);
    // The history a real order leaves: created pending, then paid, then where it is now.
    const [{ history }] = (await manager.query(`
      WITH steps AS (
        SELECT o.id, o.merchant_id, NULL::order_status AS from_status, 'pending'::order_status AS to_status, 'customer'::order_transition_source AS source, o.created_at AS at
          FROM bench_order_batch b JOIN orders o ON o.id = b.id WHERE true
        UNION ALL
        SELECT o.id, o.merchant_id, 'pending', 'paid', 'payment', o.paid_at FROM bench_order_batch b JOIN orders o ON o.id = b.id
         WHERE o.paid_at IS NOT NULL
        UNION ALL
        SELECT o.id, o.merchant_id, CASE WHEN o.paid_at IS NULL THEN 'pending' ELSE 'paid' END::order_status, o.status,
               (CASE WHEN o.status IN ('cancelled','failed') THEN 'system' WHEN o.status IN ('in_transit','delivered') THEN 'carrier' ELSE 'merchant' END)::order_transition_source,
               coalesce(o.completed_at, o.delivered_at, o.shipped_at, o.cancelled_at, o.refunded_at, o.created_at + interval '31 minutes')
          FROM bench_order_batch b JOIN orders o ON o.id = b.id WHERE true AND o.status NOT IN ('pending','paid')),
      inserted AS (
        INSERT INTO order_status_history (created_at, updated_at, merchant_id, order_id, from_status, to_status, source)
        SELECT at, at, merchant_id, id, from_status, to_status, source FROM steps RETURNING 1)
      SELECT count(*)::int AS history FROM inserted`)) as { history: number }[];
    const [{ payments }] = (await manager.query(`
      WITH inserted AS (
        INSERT INTO payments (created_at, updated_at, merchant_id, order_id, provider, session_id, payment_intent_id, charge_id, status, amount, currency, captured, refunded, checkout_url, expires_at, paid_at)
        SELECT o.created_at, coalesce(o.paid_at, o.created_at), o.merchant_id, o.id, 'test', o.payment_session_id, 'pi_test_bench_' || replace(o.id::text, '-', ''),
               CASE WHEN o.paid_at IS NOT NULL THEN 'ch_test_bench_' || replace(o.id::text, '-', '') END,
               (CASE WHEN o.paid_at IS NOT NULL THEN 'succeeded' WHEN o.status = 'pending' THEN 'pending' WHEN o.status = 'failed' THEN 'failed' ELSE 'expired' END)::payment_status,
               o.amount_total, o.currency, CASE WHEN o.paid_at IS NOT NULL THEN o.amount_total ELSE 0 END, o.refunded_amount, o.checkout_url, o.expires_at, o.paid_at
          FROM bench_order_batch b JOIN orders o ON o.id = b.id WHERE true
        RETURNING 1)
      SELECT count(*)::int AS payments FROM inserted`)) as { payments: number }[];
    await manager.query(`
      INSERT INTO order_number_counters (merchant_id, day, last_value)
      SELECT o.merchant_id, (o.created_at AT TIME ZONE 'UTC')::date, max(split_part(o.order_number, '-', 3)::int)
        FROM bench_order_batch b JOIN orders o USING (id) GROUP BY 1, 2
      ON CONFLICT (merchant_id, day) DO UPDATE SET last_value = greatest(order_number_counters.last_value, EXCLUDED.last_value), updated_at = now()`);
    await manager.query(`DROP TABLE bench_order_batch`);
    outcome.written += written;
    outcome.items += items;
    outcome.history += history;
    outcome.payments += payments;
    plan.log(`orders: ${outcome.written} of ${plan.orders}`);
  }

  // The roll-ups the analytics consumer keeps from order events (daily sales, per product and day,
  // per customer, transfers per month), recomputed for every order with the analytics:rebuild SQL.
  for (const table of ROLLUP_TABLES) await manager.query(`DELETE FROM ${table}`);
  for (const sql of ROLLUP_REBUILD_SQL) await manager.query(sql, [null]);
  await manager.query(`ANALYZE merchant_daily_sales; ANALYZE merchant_daily_product_sales; ANALYZE merchant_customers; ANALYZE merchant_monthly_transfers`);
  return outcome;
}
