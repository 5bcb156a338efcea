import { Client } from 'pg';
import { quoteIdent } from '@app/common';
import { TEST_PG_URL } from './env';

/** Drops the template and any per-file database a crashed test file left behind. */
export default async function globalTeardown(): Promise<void> {
  const template = process.env.TEST_TEMPLATE_DB;
  if (!template) return;
  const client = new Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    const suffix = template.replace('commerce_tpl_', '');
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
      [template, `commerce_t_${suffix}_%`],
    );
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
