import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, loadConfig } from '@app/common';

/** Postgres server the tests use (databases are created on it per run and per file). */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(name: string): string {
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export const uniqueSuffix = () => `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

/** A test config: quiet logs, its own database and its own queue prefix. */
export function testConfig(databaseName: string, overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl(databaseName),
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: `test_${databaseName}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    LOG_PRETTY: 'false',
    DATABASE_POOL_SIZE: '5',
    OUTBOX_POLL_INTERVAL_MS: '50',
    // Every request of a test comes from 127.0.0.1; tests of the limits set their own.
    RATE_LIMIT_PER_MINUTE: '100000',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    // The local media driver writes under the system temp directory, one folder per test file.
    MEDIA_LOCAL_DIR: join(tmpdir(), 'commerce-media-tests', databaseName),
    ...overrides,
  });
}
