import { join } from 'node:path';
import { atLeast, below, BUDGET, holds } from '../lib/budget';
import { DIST, REPO_ROOT } from '../lib/bench-database';
import { ServerProcess } from '../lib/processes';
import { BenchContext, Scenario, ScenarioResult } from './scenario';

/**
 * The CSV import of issue 4, as `npm run bench:import` measures it (bench/catalog-import.bench.ts:
 * its own scratch database, the real upload path, the catalog-import job in a separate worker
 * process with the deployed node flags, the counts checked): run as a child process with every CPU,
 * as it was measured before, and its JSON line taken as this scenario's figures.
 */
export const catalogImport: Scenario = {
  name: 'catalog-import',
  summary: 'CSV import of --import-rows rows (default 100,000) by the worker: rows/s and peak RSS',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const child = ServerProcess.start({
      name: 'catalog-import',
      args: [join(DIST, 'bench', 'catalog-import.bench.js'), '--rows', String(ctx.options.importRows)],
      env: { BENCH_DATABASE_URL: ctx.databaseUrl, REDIS_URL: ctx.redisUrl },
      cpus: ctx.cpu.pinned ? ctx.cpu.all : undefined,
      cwd: REPO_ROOT,
    });
    const code = await child.exited();
    const lines = child.recentOutput(200).split('\n');
    const line = lines.reverse().find((l) => l.startsWith('{"scenario":"catalog-import"'));
    if (code !== 0 || !line) throw new Error(`catalog-import.bench.js exited with ${code}:\n${child.recentOutput()}`);
    const { scenario: _name, ...result } = JSON.parse(line) as Record<string, unknown> & { rows_per_s: number; peak_rss_mb: number; ok: boolean };
    return {
      figures: result,
      budget: [
        atLeast('rows_per_s', result.rows_per_s, BUDGET.importRowsPerSecond),
        below('peak_rss_mb', result.peak_rss_mb, BUDGET.importWorkerRssMb),
        holds('ok', result.ok),
      ],
    };
  },
};
