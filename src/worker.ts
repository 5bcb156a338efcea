import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig, loadDotEnv } from '@app/common';
import { WorkerModule } from './worker.module';

/** The worker: a Nest application context (no HTTP server) running job handlers and the outbox relay. */
async function bootstrap(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`Worker failed to start: ${err instanceof ConfigError ? err.message : (err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
