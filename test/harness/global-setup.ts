import { createDatabaseIfMissing, dropDatabase, loadConfig } from '@app/common';
import { createDataSource } from '../../src/database/create-data-source';
import { databaseUrl, uniqueSuffix } from './env';

/**
 * Once per run: a template database with every migration applied. Each test file clones it
 * (CREATE DATABASE … TEMPLATE), which takes milliseconds, instead of migrating its own.
 */
export default async function globalSetup(): Promise<void> {
  const template = `commerce_tpl_${uniqueSuffix()}`;
  const url = databaseUrl(template);
  await createDatabaseIfMissing(url);
  const dataSource = createDataSource(loadConfig({ NODE_ENV: 'test', DATABASE_URL: url }), 'jest-global-setup');
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (err) {
    await dataSource.destroy().catch(() => undefined);
    await dropDatabase(url);
    throw err;
  }
  await dataSource.destroy();
  process.env.TEST_TEMPLATE_DB = template;
}
