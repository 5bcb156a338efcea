/**
 * `npm run bench:stalls -- [--buyers 20] [--seconds 10] [--hot] [--node-flags "--single-threaded-gc"]`
 *
 * A probe for the checkout's tail latency, not a scenario of the budget: it starts the API as
 * `npm run start:api` does (plus `--trace-gc` and any --node-flags), runs closed-loop checkouts as
 * the checkout scenario does, and prints one JSON object: the latency figures, then every 100 ms
 * window in which at least a quarter of the buyers got an answer slower than twice the median,
 * each with the V8 mark-compact that overlapped it, if any. Stalls with no mark-compact came from
 * elsewhere (in Dec 2026: a GIN pending-list merge inside the order statement, found with
 * PostgreSQL's `log_min_duration_statement`).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Agent } from 'node:http';
import { Client, Pool } from 'pg';
import { productionEnv } from './lib/bench-env';
import { benchDatabaseUrl, dropEarlierRunsOutbox, REPO_ROOT } from './lib/bench-database';
import { OptionSpec, parseOptions } from './lib/cli-options';
import { readDataset } from './lib/dataset';
import { percentile, round } from './lib/load';
import { deployedCommand } from './lib/npm-script';
import { postJson, runPostLoad } from './lib/post-load';
import { cpuLayout, freePort, pinSelf, ServerProcess } from './lib/processes';
import { checkoutBody, setStock, stockedVariants } from './scenarios/checkout-common';
import type { BenchContext } from './scenarios/scenario';

const OPTIONS: Record<string, OptionSpec> = {
  buyers: { kind: 'int', description: 'concurrent buyers (default 20)' },
  seconds: { kind: 'int', description: 'measured seconds (default 10)' },
  hot: { kind: 'flag', description: 'every checkout takes two of 3 hot items (default: spread over 500)' },
  'node-flags': { kind: 'string', description: 'extra node flags for the API, after the deployed ones' },
  'database-url': { kind: 'string', description: 'benchmark database (default BENCH_DATABASE_URL, else commerce_bench)' },
};

interface GcEvent {
  atMs: number;
  line: string;
}

/** Mark-compacts from `--trace-gc` output ("[pid:addr]  1234 ms: Mark-Compact …"), in ms since the isolate started. */
function markCompacts(output: string): GcEvent[] {
  return output
    .split('\n')
    .map((line) => /\s(\d+) ms: (Mark-Compact.*?)(?: \(average mu|$)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ atMs: Number(m[1]), line: m[2].trim() }));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), OPTIONS, 'npm run bench:stalls --');
  const buyers = (options.buyers as number | undefined) ?? 20;
  const seconds = (options.seconds as number | undefined) ?? 10;
  const hot = options.hot === true;
  const databaseUrl = benchDatabaseUrl(options['database-url'] as string | undefined);
  const cpu = cpuLayout();
  if (cpu.pinned) pinSelf(cpu.load);

  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const dataset = await readDataset(client).finally(() => client.end());
  if (!dataset) throw new Error('no bench data in this database: run npm run bench:data first');
  await dropEarlierRunsOutbox(databaseUrl);
  const db = new Pool({ connectionString: databaseUrl, max: 2, application_name: 'commerce-bench' });
  const ctx = { db, dataset } as unknown as BenchContext;
  const items = hot ? await stockedVariants(ctx, 3, 500) : await stockedVariants(ctx, 500, 0);
  await setStock(ctx, items, 1_000_000);

  const api = deployedCommand(REPO_ROOT, 'start:api');
  const nodeFlags = [...api.nodeFlags, ...String(options['node-flags'] ?? '').split(/\s+/).filter(Boolean)];
  const port = await freePort();
  const server = ServerProcess.start({
    name: 'api',
    args: [join(REPO_ROOT, api.entry)],
    nodeFlags: [...nodeFlags, '--trace-gc'],
    env: {
      ...api.env,
      ...productionEnv({
        JWT_SECRET: randomBytes(48).toString('base64'),
        DATABASE_URL: databaseUrl,
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        QUEUE_PREFIX: `stalls_${Date.now().toString(36)}`,
        HOST: '127.0.0.1',
        PORT: String(port),
        RATE_LIMIT_PER_MINUTE: '1000000000',
      }),
    },
    cpus: cpu.pinned ? cpu.server : undefined,
    cwd: REPO_ROOT,
    // --trace-gc writes a line per scavenge: keep the whole run's.
    outputBytes: 4 * 1024 * 1024,
  });
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    await server.waitForOk(`${baseUrl}/health/ready`);
    let n = 0;
    const body = () => {
      const k = n++;
      const lines = hot ? [items[k % 3], items[(k + 1) % 3]] : [items[(2 * k) % items.length], items[(2 * k + 1) % items.length]];
      return checkoutBody(dataset.store.id, k, lines);
    };
    await runPostLoad({ baseUrl, path: '/api/public/checkout', buyers: 8, seconds: 3, body });
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    // Each answer with when it came, in ms since the API was spawned (what --trace-gc counts from, give or take its startup).
    const answers: { endMs: number; ms: number }[] = [];
    let errors = 0;
    const agent = new Agent({ keepAlive: true, maxSockets: buyers });
    const url = new URL('/api/public/checkout', baseUrl);
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: buyers }, async () => {
        while (performance.now() < deadline) {
          const answer = await postJson(agent, url, body());
          if (answer.status >= 200 && answer.status < 300) answers.push({ endMs: performance.now() - server.spawnedAt, ms: answer.ms });
          else errors++;
        }
      }),
    );
    agent.destroy();
    const elapsed = (performance.now() - started) / 1000;

    const sorted = answers.map((a) => a.ms).sort((a, b) => a - b);
    const median = percentile(sorted, 50, true);
    const windows = new Map<number, number>();
    for (const a of answers) {
      if (a.ms <= 2 * median) continue;
      const slot = Math.floor(a.endMs / 100) * 100;
      windows.set(slot, (windows.get(slot) ?? 0) + 1);
    }
    const gcs = markCompacts(server.recentOutput(Number.MAX_SAFE_INTEGER));
    const from = Math.min(...answers.map((a) => a.endMs));
    const stalls = [...windows]
      .filter(([, slow]) => slow >= buyers / 4)
      .sort(([a], [b]) => a - b)
      .map(([at, slow]) => {
        // A mark-compact shows as the answers of the next ~300 ms coming late.
        const gc = gcs.find((g) => g.atMs >= at - 300 && g.atMs <= at + 100);
        return { at_ms: Math.round(at - from), slow_answers: slow, mark_compact: gc?.line ?? null };
      });
    process.stdout.write(
      `${JSON.stringify({
        buyers,
        contention: hot ? 'hot' : 'spread',
        node_flags: nodeFlags,
        orders_per_s: round(answers.length / elapsed, 1),
        p50: round(median),
        p95: round(percentile(sorted, 95, true)),
        p99: round(percentile(sorted, 99, true)),
        max: round(sorted[sorted.length - 1] ?? 0),
        errors,
        mark_compacts: gcs.filter((g) => g.atMs >= from && g.atMs <= from + elapsed * 1000).length,
        stalls,
        stalls_without_mark_compact: stalls.filter((s) => !s.mark_compact).length,
      })}\n`,
    );
  } finally {
    await server.stop();
    await db.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
