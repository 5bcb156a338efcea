import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig, buildDataSourceOptions } from '@app/common';
import { ENTITIES } from './entities';

/** Migrations sit in migrations/ at the top; compiled ones in dist/migrations. */
export const MIGRATIONS_GLOB = join(__dirname, '..', '..', 'migrations', '*.{js,ts}');

/** A standalone DataSource with migrations, for the CLI, the start script and the test harness. */
export function createDataSource(config: Pick<AppConfig, 'database' | 'env'>, applicationName = 'commerce-cli'): DataSource {
  return new DataSource(buildDataSourceOptions(config, { entities: ENTITIES, migrations: [MIGRATIONS_GLOB] }, applicationName));
}
