/**
 * Catalog CSV import benchmark (issue 4's target, issue 9's conventions):
 *
 *   npm run bench:import -- --rows 100000
 *
 * Creates a scratch database from the migrations, an ACTIVE store selling in USD and EUR with three
 * collections, and a realistic CSV (products with 1–4 variants, tags, collections, EUR prices) in
 * the export's own format. The file goes through the real upload path (CatalogImportService.submit
 * stores it and queues the job), then a separate worker process (the worker's Nest context,
 * NODE_ENV=production, logging at warn) runs the catalog-import job handler on it, timing the run
 * and sampling its own RSS every 100 ms. The counts in the database are then checked and ONE JSON
 * line is printed; the scratch database and the run's Redis keys are removed at the end.
 *
 * The worker process gets the node flags of `npm run start:worker` (package.json), so it runs as
 * it is deployed; `--worker-flags "…"` replaces them (e.g. `--worker-flags ""` for Node's defaults).
 *
 * Options: --rows N (default 100000), --seed N (default 1), --keep (keep the scratch database),
 * --worker-flags "…". Environment: BENCH_DATABASE_URL (server to create the scratch database on;
 * default DATABASE_URL's server, else postgres://postgres@127.0.0.1:5432), REDIS_URL,
 * BENCH_TRACE_MEMORY=1 (the worker prints its memory once a second on stderr).
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, createDatabaseIfMissing, deleteKeysWithPrefix, dropDatabase, loadConfig, RequestContext } from '@app/common';
import { createDataSource } from '../src/database/create-data-source';
import { deployedCommand } from './lib/npm-script';
import { CatalogImportHandler } from '../src/modules/catalog/csv/catalog-import.handler';
import { CatalogImportService } from '../src/modules/catalog/csv/catalog-import.service';
import { exportHeader } from '../src/modules/catalog/csv/product-csv';
import { WorkerModule } from '../src/worker.module';

const SCENARIO = 'catalog-import';
const COLLECTIONS = ['summer', 'winter', 'sale'] as const;

// ---------------------------------------------------------------------------------------------
// Options and configuration
// ---------------------------------------------------------------------------------------------

interface Options {
  rows: number;
  seed: number;
  keep: boolean;
  /** Node flags of the worker process; undefined: those of `npm run start:worker`. */
  workerFlags?: string[];
}

function parseOptions(argv: string[]): Options {
  const options: Options = { rows: 100_000, seed: 1, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${arg} needs a positive integer`);
      return n;
    };
    if (arg === '--rows') options.rows = value();
    else if (arg === '--seed') options.seed = value();
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--worker-flags') options.workerFlags = (argv[++i] ?? '').split(/\s+/).filter(Boolean);
    else if (arg.startsWith('--worker-flags=')) options.workerFlags = arg.slice('--worker-flags='.length).split(/\s+/).filter(Boolean);
    else throw new Error(`unknown option ${arg} (use --rows N, --seed N, --keep, --worker-flags "…")`);
  }
  return options;
}

/** The environment both processes load their config from: production-like, logging at warn, a scratch database. */
function benchEnvironment(suffix: string): Record<string, string> {
  const server = new URL(process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  server.pathname = `/commerce_bench_${suffix}`;
  return {
    NODE_ENV: 'production',
    DATABASE_URL: server.toString(),
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench_${suffix}`,
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    JWT_SECRET: randomBytes(48).toString('base64'),
    // Production refuses to pick a payment provider by itself; the benchmark never pays anything.
    PAYMENT_PROVIDER: 'test',
  };
}

const bootContext = (config: AppConfig) =>
  NestFactory.createApplicationContext(WorkerModule.forRoot(config, { autoStart: false }), { logger: ['error', 'warn'] });

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

// ---------------------------------------------------------------------------------------------
// The CSV
// ---------------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so a given --seed always generates the same file. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const csvCell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export interface GeneratedCatalog {
  csv: Buffer;
  rows: number;
  products: number;
  variants: number;
  /** Explicit EUR price rows (product and variant level). */
  prices: number;
  memberships: number;
}

