/**
 * The benchmark runner:
 *
 *   npm run bench                                               every scenario
 *   npm run bench -- --scenario product-list,product-detail --check
 *
 * Runs the scenarios of bench/scenarios against the production build in dist/: the API and the
 * worker started as `npm run start:api` / `start:worker` start them (bench/lib/npm-script.ts), with
 * NODE_ENV=production, LOG_LEVEL=warn and a JWT secret made for the run, on 127.0.0.1, plus the
 * floor server (bench/floor-server.ts), each started when a scenario first needs it. Where taskset
 * exists and there are two CPUs or more, the servers run on the first half of the CPUs and this
 * process (the load generator, autocannon) on the rest.
 *
 * stdout: one JSON object per scenario, `{scenario, ...figures, budget, pass}`; logs go to stderr.
 * `--check` exits non-zero when a figure misses the issue 9 budget (bench/lib/budget.ts).
 *
 * The data comes from `npm run bench:data` (the `commerce_bench` database, or --database-url /
 * BENCH_DATABASE_URL); when that database holds no bench store yet, the default data set (10,000
 * products) is generated first. Migrations are applied before every run.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client, Pool } from 'pg';
import { DEFAULT_DATABASE_POOL_SIZE, deleteKeysWithPrefix, liveWorkers } from '@app/common';
import { dataRequest, generateBenchData } from './data/generate';
import { productionEnv } from './lib/bench-env';
import { deployedCommand } from './lib/npm-script';
import { benchDatabaseUrl, databaseName, DIST, dropEarlierRunsOutbox, prepareBenchDatabase, REPO_ROOT, serverSettings, tableExists } from './lib/bench-database';
import { OptionSpec, parseOptions } from './lib/cli-options';
import { Dataset, readDataset } from './lib/dataset';
import { cpuLayout, freePort, pinSelf, ServerProcess } from './lib/processes';
import { SCENARIOS } from './scenarios';
import { BenchContext, HttpServer, RunOptions, Scenario } from './scenarios/scenario';

const OPTIONS: Record<string, OptionSpec> = {
  scenario: { kind: 'list', description: `scenarios to run (default all): ${SCENARIOS.map((s) => s.name).join(', ')}` },
  check: { kind: 'flag', description: 'exit 1 when a figure misses the budget of issue 9' },
  connections: { kind: 'int', description: 'connections of the read scenarios (default 50)' },
  'analytics-connections': { kind: 'int', description: 'concurrent requests of the analytics scenario, a dashboard\'s reads (default 10)' },
  seconds: { kind: 'int', description: 'measured seconds per server and read scenario (default 12)' },
  rounds: { kind: 'int', description: 'alternating slices those seconds are split into (default 3)' },
  warmup: { kind: 'int', min: 0, description: 'warm-up seconds per server and read scenario (default 3)' },
  'import-rows': { kind: 'int', description: 'rows of the catalog-import scenario (default 100000)' },
  'pool-size': { kind: 'int', description: `DATABASE_POOL_SIZE of the API, the worker and the floor (default ${DEFAULT_DATABASE_POOL_SIZE}, the API's default)` },
  'database-url': { kind: 'string', description: 'benchmark database (default BENCH_DATABASE_URL, else commerce_bench)' },
  list: { kind: 'flag', description: 'list the scenarios and exit' },
};

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function gitDescription(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} + uncommitted changes` : commit;
  } catch {
    return 'unknown';
  }
}

function selectScenarios(names: string[] | undefined): Scenario[] {
  if (!names) return [...SCENARIOS];
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return SCENARIOS.filter((s) => names.includes(s.name));
}

async function loadDataset(databaseUrl: string): Promise<Dataset> {
  const read = async () => {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return await readDataset(client);
    } finally {
      await client.end();
    }
  };
  const found = await read();
  if (found) return found;
  log(`${databaseName(databaseUrl)} holds no bench data: generating the default set (npm run bench:data; not part of the timings)`);
  const summary = await generateBenchData(dataRequest({ 'database-url': databaseUrl }));
  log(`generated in ${summary.seconds} s: ${JSON.stringify(summary.catalog)}`);
  return (await read())!;
}

/** The servers of a run, started when first asked for and stopped at the end. */
class Servers {
  private readonly started: ServerProcess[] = [];
  private apiServer?: Promise<HttpServer>;
  private floorServer?: Promise<HttpServer>;
  private workerProcess?: Promise<ServerProcess>;

