import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command } from 'commander';
import { AppConfig, AppException, ConfigError, createDatabaseIfMissing, loadConfig, loadDotEnv, splitDatabaseUrl } from '@app/common';
import { CoreModule } from './core.module';
import { createDataSource } from './database/create-data-source';
import { DOMAIN_MODULES } from './modules';
import { AnalyticsRebuildService } from './modules/analytics/analytics-rebuild.service';
import { AuthService } from './modules/identity/auth.service';
import { DemoSeeder } from './modules/demo/demo.seeder';

/** The services, without HTTP or queue consumers, for commands that act through them. */
async function withServices<T>(config: AppConfig, run: (get: <S>(type: new (...args: never[]) => S) => S) => Promise<T>): Promise<T> {
  @Module({ imports: [CoreModule.forRoot(config, 'cli'), ...DOMAIN_MODULES], providers: [DemoSeeder] })
  class CliModule {}
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'] });
  try {
    return await run((type) => app.get(type));
  } finally {
    await app.close();
  }
}

/**
 * Operator commands: `npm run cli -- <command>`. Each command is small and calls into the same
 * services and DataSource the processes use.
 */
const program = new Command('cli').description('Commerce backend operator commands').showHelpAfterError();
const out = (line: string) => process.stdout.write(`${line}\n`);

program
  .command('db:create')
  .description('Create the database named in DATABASE_URL if it does not exist')
  .action(async () => {
    const config = loadConfig();
    const created = await createDatabaseIfMissing(config.database.url);
    out(`${created ? 'created' : 'exists'}: ${splitDatabaseUrl(config.database.url).database}`);
  });

program
  .command('migration:run')
  .description('Apply pending migrations')
  .action(async () => {
    const dataSource = await createDataSource(loadConfig()).initialize();
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      out(applied.length ? applied.map((m) => `applied: ${m.name}`).join('\n') : 'no pending migrations');
    } finally {
      await dataSource.destroy();
    }
  });

program
  .command('admin:create')
  .description('Create an admin account, or promote an existing account to admin (sets its password)')
  .requiredOption('--email <email>', 'the admin\'s email')
  .requiredOption('--password <password>', 'at least 10 characters with letters and digits')
  .action(async (options: { email: string; password: string }) => {
    const { user, created } = await withServices(loadConfig(), (get) => get(AuthService).createOrPromoteAdmin(options.email, options.password));
    out(`${created ? 'created' : 'promoted'} admin ${user.email} (${user.id})`);
  });

program
  .command('demo:seed')
  .description('Create demo accounts (admin, an ACTIVE merchant, a customer); development only, idempotent')
  .option('--force', 'also outside NODE_ENV=development')
  .action(async (options: { force?: boolean }) => {
    const config = loadConfig();
    if (config.env !== 'development' && !options.force) {
      out(`skipped: demo data is only seeded when NODE_ENV=development (now ${config.env})`);
      return;
    }
    const result = await withServices(config, (get) => get(DemoSeeder).seed());
    for (const line of result) out(line);
  });

program
  .command('analytics:rebuild')
  .description('Recompute the analytics rollups from orders and transfers (idempotent; safe while the API and worker run)')
  .option('--merchant <id>', 'one store (default: all)')
  .action(async (options: { merchant?: string }) => {
    const result = await withServices(loadConfig(), (get) => get(AnalyticsRebuildService).rebuild(options.merchant));
    out(`rebuilt analytics of ${result.merchant_id ?? 'every store'}: ${JSON.stringify(result)}`);
  });

// Generation goes through TypeORM's own CLI on the compiled DataSource, writing into migrations/.
program
  .command('migration:generate <name>')
  .description('Generate a migration from the difference between the entities and the database')
  .action((name: string) => typeormCli(['migration:generate', join('migrations', name), '--pretty']));

program
  .command('migration:create <name>')
  .description('Create an empty migration')
  .action((name: string) => typeormCli(['migration:create', join('migrations', name)], false));

program
  .command('migration:check')
  .description('Fail when the entities and the migrations disagree (database must be migrated)')
  .action(() => typeormCli(['migration:generate', join('migrations', 'Drift'), '--dryrun', '--check']));

function typeormCli(args: string[], withDataSource = true): void {
  const dataSource = join(__dirname, 'database', 'data-source.js');
  const cli = require.resolve('typeorm/cli.js');
  const result = spawnSync(process.execPath, [cli, ...(withDataSource ? ['-d', dataSource] : []), ...args], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
}

loadDotEnv();
program.parseAsync(process.argv).catch((err: unknown) => {
  // Expected refusals (bad config, weak password, conflicts) print their message; bugs their stack.
  const expected = err instanceof ConfigError || err instanceof AppException;
  process.stderr.write(`${expected ? (err as Error).message : (err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