const ADJECTIVES = ['Merino', 'Linen', 'Organic', 'Classic', 'Vintage', 'Urban', 'Alpine', 'Coastal', 'Everyday', 'Heritage', 'Nordic', 'Soft'];
const NOUNS = ['Sweater', 'T-Shirt', 'Hoodie', 'Jacket', 'Scarf', 'Beanie', 'Tote Bag', 'Mug', 'Notebook', 'Candle', 'Socks', 'Cap'];
const TAGS = ['summer', 'winter', 'wool', 'cotton', 'sale', 'new', 'organic', 'bestseller', 'gift', 'limited', 'eco', 'unisex'];
const SIZES = ['S', 'M', 'L', 'XL'];
const COLORS = ['red', 'navy', 'black', 'white', 'olive', 'sand'];
const STATUSES = ['active', 'active', 'active', 'active', 'active', 'active', 'active', 'active', 'draft', 'inactive'];

/** Exactly `rows` data rows in the export's format: one row per variant, the product's fields repeated. */
export function generateCatalog(rows: number, seed: number): GeneratedCatalog {
  const random = prng(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const money = (minor: number) => (minor / 100).toFixed(2);
  const header = exportHeader(['EUR']);
  const column = new Map(header.map((c, i) => [c, i]));
  const parts: Buffer[] = [Buffer.from(`${header.join(',')}\n`)];
  const stats = { rows: 0, products: 0, variants: 0, prices: 0, memberships: 0 };
  let lines: string[] = [];

  for (let p = 0; stats.rows < rows; p++) {
    const variantCount = Math.min(int(1, 4), rows - stats.rows);
    const name = `${pick(ADJECTIVES)} ${pick(NOUNS)} ${p}`;
    const price = int(500, 20_000);
    const tags = [...new Set(Array.from({ length: int(1, 3) }, () => pick(TAGS)))];
    const collections = COLLECTIONS.filter(() => random() < 0.3);
    const eur = random() < 0.5 ? Math.round(price * 0.92) : null;
    const product = new Array<string>(header.length).fill('');
    const set = (cells: string[], name: string, value: string) => (cells[column.get(name)!] = value);
    set(product, 'handle', `bench-${p}`);
    set(product, 'name', name);
    set(product, 'description', random() < 0.2 ? `${name}: "soft", warm\nand made to last.` : `${name}, made from responsibly sourced materials. Machine washable.`);
    set(product, 'status', pick(STATUSES));
    set(product, 'price', money(price));
    set(product, 'original_price', random() < 0.3 ? money(price + int(100, 5_000)) : '');
    set(product, 'cost_price', money(Math.round(price * 0.4)));
    set(product, 'currency', 'USD');
    set(product, 'weight', (int(50, 2_000) / 1000).toString());
    set(product, 'length', String(int(5, 60)));
    set(product, 'width', String(int(5, 40)));
    set(product, 'height', (int(5, 100) / 10).toString());
    set(product, 'hs_code', '6110.11');
    set(product, 'country_of_origin', 'PT');
    set(product, 'customs_description', 'Knitted garment');
    set(product, 'requires_shipping', 'true');
    set(product, 'track_inventory', 'true');
    set(product, 'low_stock_threshold', String(int(0, 10)));
    set(product, 'tags', tags.join(';'));
    set(product, 'collections', collections.join(';'));
    set(product, 'meta_title', name);
    set(product, 'meta_description', `Buy the ${name} online.`);
    set(product, 'price_EUR', eur === null ? '' : money(eur));
    set(product, 'original_price_EUR', eur !== null && random() < 0.3 ? money(eur + int(100, 2_000)) : '');
    stats.products++;
    stats.prices += eur === null ? 0 : 1;
    stats.memberships += collections.length;

    // One variant without attributes is the product's default variant; otherwise sizes (and a colour).
    const implicit = variantCount === 1 && random() < 0.5;
    const color = random() < 0.5 ? pick(COLORS) : null;
    for (let v = 0; v < variantCount; v++) {
      const cells = [...product];
      const size = SIZES[v];
      set(cells, 'variant_sku', implicit ? `B${p}` : `B${p}-${size}`);
      set(cells, 'variant_price', random() < 0.2 ? money(price + int(100, 1_000)) : '');
      set(cells, 'variant_stock', String(int(0, 100)));
      set(cells, 'variant_status', 'active');
      set(cells, 'variant_attributes', implicit ? '' : JSON.stringify(color ? { size, color } : { size }));
      set(cells, 'variant_position', String(v));
      const variantEur = random() < 0.2 ? Math.round(price * 0.95) : null;
      set(cells, 'variant_price_EUR', variantEur === null ? '' : money(variantEur));
      stats.prices += variantEur === null ? 0 : 1;
      lines.push(cells.map(csvCell).join(','));
      stats.rows++;
      stats.variants++;
    }
    if (lines.length >= 1_000) {
      parts.push(Buffer.from(`${lines.join('\n')}\n`));
      lines = [];
    }
  }
  if (lines.length) parts.push(Buffer.from(`${lines.join('\n')}\n`));
  return { csv: Buffer.concat(parts), ...stats };
}

// ---------------------------------------------------------------------------------------------
// The worker side: one process that only runs the job, so its RSS is the worker's
// ---------------------------------------------------------------------------------------------

interface WorkerResult {
  status: string;
  seconds: number;
  peak_rss_mb: number;
  boot_rss_mb: number;
}

async function workerMain(): Promise<void> {
  const env = JSON.parse(process.env.BENCH_ENV!) as Record<string, string>;
  const payload = JSON.parse(process.env.BENCH_JOB!) as { run_id: string; merchant_id: string };
  let peak = process.memoryUsage().rss;
  let samples = 0;
  const sampler = setInterval(() => {
    const memory = process.memoryUsage();
    peak = Math.max(peak, memory.rss);
    // BENCH_TRACE_MEMORY=1: one line a second on stderr, to see where a peak comes from.
    if (process.env.BENCH_TRACE_MEMORY && ++samples % 10 === 0) {
      process.stderr.write(`[bench:${SCENARIO}] rss ${mb(memory.rss)} heap ${mb(memory.heapUsed)}/${mb(memory.heapTotal)} external ${mb(memory.external)} buffers ${mb(memory.arrayBuffers)}\n`);
    }
  }, 100);
  const app = await bootContext(loadConfig({ ...process.env, ...env }));
  try {
    const bootRss = process.memoryUsage().rss;
    const started = process.hrtime.bigint();
    const { status } = await app.get(CatalogImportHandler).run(payload);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    peak = Math.max(peak, process.memoryUsage().rss);
    const result: WorkerResult = { status, seconds, peak_rss_mb: mb(peak), boot_rss_mb: mb(bootRss) };
    process.send!(result);
  } finally {
    clearInterval(sampler);
    await app.close();
  }
}

function runWorker(env: Record<string, string>, job: { run_id: string; merchant_id: string }, nodeFlags: string[]): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--worker'], {
      env: { ...process.env, ...env, BENCH_ENV: JSON.stringify(env), BENCH_JOB: JSON.stringify(job) },
      execArgv: nodeFlags,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: WorkerResult | undefined;
    child.on('message', (message) => (result = message as WorkerResult));
    child.on('error', reject);
    child.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`worker exited with ${code} before reporting`))));
  });
}