  constructor(
    private readonly env: (overrides?: Record<string, string>) => Record<string, string>,
    private readonly cpus: string | undefined,
    private readonly redisUrl: string,
    private readonly queuePrefix: string,
  ) {}

  async spawnApi(): Promise<HttpServer> {
    const port = await freePort();
    const api = deployedCommand(REPO_ROOT, 'start:api');
    const process = ServerProcess.start({
      name: 'api',
      args: [join(REPO_ROOT, api.entry)],
      nodeFlags: api.nodeFlags,
      env: { ...api.env, ...this.env({ PORT: String(port) }) },
      cpus: this.cpus,
      cwd: REPO_ROOT,
    });
    this.started.push(process);
    return { name: 'ours', baseUrl: `http://127.0.0.1:${port}`, process };
  }

  api(): Promise<HttpServer> {
    this.apiServer ??= (async () => {
      const server = await this.spawnApi();
      const ms = await server.process.waitForOk(`${server.baseUrl}/health/ready`);
      log(`API ready on ${server.baseUrl} in ${Math.round(ms)} ms (pid ${server.process.pid})`);
      return server;
    })();
    return this.apiServer;
  }

  floor(): Promise<HttpServer> {
    this.floorServer ??= (async () => {
      const port = await freePort();
      const process = ServerProcess.start({ name: 'floor', args: [join(DIST, 'bench', 'floor-server.js')], env: this.env({ PORT: String(port) }), cpus: this.cpus, cwd: REPO_ROOT });
      this.started.push(process);
      const baseUrl = `http://127.0.0.1:${port}`;
      await process.waitForOk(`${baseUrl}/health/ready`);
      log(`floor ready on ${baseUrl} (pid ${process.pid})`);
      return { name: 'floor', baseUrl, process };
    })();
    return this.floorServer;
  }

