import SwaggerParser from '@apidevtools/swagger-parser';
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { liveWorkers } from '@app/common';
import { freePort } from '../bench/lib/processes';
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

const body = (response: Response): Promise<any> => response.json();

describe('Process startup and shutdown (compiled entry points)', () => {
  it.each(['main.js', 'main.bundle.js', 'worker.js'])('%s refuses to start in production without a JWT secret, naming it', async (entry) => {
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

  it('start:api, the Docker image and docker compose all run the bundle, with the same node flags', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
    const script: string = pkg.scripts['start:api'];
    expect(script).toMatch(/ dist\/src\/main\.bundle\.js$/);
    const image = readFileSync(join(__dirname, '..', 'Dockerfile'), 'utf8').match(/^CMD \[.*"dist\/src\/main\.bundle\.js"\]$/m)?.[0];
    const compose = readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8').match(/^ {4}command: \[.*"dist\/src\/main\.bundle\.js"\]$/m)?.[0];
    expect(image).toBeDefined();
    expect(compose).toBeDefined();
    // The benchmarks run start:api's flags (bench/lib/npm-script.ts): what is deployed must be what was measured.
    const flags = (command: string) => [...command.matchAll(/--[a-z-]+=\d+/g)].map((m) => m[0]);
    expect(flags(script).map((f) => f.split('=')[0])).toEqual(expect.arrayContaining(['--max-old-space-size', '--max-semi-space-size', '--heap-growing-percent']));
    expect(flags(image!)).toEqual(flags(script));
    expect(flags(compose!)).toEqual(flags(script));
  });

  // The bundle is built from the compiled sources every other test runs in-process; this checks
  // what bundling can break: packages found at run time, createRequire(import.meta.url) in the
  // ESM Nest packages, and class-transformer metadata that mapped types (PartialType, OmitType)
  // copy through their own `require` of it.
  it('main.bundle.js serves: readiness, the OpenAPI document and docs, validation with inherited transforms', async () => {
    const db = await createTestDatabase();
    const config = testConfig(db.name);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // LOG_PRETTY: pino's transport runs in a worker thread started from pino's own files, as in development.
    const child = run('main.bundle.js', {
      NODE_ENV: 'test',
      PORT: String(port),
      DATABASE_URL: config.database.url,
      QUEUE_PREFIX: config.redis.queuePrefix,
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'true',
    });
    const exit = finished(child);
    let logs = '';
    child.stdout!.on('data', (d) => (logs += d));
    try {
      const deadline = Date.now() + 20_000;
      let ready = 0;
      while (ready !== 200 && Date.now() < deadline && child.exitCode === null) {
        ready = await fetch(`${base}/health/ready`).then((r) => r.status, () => 0);
        if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      // pino-pretty's lines ("[12:00:00.000] INFO: …"), not JSON: the transport's worker thread runs.
      expect({ ready, logs }).toEqual({ ready: 200, logs: expect.stringMatching(/\] INFO: /) });

      const openapi = await fetch(`${base}/openapi.json`);
      expect(openapi.status).toBe(200);
      const document = await body(openapi);
      await SwaggerParser.validate(structuredClone(document));
      // The same routes as the unbundled build registers.
      const target = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
      const unbundled = spawn(process.execPath, [join(DIST, 'openapi.js'), target], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      expect((await finished(unbundled)).code).toBe(0);
      expect(Object.keys(document.paths).sort()).toEqual(Object.keys(JSON.parse(readFileSync(target, 'utf8')).paths).sort());
      expect((await fetch(`${base}/docs`)).headers.get('content-type')).toMatch(/text\/html/);

      const bad = await fetch(`${base}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"nope"}' });
      expect(bad.status).toBe(422);
      expect((await body(bad)).error.code).toBe('ERR_VALIDATION');

      const email = `bundle-${Date.now()}@example.com`;
      const registered = await fetch(`${base}/api/v1/auth/register/merchant`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: 'Correct-horse-battery-9', business_name: 'Bundle Shop' }),
      });
      expect(registered.status).toBe(201);
      const merchantId: string = (await body(registered)).merchant.id;
      const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'Correct-horse-battery-9' }) });
      const auth = { authorization: `Bearer ${(await body(login)).access_token}`, 'content-type': 'application/json' };
      // PartialType: @Transform(upper) must reach the update DTO, else "us" fails its pattern.
      const updated = await fetch(`${base}/api/merchants/me`, { method: 'PUT', headers: auth, body: JSON.stringify({ origin_country_alpha2: 'us' }) });
      expect({ status: updated.status, country: (await body(updated)).origin_country_alpha2 }).toEqual({ status: 200, country: 'US' });
      // OmitType + IntersectionType: per_page's number conversion comes from the merchant list's DTO.
      const list = (query: string) => fetch(`${base}/api/public/products?merchant=${merchantId}&${query}`).then(async (r) => ({ status: r.status, code: (await body(r)).error?.code }));
      expect(await list('per_page=abc')).toEqual({ status: 422, code: 'ERR_VALIDATION' });
      expect((await list('per_page=5&collections=a,b')).code).not.toBe('ERR_VALIDATION');
    } finally {
      child.kill('SIGTERM');
      await exit;
      await obliterateQueues(config);
      await db.drop();
    }
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
