import { BENCH_PASSWORD } from '../data/catalog-data';
import { below, BUDGET, holds } from '../lib/budget';
import { runCli } from '../lib/bench-database';
import { figures, LoadFigures, runLoad } from '../lib/load';
import { BenchContext, HttpServer, Scenario } from './scenario';

const ADMIN_EMAIL = 'bench-admin@bench.local';

const month = (monthsAgo: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 1)).toISOString().slice(0, 7);
};

async function bearer(ours: HttpServer, email: string): Promise<Record<string, string>> {
  const response = await fetch(`${ours.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: BENCH_PASSWORD }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token) throw new Error(`login as ${email} failed: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
  return { authorization: `Bearer ${body.access_token}` };
}

/** Each endpoint's requests: a few windows and both currencies of the bench store (USD and EUR). */
function endpoints(): { name: string; as: 'merchant' | 'admin'; paths: string[] }[] {
  const months = [0, 1, 2, 3, 6, 11].map(month);
  return [
    { name: 'sales', as: 'merchant', paths: ['/api/v1/sales?days=7', '/api/v1/sales?days=30', '/api/v1/sales?days=90', '/api/v1/sales?days=366', '/api/v1/sales?days=7&currency=EUR'] },
    {
      name: 'products_top',
      as: 'merchant',
      paths: ['/api/v1/products/top?days=30&limit=10', '/api/v1/products/top?days=7&limit=10', '/api/v1/products/top?days=90&limit=50', '/api/v1/products/top?days=30&limit=10&currency=EUR'],
    },
    { name: 'customers', as: 'merchant', paths: ['/api/v1/customers?days=90', '/api/v1/customers?days=30', '/api/v1/customers?days=7', '/api/v1/customers?days=90&currency=EUR'] },
    { name: 'financial', as: 'merchant', paths: [...months.map((m) => `/api/v1/financial?month=${m}`), `/api/v1/financial?month=${months[1]}&currency=EUR`] },
    { name: 'platform_overview', as: 'admin', paths: [...months.map((m) => `/api/v1/platform/overview?month=${m}`), `/api/v1/platform/overview?month=${months[1]}&currency=EUR`] },
  ];
}

/**
 * The five analytics endpoints (seed 004) on the bench store's orders (`npm run bench:data --
 * --orders 1000000`; bench:data fills the rollups as the order-events consumer would): each
 * endpoint alone under load, as the store's owner (platform overview as an admin the scenario
 * creates with the CLI's admin:create). Issue 9: p95 < 50 ms each. No floor: the budget is absolute.
 * The load is a dashboard's: --analytics-connections (default 10) concurrent requests, not the
 * storefront's 50 (bench/RESULTS.md has both).
 */
export const analytics: Scenario = {
  name: 'analytics',
  summary: 'GET /api/v1/sales, products/top, customers, financial (store owner) and platform/overview (admin), each alone: p50/p95/p99 and requests/s',
  requiresTables: ['orders', 'merchant_daily_product_sales'],
  async run(ctx: BenchContext) {
    const { rows } = await ctx.db.query<{ email: string; orders: number }>(
      `SELECT u.email, (SELECT coalesce(sum(orders_placed), 0)::int FROM merchant_daily_sales s WHERE s.merchant_id = m.id) AS orders
         FROM merchants m JOIN users u ON u.id = m.owner_user_id WHERE m.id = $1`,
      [ctx.dataset.store.id],
    );
    if (!rows[0]?.orders) throw new Error(`store ${ctx.dataset.store.slug} has no orders in its rollups: generate some with npm run bench:data -- --orders 1000000 --reset`);
    ctx.log(`analytics: ${rows[0].orders} orders in ${ctx.dataset.store.slug}'s rollups`);
    await runCli(['admin:create', '--email', ADMIN_EMAIL, '--password', BENCH_PASSWORD], ctx.databaseUrl);

    const ours = await ctx.api();
    const headers = { merchant: await bearer(ours, rows[0].email), admin: await bearer(ours, ADMIN_EMAIL) };
    const { analyticsConnections: connections, seconds, warmupSeconds } = ctx.options;
    const results: Record<string, LoadFigures & { distinct_requests: number }> = {};
    let answersOk = true;
    for (const endpoint of endpoints()) {
      for (const path of endpoint.paths) {
        const response = await fetch(ours.baseUrl + path, { headers: headers[endpoint.as] });
        const body = (await response.json()) as { success?: boolean };
        if (response.status !== 200 || body.success !== true) {
          answersOk = false;
          ctx.log(`analytics: ${path} answered ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
        }
      }
      const load = { baseUrl: ours.baseUrl, paths: endpoint.paths, connections, headers: headers[endpoint.as] };
      await runLoad({ ...load, seconds: warmupSeconds });
      results[endpoint.name] = { ...figures(await runLoad({ ...load, seconds })), distinct_requests: endpoint.paths.length };
      ctx.log(`analytics: ${endpoint.name} ${JSON.stringify(results[endpoint.name])}`);
    }
    return {
      figures: { ...results, connections, seconds_per_endpoint: seconds, orders: rows[0].orders },
      budget: [
        ...Object.entries(results).map(([name, f]) => below(`${name}.p95`, f.p95, BUDGET.analyticsP95Ms)),
        holds('answers_ok', answersOk),
        holds('no_errors', Object.values(results).every((f) => f.errors === 0)),
      ],
    };
  },
};
