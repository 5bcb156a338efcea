import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config';
import { AfterCommitSubscriber } from './after-commit';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/**
 * The one TypeORM configuration; the API, the worker, the CLI and the tests all build their
 * DataSource from it, so they can never disagree about the schema.
 */
export function buildDataSourceOptions(
  config: Pick<AppConfig, 'database' | 'env'>,
  parts: { entities: DataSourceOptions['entities']; migrations: DataSourceOptions['migrations'] },
  applicationName = 'commerce',
): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.database.url,
    entities: parts.entities,
    migrations: parts.migrations,
    subscribers: [AfterCommitSubscriber],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+; no uuid-ossp extension needed.
    uuidExtension: 'pgcrypto',
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    logging: config.database.logQueries ? ['query', 'error'] : ['error'],
    applicationName,
    extra: {
      max: config.database.poolSize,
      connectionTimeoutMillis: 5_000,
      // A runaway query must not hold a pooled connection forever.
      statement_timeout: 30_000,
      idle_in_transaction_session_timeout: 60_000,
    },
  };
}
