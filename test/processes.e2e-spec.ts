import SwaggerParser from '@apidevtools/swagger-parser';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { liveWorkers } from '@app/common';
import { createTestDatabase } from './harness/database';
import { obliterateQueues } from './harness/app';
import { testConfig, TEST_REDIS_URL } from './harness/env';

const DIST = join(__dirname, '..', 'dist', 'src');

/** Runs a compiled entry point (npm test builds first, see the pretest script). */
function run(entry: string, env: Record<string, string>): ChildProcess {
  if (!existsSync(join(DIST, entry))) throw new Error(`dist/src/${entry} is missing: run \`npm run build\` (npm test does)`);
  const { NODE_ENV: _n, JWT_SECRET: _j, ...inherited } = process.env;
  return spawn(process.execPath, [join(DIST, entry)], { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function finished(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

describe('Process startup and shutdown (compiled entry points)', () => {
  it.each(['main.js', 'worker.js'])('%s refuses to start in production without a JWT secret, naming it', async (entry) => {
    const { code, output } = await finished(run(entry, { NODE_ENV: 'production' }));
    expect(code).not.toBe(0);
    expect(output).toMatch(/JWT_SECRET: is missing/);
  });

  it('main.js refuses a weak secret and names a malformed variable', async () => {
    const { code, output } = await finished(run('main.js', { NODE_ENV: 'production', JWT_SECRET: 'secret', PORT: 'abc' }));
    expect(code).toBe(1);
    expect(output).toMatch(/JWT_SECRET/);
    expect(output).toMatch(/PORT/);
  });

  it('openapi.js writes a valid OpenAPI 3 document with no database or Redis reachable', async () => {
    const target = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
    const child = spawn(process.execPath, [join(DIST, 'openapi.js'), target], {
      env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { code, output } = await finished(child);
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('wrote') });
    const document = JSON.parse(readFileSync(target, 'utf8'));
    await SwaggerParser.validate(document);
    expect(document.paths['/health/ready']).toBeDefined();
  });

  it('the worker starts, beats, and exits cleanly on SIGTERM', async () => {
    const db = await createTestDatabase();
    const config = testConfig(db.name);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const child = run('worker.js', {
        NODE_ENV: 'test',
        DATABASE_URL: config.database.url,
        QUEUE_PREFIX: config.redis.queuePrefix,
        LOG_LEVEL: 'warn',
      });
      const exit = finished(child);
      const deadline = Date.now() + 15_000;
      while ((await liveWorkers(redis, config.redis.queuePrefix)).length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await liveWorkers(redis, config.redis.queuePrefix)).toHaveLength(1);
      child.kill('SIGTERM');
      const { code, output } = await exit;
      expect({ code, output }).toEqual({ code: 0, output: expect.any(String) });
      // A clean shutdown removes its heartbeat instead of leaving it to expire.
      expect(await liveWorkers(redis, config.redis.queuePrefix)).toEqual([]);
    } finally {
      redis.disconnect();
      await obliterateQueues(config);
      await db.drop();
    }
  });
});
