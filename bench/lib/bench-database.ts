import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client, ClientBase, Pool } from 'pg';
import { createDatabaseIfMissing, dropDatabase, splitDatabaseUrl } from '@app/common';
import { productionEnv } from './bench-env';

/** The compiled tree this file runs from (dist/, holding bench/, src/, libs/, migrations/), and the repository above it. */
export const DIST = join(__dirname, '..', '..');
export const REPO_ROOT = join(DIST, '..');

export const DEFAULT_BENCH_DATABASE = 'commerce_bench';

/**
 * The benchmark database: `--database-url`, else BENCH_DATABASE_URL, else a database named
 * `commerce_bench` on DATABASE_URL's server (127.0.0.1:5432 by default). Never the development
 * database itself: the data generator fills it with tens of thousands of rows.
 */
export function benchDatabaseUrl(explicit?: string): string {
  if (explicit) return explicit;
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  const server = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  server.pathname = `/${DEFAULT_BENCH_DATABASE}`;
  return server.toString();
}

export function databaseName(url: string): string {
  return splitDatabaseUrl(url).database;
}

/** Runs `node dist/src/cli.js <args>` against the given database, failing with its output. */
export function runCli(args: string[], databaseUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(DIST, 'src', 'cli.js'), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...productionEnv({ DATABASE_URL: databaseUrl }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`cli.js ${args.join(' ')} exited with ${code}:\n${output}`))));
  });
}

/** Creates the database when missing and applies every migration (`cli.js migration:run`, as deployments do). */
export async function prepareBenchDatabase(url: string, options: { reset?: boolean } = {}): Promise<{ created: boolean }> {
  if (options.reset) {
    const name = databaseName(url);
    // --reset drops the database: only ever one that says it is a benchmark database.
    if (!/bench/i.test(name)) throw new Error(`--reset drops the database; refusing for "${name}" (its name must contain "bench")`);
    await dropDatabase(url);
  }
  const created = await createDatabaseIfMissing(url);
  await runCli(['migration:run'], url);
  return { created };
}

/**
 * Drops the outbox rows earlier runs left unsent (payment re-checks delayed by minutes, mostly:
 * every bench checkout leaves one) and vacuums the outbox, so a run does not relay and verify
 * another run's orders in the middle of its own scenarios. Returns how many rows were dropped.
 */
export async function dropEarlierRunsOutbox(url: string): Promise<number> {
  return withClient(url, async (client) => {
    if (!(await tableExists(client, 'outbox_events'))) return 0;
    const { rowCount } = await client.query(`DELETE FROM outbox_events WHERE sent_at IS NULL`);
    await client.query(`VACUUM outbox_events`);
    return rowCount ?? 0;
  });
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'commerce-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function tableExists(db: Pool | ClientBase, table: string): Promise<boolean> {
  const { rows } = await db.query<{ found: string | null }>(`SELECT to_regclass($1) AS found`, [`public.${table}`]);
  return rows[0].found !== null;
}

/**
 * The PostgreSQL settings that change what a run measures, as one log line. A server with
 * autovacuum off (some CI images turn it off) never cleans dead rows or GIN pending lists in the
 * background, so write-heavy scenarios degrade run after run: said in the line, not hidden.
 */
export async function serverSettings(url: string): Promise<string> {
  return withClient(url, async (client) => {
    const names = ['server_version', 'autovacuum', 'fsync', 'synchronous_commit', 'shared_buffers', 'max_connections'];
    const { rows } = await client.query<{ name: string; setting: string; unit: string | null }>(`SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)`, [names]);
    const shown = rows.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name)).map((r) => `${r.name}=${r.setting}${r.unit && r.unit !== 'ms' ? ` (${r.unit})` : ''}`);
    const off = rows.find((r) => r.name === 'autovacuum')?.setting === 'off';
    return `PostgreSQL: ${shown.join(', ')}${off ? ' · WARNING: autovacuum is off on this server; write scenarios get slower run after run (dead rows, GIN pending lists)' : ''}`;
  });
}
