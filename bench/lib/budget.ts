/**
 * The performance budget of issue 9 (a 2-core machine, loopback, ratios to the floor measured in
 * the same run). `npm run bench -- --check` fails when a figure misses its limit.
 */
export const BUDGET = {
  /** Product list and detail: our requests/s over the floor's at 50 connections, at least. */
  readRatioToFloor: 0.7,
  /** …and our p99 over the floor's, at most. */
  readP99RatioToFloor: 1.5,
  /** Checkout: our orders/s over a floor checkout doing the same inserts in plain SQL, at least. */
  checkoutRatioToFloor: 0.4,
  checkoutP99MsAt20Buyers: 100,
  analyticsP95Ms: 50,
  importRowsPerSecond: 2_000,
  importWorkerRssMb: 300,
  queueEventsPerSecond: 1_000,
  queueCommitToConsumerP99Ms: 250,
  apiIdleRssMb: 150,
  apiLoadRssMb: 250,
  coldStartMs: 1_500,
} as const;

/** One budget line: the measured value, the limit, and whether it holds. */
export interface BudgetCheck {
  name: string;
  value: number | boolean | null;
  limit: string;
  pass: boolean;
}

export const atLeast = (name: string, value: number | null, limit: number): BudgetCheck => ({ name, value, limit: `>= ${limit}`, pass: value !== null && Number.isFinite(value) && value >= limit });

/** Strictly below, as the issue writes its limits ("< 250 ms", "< 150 MB"). */
export const below = (name: string, value: number | null, limit: number): BudgetCheck => ({ name, value, limit: `< ${limit}`, pass: value !== null && Number.isFinite(value) && value < limit });

export const atMost = (name: string, value: number | null, limit: number): BudgetCheck => ({ name, value, limit: `<= ${limit}`, pass: value !== null && Number.isFinite(value) && value <= limit });

export const holds = (name: string, value: boolean): BudgetCheck => ({ name, value, limit: 'true', pass: value });
