import 'reflect-metadata';
import { ConfigError, loadConfig, loadDotEnv } from '@app/common';
import { createApiApp } from './bootstrap/create-api-app';

async function bootstrap(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen({ port: config.http.port, host: config.http.host });
}

bootstrap().catch((err: unknown) => {
  // The logger may not exist yet (bad config), so this goes to stderr as plain text.
  process.stderr.write(`API failed to start: ${err instanceof ConfigError ? err.message : (err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
