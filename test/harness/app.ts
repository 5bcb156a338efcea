import { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { rm } from 'node:fs/promises';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { AppConfig, deleteKeysWithPrefix, QueueRegistry } from '@app/common';
import { createApiApp } from '../../src/bootstrap/create-api-app';
import { WorkerModule } from '../../src/worker.module';
import { createTestDatabase } from './database';
import { testConfig } from './env';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  config: AppConfig;
  dataSource: DataSource;
  /** Closes the app (and a started worker), drops the database and this file's queues. */
  close: () => Promise<void>;
  /** The worker's handlers and relay, in this process, against the same database and queues. */
  startWorker: (options?: { autoStart?: boolean }) => Promise<INestApplicationContext>;
}

/**
 * One line per test file: `const t = await bootTestApp()` boots the real API (Fastify, filters,
 * pipes, Postgres, Redis) on its own database and queue prefix. `imports` adds test-only modules.
 */
export async function bootTestApp(options: { env?: Record<string, string>; imports?: DynamicModule['imports'] } = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = testConfig(db.name, options.env);
  const app = await createApiApp(config, { imports: options.imports });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const workers: INestApplicationContext[] = [];

  return {
    app,
    config,
    http: request(app.getHttpServer()),
    dataSource: app.get<DataSource>(getDataSourceToken()),
    startWorker: async ({ autoStart = true } = {}) => {
      const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, { autoStart }), { logger: false });
      workers.push(worker);
      return worker;
    },
    close: async () => {
      const registry = app.get(QueueRegistry);
      for (const worker of workers) await worker.close();
      await obliterateQueues(config);
      await registry.onApplicationShutdown();
      await app.close();
      await db.drop();
      await rm(config.media.local.dir, { recursive: true, force: true });
    },
  };
}

/** Deletes every key under this file's queue prefix so Redis does not fill up across runs. */
export function obliterateQueues(config: AppConfig): Promise<void> {
  return deleteKeysWithPrefix(config.redis.url, config.redis.queuePrefix);
}
