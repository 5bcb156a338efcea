/**
 * The benchmark data generator:
 *
 *   npm run bench:data -- --products 10000 --merchants 1 --customers 1000 [--orders N] [--reset]
 *
 * Creates the benchmark database when missing (default `commerce_bench` beside DATABASE_URL; see
 * bench/lib/bench-database.ts), applies the migrations with `node dist/src/cli.js migration:run`,
 * and fills it with ACTIVE stores, their catalogs (variants, USD and EUR prices, collections, tags,
 * French and German translations, images), stock with its opening ledger, and customers: straight
 * into PostgreSQL, a few thousand rows per statement, in one transaction (see catalog-data.ts for
 * what the rows are). Then VACUUM ANALYZE, so the planner sees the data as a live database would.
 * Prints one JSON line with what it wrote and how long it took.
 *
 * Deterministic: the same options and --seed give the same names, handles, prices and ids.
 * Every account's password is `bench-password-2026`.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '@app/common';
import { PasswordService } from '../../src/modules/identity/password.service';
import { benchDatabaseUrl, databaseName, prepareBenchDatabase } from '../lib/bench-database';
import { OptionSpec, parseOptions } from '../lib/cli-options';
import { BENCH_PASSWORD, CATALOG_ENTITIES, CatalogCounts, generateCatalog, STORE_SLUG_PREFIX } from './catalog-data';
import { generateOrders, OrdersOutcome } from './orders-data';

export const DATA_OPTIONS: Record<string, OptionSpec> = {
  products: { kind: 'int', description: 'products in total, split over the stores (default 10000)' },
  merchants: { kind: 'int', description: 'ACTIVE stores (default 1)' },
  customers: { kind: 'int', min: 0, description: 'customer accounts (default 1000)' },
  orders: { kind: 'int', min: 0, description: 'orders (default 0; needs the orders table)' },
  seed: { kind: 'int', description: 'seed of the generator (default 1)' },
  'database-url': { kind: 'string', description: 'target database (default BENCH_DATABASE_URL, else commerce_bench on DATABASE_URL\'s server)' },
  reset: { kind: 'flag', description: 'drop and recreate the database first (its name must contain "bench")' },
};

export interface DataRequest {
  databaseUrl: string;
  products: number;
  merchants: number;
  customers: number;
  orders: number;
  seed: number;
  reset: boolean;
}

export interface DataSummary {
  database: string;
  seconds: number;
  catalog: CatalogCounts;
  orders: OrdersOutcome;
  seed: number;
}

const log = (line: string) => process.stderr.write(`[bench:data] ${line}\n`);

/** How many bench stores the database holds (0 on a fresh one). */
export async function benchStoreCount(dataSource: DataSource): Promise<number> {
  const [{ count }] = (await dataSource.query(`SELECT count(*)::int AS count FROM merchants WHERE slug LIKE $1`, [`${STORE_SLUG_PREFIX}%`])) as { count: number }[];
  return count;
}

export async function generateBenchData(request: DataRequest): Promise<DataSummary> {
  const started = Date.now();
  await prepareBenchDatabase(request.databaseUrl, { reset: request.reset });
  const dataSource = new DataSource(
    buildDataSourceOptions({ env: 'production', database: { url: request.databaseUrl, poolSize: 2, logQueries: false } }, { entities: CATALOG_ENTITIES, migrations: [] }, 'commerce-bench-data'),
  );
  await dataSource.initialize();
  try {
    if ((await benchStoreCount(dataSource)) > 0) {
      throw new Error(`${databaseName(request.databaseUrl)} already holds bench data; pass --reset to regenerate it`);
    }
    const passwordHash = await new PasswordService().hash(BENCH_PASSWORD);
    const publicBase = (process.env.PUBLIC_BASE_URL || 'http://localhost:8280').replace(/\/+$/, '');
    const mediaBaseUrl = (process.env.MEDIA_PUBLIC_BASE_URL || `${publicBase}/media`).replace(/\/+$/, '');

    const { catalog, orders } = await dataSource.transaction(async (manager) => {
      // The generated rows are many and rebuildable: no need to wait for the WAL flush of each statement.
      await manager.query(`SET LOCAL synchronous_commit = off`);
      // Statements write thousands of rows each; the service's 30 s statement timeout is for requests.
      await manager.query(`SET LOCAL statement_timeout = 0`);
      const catalog = await generateCatalog(manager, { ...request, passwordHash, mediaBaseUrl, log });
      const orders = await generateOrders(manager, { orders: request.orders, seed: request.seed, log });
      return { catalog, orders };
    });
    log('VACUUM ANALYZE');
    await dataSource.query('VACUUM ANALYZE');
    return { database: databaseName(request.databaseUrl), seconds: Math.round((Date.now() - started) / 100) / 10, catalog, orders, seed: request.seed };
  } finally {
    await dataSource.destroy();
  }
}

export function dataRequest(options: Record<string, unknown>): DataRequest {
  return {
    databaseUrl: benchDatabaseUrl(options['database-url'] as string | undefined),
    products: (options.products as number | undefined) ?? 10_000,
    merchants: (options.merchants as number | undefined) ?? 1,
    customers: (options.customers as number | undefined) ?? 1_000,
    orders: (options.orders as number | undefined) ?? 0,
    seed: (options.seed as number | undefined) ?? 1,
    reset: Boolean(options.reset),
  };
}

async function main(): Promise<void> {
  const request = dataRequest(parseOptions(process.argv.slice(2), DATA_OPTIONS, 'npm run bench:data --'));
  log(`generating ${request.products} products in ${request.merchants} store(s), ${request.customers} customers, ${request.orders} orders into ${databaseName(request.databaseUrl)}`);
  const summary = await generateBenchData(request);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`[bench:data] ${(err as Error)?.stack ?? err}\n`);
    process.exit(1);
  });
}
