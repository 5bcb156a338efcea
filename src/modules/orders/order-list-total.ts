/**
 * Up to this many matching orders the merchant list's `total` is exact; past it, PostgreSQL's
 * estimate with `total_exact: false` (orders-read.service.ts; the benchmark floor does the same).
 */
export const EXACT_TOTAL_UP_TO = 10_000;

/**
 * How far down the merchant list a search looks for its page before gathering its matches from the
 * search index instead (orders-read.service.ts, searchPage; the benchmark floor does the same).
 */
export const SEARCH_FIRST_ROWS = 2_000;
