import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildOpenApiDocument, loadConfig } from '@app/common';
import { createApiApp } from './bootstrap/create-api-app';

/**
 * `npm run openapi [-- path]`: writes the OpenAPI document without a database or Redis. Nest's
 * preview mode builds the module graph and routes but instantiates no provider, so nothing connects.
 */
async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? 'openapi.json');
  const app = await createApiApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), { preview: true });
  const document = buildOpenApiDocument(app);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`wrote ${target} (${Object.keys(document.paths).length} paths)\n`);
  await app.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
