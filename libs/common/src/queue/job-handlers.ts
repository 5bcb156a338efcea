import { ALL_JOBS, JobDefinition, jobKey } from './jobs';

export type JobHandlerFn = (payload: unknown, job: import('bullmq').Job) => Promise<unknown>;

export interface DiscoveredHandler {
  definition: JobDefinition;
  /** `ClassName.method`, for messages. */
  owner: string;
  handle: JobHandlerFn;
}

export class JobHandlerCheckError extends Error {
  constructor(readonly problems: string[]) {
    super(`Job handler check failed:\n  - ${problems.join('\n  - ')}`);
    this.name = 'JobHandlerCheckError';
  }
}

/**
 * Every known job must have exactly one handler and every handler a known job; otherwise the
 * worker must not start (a missing handler would fail jobs silently, two would race).
 */
export function buildHandlerMap(
  handlers: DiscoveredHandler[],
  known: readonly JobDefinition[] = ALL_JOBS,
): Map<string, DiscoveredHandler> {
  const problems: string[] = [];
  const byKey = new Map<string, DiscoveredHandler[]>();
  for (const handler of handlers) {
    const key = jobKey(handler.definition);
    byKey.set(key, [...(byKey.get(key) ?? []), handler]);
  }
  const knownKeys = new Set(known.map(jobKey));
  for (const key of knownKeys) {
    const found = byKey.get(key) ?? [];
    if (found.length === 0) problems.push(`job ${key} has no handler`);
    if (found.length > 1) problems.push(`job ${key} has ${found.length} handlers: ${found.map((h) => h.owner).join(', ')}`);
  }
  for (const [key, found] of byKey) {
    if (!knownKeys.has(key)) problems.push(`${found.map((h) => h.owner).join(', ')} handles unknown job ${key}`);
  }
  if (problems.length) throw new JobHandlerCheckError(problems);
  return new Map([...byKey].map(([key, [handler]]) => [key, handler]));
}
