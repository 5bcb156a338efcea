import { BENCH_PASSWORD } from '../data/catalog-data';
import { defineReadScenario } from './read-scenario';
import { BenchContext, HttpServer } from './scenario';

const DAY_MS = 86_400_000;
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY_MS).toISOString().slice(0, 10);

/** Signs in as the bench store's owner through the API (once per run); the floor verifies the same token. */
async function merchantToken(ctx: BenchContext, ours: HttpServer): Promise<Record<string, string>> {
  const { rows } = await ctx.db.query<{ email: string; orders: number }>(
    `SELECT u.email, (SELECT count(*)::int FROM orders o WHERE o.merchant_id = m.id) AS orders FROM merchants m JOIN users u ON u.id = m.owner_user_id WHERE m.id = $1`,
    [ctx.dataset.store.id],
  );
  if (!rows[0]?.orders) throw new Error(`store ${ctx.dataset.store.slug} has no orders: generate some with npm run bench:data -- --orders 300000 --reset`);
  ctx.log(`order-list: ${rows[0].orders} orders in ${ctx.dataset.store.slug}`);
  const response = await fetch(`${ours.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: rows[0].email, password: BENCH_PASSWORD }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token) throw new Error(`login as ${rows[0].email} failed: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
  return { authorization: `Bearer ${body.access_token}` };
}

/**
 * The merchant's order list (needs `npm run bench:data -- --orders N`): newest first and deeper
 * pages, by status, by date range, by search term (order number, email, name), by amount.
 */
export const orderList = defineReadScenario({
  name: 'order-list',
  summary: 'GET /api/orders/merchant as the store owner: pages, status, date range, search and sort filters',
  paths: () => {
    const base = '/api/orders/merchant?per_page=20';
    return [
      base,
      `${base}&page=2`,
      `${base}&page=5`,
      `${base}&status=paid,processing,awaiting_shipment`,
      `${base}&status=pending&sort_order=asc`,
      `${base}&status=delivered&start_date=${day(30)}`,
      `${base}&start_date=${day(7)}&end_date=${day(1)}`,
      `${base}&start_date=${day(90)}&sort_by=amount_total`,
      `${base}&search=customer12`,
      `${base}&search=ORD-${day(3).replaceAll('-', '')}`,
      `${base}&search=jensen&status=completed`,
      `${base}&sort_by=customer_email&sort_order=asc&page=3`,
    ];
  },
  headers: merchantToken,
});