// ---------------------------------------------------------------------------------------------
// The driver
// ---------------------------------------------------------------------------------------------

async function createStore(dataSource: DataSource, suffix: string): Promise<{ merchantId: string; userId: string }> {
  const [user] = await dataSource.query(`INSERT INTO users (email, name, password_hash, role) VALUES ($1, 'Bench Owner', 'not-a-login', 'merchant') RETURNING id`, [
    `bench-${suffix}@bench.local`,
  ]);
  const [merchant] = await dataSource.query(
    `INSERT INTO merchants (owner_user_id, name, slug, email, status, status_changed_at, default_currency, supported_currencies)
     VALUES ($1, 'Bench Outfitters', $2, $3, 'ACTIVE', now(), 'USD', '{USD,EUR}') RETURNING id`,
    [user.id, `bench-${suffix}`, `bench-${suffix}@bench.local`],
  );
  for (const [i, slug] of COLLECTIONS.entries()) {
    await dataSource.query(`INSERT INTO collections (merchant_id, slug, name, display_order) VALUES ($1, $2, $3, $4)`, [merchant.id, slug, slug, i]);
  }
  return { merchantId: merchant.id, userId: user.id };
}

async function counts(dataSource: DataSource, merchantId: string) {
  const [row] = await dataSource.query(
    `SELECT (SELECT count(*)::int FROM products WHERE merchant_id = $1 AND deleted_at IS NULL) AS products,
            (SELECT count(*)::int FROM product_variants WHERE merchant_id = $1 AND deleted_at IS NULL) AS variants,
            (SELECT count(*)::int FROM product_prices WHERE merchant_id = $1) AS prices,
            (SELECT count(*)::int FROM collection_products WHERE merchant_id = $1) AS memberships,
            (SELECT count(*)::int FROM audit_logs WHERE merchant_id = $1 AND action = 'product.create') AS audit,
            (SELECT count(*)::int FROM outbox_events WHERE name = 'product.created' AND payload->>'merchant_id' = $1::text) AS outbox`,
    [merchantId],
  );
  return row as Record<'products' | 'variants' | 'prices' | 'memberships' | 'audit' | 'outbox', number>;
}


