import { DataSource } from 'typeorm';
import { loadConfig } from '@app/common';
import { createDataSource } from '../src/database/create-data-source';
import { createTestDatabase } from './harness/database';

/**
 * The schema changes only through migrations. This fails when an entity and the migrations
 * disagree, listing the SQL a new migration would need (`npm run migration:generate -- Name`).
 */
describe('Schema drift', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await createDataSource(loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url }), 'schema-drift').initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('the migrated database matches the entities', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query.trim())).toEqual([]);
  });

  it('has no pending migrations and every table has created_at/updated_at timestamptz and a uuid id', async () => {
    expect(await dataSource.showMigrations()).toBe(false);
    const columns: { table_name: string; column_name: string; data_type: string }[] = await dataSource.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations'`,
    );
    const tables = new Set(columns.map((c) => c.table_name));
    expect(tables.size).toBeGreaterThan(0);
    for (const table of tables) {
      const type = (name: string) => columns.find((c) => c.table_name === table && c.column_name === name)?.data_type;
      expect({ table, id: type('id'), created: type('created_at'), updated: type('updated_at') }).toEqual({
        table,
        id: 'uuid',
        created: 'timestamp with time zone',
        updated: 'timestamp with time zone',
      });
    }
    // snake_case everywhere: no column name with an upper-case letter.
    expect(columns.filter((c) => /[A-Z]/.test(c.column_name))).toEqual([]);
  });
});