  worker(): Promise<ServerProcess> {
    this.workerProcess ??= (async () => {
      const worker = deployedCommand(REPO_ROOT, 'start:worker');
      const process = ServerProcess.start({
        name: 'worker',
        args: [join(REPO_ROOT, worker.entry)],
        nodeFlags: worker.nodeFlags,
        env: { ...worker.env, ...this.env() },
        cpus: this.cpus,
        cwd: REPO_ROOT,
      });
      this.started.push(process);
      // Ready once its heartbeat is in Redis: it writes it after the relay and the consumers started.
      const redis = new Redis(this.redisUrl, { maxRetriesPerRequest: 3 });
      try {
        const deadline = Date.now() + 30_000;
        while (!(await liveWorkers(redis, this.queuePrefix)).some((w) => w.id.endsWith(`:${process.pid}`))) {
          if (!process.running) throw new Error(`worker exited before it started:\n${process.recentOutput()}`);
          if (Date.now() > deadline) throw new Error(`worker sent no heartbeat within 30 s:\n${process.recentOutput()}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        redis.disconnect();
      }
      log(`worker ready (pid ${process.pid})`);
      return process;
    })();
    return this.workerProcess;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.started.map((p) => p.stop()));
  }
}

async function main(): Promise<void> {
  const parsed = parseOptions(process.argv.slice(2), OPTIONS, 'npm run bench --');
  if (parsed.list) {
    for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(26)}${s.summary}\n`);
    return;
  }
  const scenarios = selectScenarios(parsed.scenario as string[] | undefined);
  const options: RunOptions = {
    connections: (parsed.connections as number | undefined) ?? 50,
    analyticsConnections: (parsed['analytics-connections'] as number | undefined) ?? 10,
    seconds: (parsed.seconds as number | undefined) ?? 12,
    rounds: (parsed.rounds as number | undefined) ?? 3,
    warmupSeconds: (parsed.warmup as number | undefined) ?? 3,
    importRows: (parsed['import-rows'] as number | undefined) ?? 100_000,
    poolSize: (parsed['pool-size'] as number | undefined) ?? DEFAULT_DATABASE_POOL_SIZE,
  };

  const cpu = cpuLayout();
  if (cpu.pinned) pinSelf(cpu.load);
  const databaseUrl = benchDatabaseUrl(parsed['database-url'] as string | undefined);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const queuePrefix = `bench_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
  log(
    `${new Date().toISOString()} · commit ${gitDescription()} · node ${process.version} · ${cpu.cpus} CPUs (${cpu.pinned ? `servers on ${cpu.server}, load generator on ${cpu.load}` : 'not pinned'}) · ` +
      `${Math.round(totalmem() / 2 ** 30)} GB RAM (${Math.round(freemem() / 2 ** 30)} free) · load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );

  await prepareBenchDatabase(databaseUrl);
  log(await serverSettings(databaseUrl));
  const leftovers = await dropEarlierRunsOutbox(databaseUrl);
  if (leftovers) log(`dropped ${leftovers} unsent outbox rows left by earlier runs`);
  const dataset = await loadDataset(databaseUrl);
  log(`data: ${databaseName(databaseUrl)}, store ${dataset.store.slug} with ${dataset.store.activeProducts} active products (${dataset.products} live products in ${dataset.stores} store(s)), ${dataset.customers} customers`);

  const jwtSecret = randomBytes(48).toString('base64');
  const serverEnv = (overrides: Record<string, string> = {}) =>
    productionEnv({
      JWT_SECRET: jwtSecret,
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(options.poolSize),
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: queuePrefix,
      HOST: '127.0.0.1',
      // Every request of the load generator comes from 127.0.0.1: the per-IP limit (still checked
      // in Redis on every request, as in production) is set out of reach.
      RATE_LIMIT_PER_MINUTE: '1000000000',
      ...overrides,
    });
  const servers = new Servers(serverEnv, cpu.pinned ? cpu.server : undefined, redisUrl, queuePrefix);
  const db = new Pool({ connectionString: databaseUrl, max: 4, application_name: 'commerce-bench' });
  const ctx: BenchContext = {
    options,
    dataset,
    cpu,
    databaseUrl,
    redisUrl,
    queuePrefix,
    db,
    serverEnv,
    api: () => servers.api(),
    spawnApi: () => servers.spawnApi(),
    worker: () => servers.worker(),
    floor: () => servers.floor(),
    log,
  };

  let failed = 0;
  try {
    for (const scenario of scenarios) {
      const missing: string[] = [];
      for (const table of scenario.requiresTables ?? []) if (!(await tableExists(db, table))) missing.push(table);
      if (missing.length) {
        log(`${scenario.name}: skipped, table(s) ${missing.join(', ')} do not exist yet`);
        process.stdout.write(`${JSON.stringify({ scenario: scenario.name, skipped: `missing table(s) ${missing.join(', ')}` })}\n`);
        continue;
      }
      log(`${scenario.name}: ${scenario.summary}`);
      const started = Date.now();
      try {
        const { figures, budget } = await scenario.run(ctx);
        const pass = budget.every((b) => b.pass);
        if (!pass) failed++;
        const budgetObject = Object.fromEntries(budget.map(({ name, ...rest }) => [name, rest]));
        process.stdout.write(`${JSON.stringify({ scenario: scenario.name, ...figures, budget: budgetObject, pass })}\n`);
        log(`${scenario.name}: ${pass ? 'within budget' : `MISSES ${budget.filter((b) => !b.pass).map((b) => `${b.name} (${b.value} vs ${b.limit})`).join(', ')}`} · ${Math.round((Date.now() - started) / 1000)} s`);
      } catch (err) {
        failed++;
        log(`${scenario.name}: failed: ${(err as Error)?.stack ?? err}`);
        process.stdout.write(`${JSON.stringify({ scenario: scenario.name, error: (err as Error)?.message ?? String(err), pass: false })}\n`);
      }
    }
  } finally {
    await servers.stopAll();
    await db.end();
    await deleteKeysWithPrefix(redisUrl, queuePrefix);
  }
  if (parsed.check && failed) {
    log(`--check: ${failed} scenario(s) miss the budget`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`[bench] ${(err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
