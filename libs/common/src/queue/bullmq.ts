import type * as BullMQ from 'bullmq';

/**
 * BullMQ, required on first use rather than imported. This folder is reached through @app/common,
 * which every process imports, but only the worker produces (outbox relay) and consumes jobs: the
 * API would otherwise load ~170 modules (~60 ms, ~4 MB) at startup for nothing (issue 9: API cold
 * start and idle memory). Elsewhere, import only types from 'bullmq' (eslint checks it).
 */
export function bullmq(): typeof BullMQ {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('bullmq') as typeof BullMQ;
}

/** BullMQ's UnrecoverableError: the job fails at once, without its remaining attempts. */
export function unrecoverableJobError(message: string): Error {
  return new (bullmq().UnrecoverableError)(message);
}
