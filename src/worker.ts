import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig, loadDotEnv } from '@app/common';
import { WorkerModule } from './worker.module';

/** The worker: a Nest application context (no HTTP server) running job handlers and the outbox relay. */
async function bootstrap(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  // createApplicationContext starts the worker before it returns, so the signal handlers go in
  // first: a SIGTERM during startup still closes in-flight jobs and pools in order.
  const starting = NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true, abortOnError: false });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void starting.then(shutdown, () => process.exit(1)));
  }
  const app = await starting;
  app.useLogger(app.get(Logger));
}

async function shutdown(app: INestApplicationContext): Promise<void> {
  try {
    await app.close(); // workers finish their current jobs, the relay its batch, then pools close
    process.exit(0);
  } catch (err) {
    process.stderr.write(`Worker shutdown failed: ${(err as Error)?.stack ?? err}\n`);
    process.exit(1);
  }
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`Worker failed to start: ${err instanceof ConfigError ? err.message : (err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
