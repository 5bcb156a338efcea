import { createDatabaseIfMissing, dropDatabase } from '@app/common';
import { randomBytes } from 'node:crypto';
import { databaseUrl } from './env';

/** A fresh database cloned from the run's migrated template; only this test file sees its rows. */
export async function createTestDatabase(): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const template = process.env.TEST_TEMPLATE_DB;
  if (!template) throw new Error('TEST_TEMPLATE_DB is not set: run tests through jest (globalSetup creates it)');
  const name = `commerce_t_${template.replace('commerce_tpl_', '')}_${randomBytes(4).toString('hex')}`;
  const url = databaseUrl(name);
  // Two files cloning the same template at once can collide on its lock; retry briefly.
  for (let attempt = 1; ; attempt++) {
    try {
      await createDatabaseIfMissing(url, template);
      break;
    } catch (err) {
      if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
  return { name, url, drop: () => dropDatabase(url) };
}
