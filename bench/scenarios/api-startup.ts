import { below, BUDGET } from '../lib/budget';
import { round } from '../lib/load';
import { BenchContext, Scenario, ScenarioResult } from './scenario';

const STARTS = 3;
/** How long the API is left alone after its first 200 before its idle RSS is read. */
const SETTLE_MS = 5_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Cold start: the API spawned as `npm run start:api` starts it (pinned like the measured API) until
 * the first 200 from /health/ready, which answers only once PostgreSQL and Redis are reachable,
 * three times; and the RSS of each started API after it has sat idle for a few seconds.
 */
export const apiStartup: Scenario = {
  name: 'api-startup',
  summary: 'cold start to the first 200 from /health/ready (3 starts), and idle RSS',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const startsMs: number[] = [];
    const idleRss: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const api = await ctx.spawnApi();
      try {
        startsMs.push(round(await api.process.waitForOk(`${api.baseUrl}/health/ready`, 30_000, 2), 0));
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        idleRss.push(api.process.rssMb() ?? NaN);
      } finally {
        await api.process.stop();
      }
    }
    const coldStart = median(startsMs);
    const idle = median(idleRss);
    return {
      figures: { cold_start_ms: coldStart, cold_starts_ms: startsMs, idle_rss_mb: idle, idle_rss_samples_mb: idleRss },
      budget: [below('cold_start_ms', coldStart, BUDGET.coldStartMs), below('idle_rss_mb', idle, BUDGET.apiIdleRssMb)],
    };
  },
};