async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const env = benchEnvironment(suffix);
  const config = loadConfig({ ...process.env, ...env });
  const log = (line: string) => process.stderr.write(`[bench:${SCENARIO}] ${line}\n`);

  await createDatabaseIfMissing(config.database.url);
  let app: INestApplicationContext | undefined;
  try {
    const migrator = createDataSource(config, 'bench-migrate');
    await migrator.initialize();
    await migrator.runMigrations({ transaction: 'each' });
    await migrator.destroy();

    app = await bootContext(config);
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const { merchantId, userId } = await createStore(dataSource, suffix);
    let generated: GeneratedCatalog | null = generateCatalog(options.rows, options.seed);
    const expected = { ...generated, csv: undefined };
    log(`generated ${expected.rows} rows, ${expected.products} products, ${mb(generated.csv.length)} MB`);

    // The upload path: the file is checked, stored and its job queued (the relay is not running, so the job is run below).
    const ctx: RequestContext = {
      principal: { kind: 'user', userId, role: 'merchant', merchantId, scopes: ['read', 'write'] },
      requestId: `bench-${suffix}`,
      ip: '127.0.0.1',
    };
    const { queued, report } = await app.get(CatalogImportService).submit(ctx, merchantId, { bytes: generated.csv, fileName: 'bench.csv' }, false);
    generated = null;
    if (!queued || !report.job_id) throw new Error(`expected a queued import, got ${JSON.stringify(report)}`);

    const deployed = deployedCommand(join(__dirname, '..', '..'), 'start:worker');
    const workerFlags = options.workerFlags ?? deployed.nodeFlags;
    log(`running the catalog-import job in a worker process (node ${[...workerFlags, ''].join(' ')}…)`);
    const worker = await runWorker({ ...deployed.env, ...env }, { run_id: report.job_id, merchant_id: merchantId }, workerFlags);

    const [run] = await dataSource.query(`SELECT status, processed_rows, created, updated, unchanged, failed, errors FROM catalog_import_runs WHERE id = $1`, [report.job_id]);
    const found = await counts(dataSource, merchantId);
    const checks = {
      status: run.status === 'completed' && worker.status === 'completed',
      processed_rows: run.processed_rows === expected.rows,
      created: run.created === expected.products && run.failed === 0,
      products: found.products === expected.products,
      variants: found.variants === expected.variants,
      prices: found.prices === expected.prices,
      memberships: found.memberships === expected.memberships,
      audit: found.audit === expected.products,
      outbox: found.outbox === expected.products,
    };
    const failedChecks = Object.entries(checks)
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    if (failedChecks.length) log(`checks failed: ${failedChecks.join(', ')}; run ${JSON.stringify({ ...run, errors: run.errors.slice(0, 3) })}; expected ${JSON.stringify(expected)}; found ${JSON.stringify(found)}`);

    const result = {
      scenario: SCENARIO,
      rows: expected.rows,
      seconds: Math.round(worker.seconds * 100) / 100,
      rows_per_s: Math.round(expected.rows / worker.seconds),
      peak_rss_mb: worker.peak_rss_mb,
      products: found.products,
      variants: found.variants,
      ok: failedChecks.length === 0,
      boot_rss_mb: worker.boot_rss_mb,
      worker_node_flags: workerFlags.join(' '),
      prices: found.prices,
      memberships: found.memberships,
      audit_rows: found.audit,
      outbox_rows: found.outbox,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (!result.ok) process.exitCode = 1;
  } finally {
    await app?.close().catch(() => undefined);
    await deleteKeysWithPrefix(config.redis.url, config.redis.queuePrefix);
    if (!options.keep) await dropDatabase(config.database.url);
    else log(`kept database ${new URL(config.database.url).pathname.slice(1)}`);
  }
}

const entry = process.argv[2] === '--worker' ? workerMain : main;
entry().catch((err: unknown) => {
  process.stderr.write(`[bench:${SCENARIO}] ${(err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
