import { Pool } from 'pg';
import { BudgetCheck } from '../lib/budget';
import { CpuLayout, ServerProcess } from '../lib/processes';
import { Dataset } from '../lib/dataset';

/**
 * One benchmark scenario: a file in bench/scenarios exporting an object of this shape, listed in
 * bench/scenarios/index.ts. The runner (bench/run.ts) calls `run` with a context that starts the
 * servers it asks for on first use and keeps them for the following scenarios, and prints what it
 * returns as one JSON line: `{scenario, ...figures, budget, pass}`.
 */
export interface Scenario {
  /** Its name on the command line (`--scenario product-list,product-detail`) and in the output. */
  readonly name: string;
  readonly summary: string;
  /**
   * Tables it reads or writes. While one is missing (its module has not landed yet), the scenario
   * is skipped with a line saying so instead of failing.
   */
  readonly requiresTables?: readonly string[];
  run(ctx: BenchContext): Promise<ScenarioResult>;
}

export interface ScenarioResult {
  /** The measured figures, printed as they are (nested objects welcome). */
  figures: Record<string, unknown>;
  /** The issue 9 budget lines this scenario is judged by; `pass` is their conjunction. */
  budget: BudgetCheck[];
}

export interface RunOptions {
  /** Concurrent connections of the read scenarios. */
  connections: number;
  /**
   * Concurrent requests of the analytics scenario. Its endpoints serve merchant and admin
   * dashboards, not storefront traffic: 10 by default, where the storefront reads take 50.
   */
  analyticsConnections: number;
  /** Measured seconds per server and read scenario, split into `rounds` alternating slices. */
  seconds: number;
  rounds: number;
  /** Warm-up seconds per server before a read scenario's measurement. */
  warmupSeconds: number;
  /** Rows of the catalog-import scenario. */
  importRows: number;
  /** DATABASE_POOL_SIZE of the API and the floor. */
  poolSize: number;
}

/** A server the runner started: the API or the floor. */
export interface HttpServer {
  name: 'ours' | 'floor';
  baseUrl: string;
  process: ServerProcess;
}

export interface BenchContext {
  readonly options: RunOptions;
  readonly dataset: Dataset;
  readonly cpu: CpuLayout;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** QUEUE_PREFIX of this run's API and worker (their Redis keys are deleted at the end). */
  readonly queuePrefix: string;
  /** A small pool on the bench database, for scenarios that write or check rows themselves. */
  readonly db: Pool;
  /** The environment the API and worker run with (production, logs at warn, the bench database…). */
  serverEnv(overrides?: Record<string, string>): Record<string, string>;
  /** The production API (as `npm run start:api` starts it), started on first use and shared by the scenarios. */
  api(): Promise<HttpServer>;
  /** Spawns another API process of the same build and settings on a free port, without waiting for it; the caller stops it. */
  spawnApi(): Promise<HttpServer>;
  /** The worker (as `npm run start:worker` starts it), started on first use. */
  worker(): Promise<ServerProcess>;
  /** The floor server (bench/floor-server.ts), started on first use. */
  floor(): Promise<HttpServer>;
  log(line: string): void;
}
