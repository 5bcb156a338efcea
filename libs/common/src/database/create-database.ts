import { Client } from 'pg';

/** Splits a Postgres URL into the database name and a URL of the maintenance database beside it. */
export function splitDatabaseUrl(url: string): { database: string; adminUrl: string } {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new Error(`DATABASE_URL has no database name: ${parsed.origin}`);
  parsed.pathname = '/postgres';
  return { database, adminUrl: parsed.toString() };
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Creates the database named in the URL when it does not exist. Returns true when it created it. */
export async function createDatabaseIfMissing(url: string, template?: string): Promise<boolean> {
  const { database, adminUrl } = splitDatabaseUrl(url);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount) return false;
    const from = template ? ` TEMPLATE ${quoteIdent(template)}` : '';
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(database)}${from}`);
    } catch (err) {
      // Another process created it between our check and our CREATE.
      if ((err as { code?: string }).code === '42P04') return false;
      throw err;
    }
    return true;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const { database, adminUrl } = splitDatabaseUrl(url);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
