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

  // Settings TypeORM does not model, so the drift check above cannot see them.
  it('the GIN indexes the checkout writes merge their pending list in small steps', async () => {
    // A checkout's order statement holds the store's order-number counter: a 4 MB pending-list
    // merge inside it (110 ms) stalled every checkout of the store (migration OrderSearchPendingListLimit).
    const indexes: { table: string; index: string; options: string[] | null }[] = await dataSource.query(
      `SELECT t.relname AS table, i.relname AS index, i.reloptions AS options
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_am am ON am.oid = i.relam
        WHERE am.amname = 'gin' AND t.relname IN ('orders', 'order_items', 'order_status_history', 'outbox_events', 'inventory_levels', 'inventory_movements', 'inventory_reservations', 'payments')`,
    );
    expect(indexes.map((i) => i.index)).toContain('idx_orders_search');
    for (const index of indexes) expect({ index: index.index, options: index.options }).toEqual({ index: index.index, options: expect.arrayContaining(['gin_pending_list_limit=256']) });
  });
});
