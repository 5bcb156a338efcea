import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Command } from 'commander';
import { ConfigError, createDatabaseIfMissing, loadConfig, loadDotEnv, splitDatabaseUrl } from '@app/common';
import { createDataSource } from './database/create-data-source';

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
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
